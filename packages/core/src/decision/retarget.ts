/**
 * retargetDecision(): the same decision served by another configured model (upstream fallback). Pure.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import type { Decision } from './types.js';

/**
 * The decision re-targeted at `modelName` (for upstream fallback when the chosen model's backends are down):
 * `model`, `provider_model_id` and `reasoning_family` come from that model's config; reasoning settings from the
 * decision's modelRef for that model when there is one (effort: modelRef → `default_reasoning_effort` → `medium`),
 * otherwise reasoning is off. Everything else (category, plugins, PII outcome, trace) is kept; `trace.selection`
 * records the fallback. `rewrite(request, retargetDecision(...), config)` then builds that model's body.
 * A model that is not configured keeps its name as `provider_model_id` and gets no reasoning family.
 */
export function retargetDecision(decision: Decision, modelName: string, config: RouterConfig): Decision {
  if (modelName === decision.model) return decision;
  const mc = config.providers.models.find((m) => m.name === modelName);
  const ref = config.routing.decisions.find((d) => d.name === decision.decision)?.modelRefs.find((r) => r.model === modelName);
  const useReasoning = ref?.use_reasoning ?? false;
  const { reasoning_effort: _e, reasoning_family: _f, ...rest } = decision;
  const sel = decision.trace.selection;
  return {
    ...rest,
    model: modelName,
    provider_model_id: mc?.provider_model_id ?? modelName,
    use_reasoning: useReasoning,
    ...(useReasoning ? { reasoning_effort: ref?.reasoning_effort ?? config.providers.defaults.default_reasoning_effort ?? 'medium' } : {}),
    ...(mc?.reasoning_family ? { reasoning_family: mc.reasoning_family } : {}),
    trace: {
      ...decision.trace,
      ...(sel ? { selection: { ...sel, chosen: modelName, reason: `fallback from ${decision.model}: ${ref ? 'next modelRef' : 'not a modelRef of the decision'}` } } : {}),
    },
  };
}
