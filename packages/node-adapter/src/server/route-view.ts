/**
 * Translation between the core's RouteResult and what the adapters need: upstream plans (primary + fallbacks),
 * block answers, classification records, client hints. No routing logic: every choice comes from the core.
 * @module
 */
import { explainDecision, rewrite, type ChatCompletionRequest, type Decision, type RouteOptions, type Router, type RouterConfig } from '@semroute/core';
import { backendsOf, responseHeadersOf, type UpstreamPlan } from './proxy.js';
import { HttpError } from './http-error.js';

export type Head = 'domain' | 'jailbreak' | 'pii';
export type Heads = readonly Head[];
const HEADS: readonly Head[] = Object.freeze(['domain', 'jailbreak', 'pii']);

/** A plan built on demand (fallback bodies are only rewritten when needed). */
export type LazyPlan = UpstreamPlan | (() => UpstreamPlan);

export interface RoutedView {
  decision: Decision;
  decisionName: string;
  /** The decision's model: a configured name, or the client's string on passthrough (never use it as a label). */
  model: string;
  /** `model` when it is a configured model, else `unknown`: safe for metrics labels and logs (bounded, not client text). */
  modelLabel: string;
  responsePath: string;
  stream: boolean;
  blocked?: { status: number; headers: Record<string, string>; json: object; sse: string[] };
  /** The chosen model's plan; undefined when blocked or when the model has no backend (unknown model). */
  primary?: UpstreamPlan;
  /** Primary plan first, then fallbacks; empty when the model has no backend (unknown model). */
  plans: LazyPlan[];
}

/** The client pre-routing hint (`x-semroute-client-decision`), parsed; undefined when absent or malformed. */
export function clientHint(headers: Readonly<Record<string, string>>): Record<string, unknown> | undefined {
  const raw = headers['x-semroute-client-decision'];
  if (!raw || raw.length > 4096) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The decision re-targeted at another configured model (for upstream fallback): reasoning settings come from the
 * decision's modelRef for that model when there is one, otherwise reasoning is off.
 * TODO(core): replace with a core helper once it exports one (e.g. `decisionForModel`).
 */
function retarget(decision: Decision, config: RouterConfig, model: string): Decision {
  const mc = config.providers.models.find((m) => m.name === model);
  const ref = config.routing.decisions.find((d) => d.name === decision.decision)?.modelRefs.find((r) => r.model === model);
  const useReasoning = ref?.use_reasoning ?? false;
  const { reasoning_effort: _e, reasoning_family: _f, ...rest } = decision;
  return {
    ...rest,
    model,
    provider_model_id: mc?.provider_model_id ?? model,
    use_reasoning: useReasoning,
    ...(useReasoning ? { reasoning_effort: ref?.reasoning_effort ?? config.providers.defaults.default_reasoning_effort } : {}),
    ...(mc?.reasoning_family ? { reasoning_family: mc.reasoning_family } : {}),
  };
}

function planFrom(model: string, body: unknown, r: { headers: Record<string, string>; upstreamHeaders: Record<string, string>; removeUpstreamHeaders: string[] }): UpstreamPlan {
  return {
    model,
    body: JSON.stringify(body),
    headers: r.upstreamHeaders,
    remove: r.removeUpstreamHeaders,
    responseHeaders: responseHeadersOf(r.headers),
  };
}

/** route() one chat request through the core and turn the result into plans or a block answer. */
export async function routeChat(
  router: Router,
  request: unknown,
  headers: Readonly<Record<string, string>>,
  hint: Record<string, unknown> | undefined,
  config: RouterConfig,
): Promise<RoutedView> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    throw new HttpError(400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_request');
  }
  // The client hint is handed to the core when policy allows; the core decides what it may skip (see report/README).
  const opts: RouteOptions & { clientDecision?: Record<string, unknown> } = hint ? { headers, clientDecision: hint } : { headers };
  const result = await router.route(request, opts);
  const decision = result.decision;
  const stream = (request as { stream?: unknown }).stream === true;
  const known = backendsOf(config, decision.model).length > 0 || config.providers.models.some((m) => m.name === decision.model);
  const base = { decision, decisionName: decision.decision, model: decision.model, modelLabel: known ? decision.model : 'unknown', responsePath: decision.response_path, stream };
  if (result.blocked) return { ...base, blocked: result.blocked as RoutedView['blocked'], plans: [] };
  if (!known || backendsOf(config, decision.model).length === 0) return { ...base, plans: [] };
  const primary = planFrom(decision.model, result.body, result);
  const plans: LazyPlan[] = [primary];
  if (!decision.passthrough) {
    const seen = new Set([decision.model]);
    const candidates = decision.trace.selection?.candidates ?? [];
    const after = candidates.slice(candidates.indexOf(decision.model) + 1);
    for (const model of [...after, config.providers.defaults.default_model]) {
      if (seen.has(model) || backendsOf(config, model).length === 0) continue;
      seen.add(model);
      plans.push(() => {
        const d = retarget(decision, config, model);
        const rw = rewrite(request as ChatCompletionRequest, d, config);
        return planFrom(model, rw.body, rw);
      });
    }
  }
  return { ...base, primary, plans };
}

export function parseHeads(v: unknown): Heads | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (!list || !list.every((h) => (HEADS as readonly unknown[]).includes(h))) {
    throw new HttpError(400, `Invalid heads; each one of: ${HEADS.join(', ')}.`, 'invalid_request_error', 'invalid_heads', 'heads');
  }
  return list as Heads;
}

/** Heads for a vSR-style classify endpoint (`intent` → domain, `pii`, `security` → jailbreak), or the body's `heads`. */
export function classifyHeads(kind: string | undefined, heads: unknown): Heads | undefined {
  if (kind === 'intent') return ['domain'];
  if (kind === 'pii') return ['pii'];
  if (kind === 'security') return ['jailbreak'];
  return parseHeads(heads);
}

/** One classification record (the `semroute classify` line format). */
export interface ClassificationRecord {
  category?: string;
  confidence?: number;
  categoryScores?: Record<string, number>;
  jailbreak?: { score: number | null; flagged: boolean };
  pii?: { type: string; start: number; end: number; score: number }[];
  decision: string;
  model: string;
  useReasoning: boolean;
  reasoningEffort: string | null;
  blocked: boolean;
  blockReason?: string;
  backend: string;
  latencyMs: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export async function classificationRecord(router: Router, input: string | { messages: unknown[] }, heads?: Heads): Promise<ClassificationRecord> {
  const request = typeof input === 'string' ? { model: 'auto', messages: [{ role: 'user', content: input }] } : { model: 'auto', ...input };
  const t0 = performance.now();
  const result = await router.route(request);
  const latencyMs = round(performance.now() - t0, 2);
  const d = result.decision;
  const s = result.signals;
  const want = (h: Head) => !heads || heads.includes(h);
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.categoryScores ?? {})) scores[k] = round(v);
  const rec: ClassificationRecord = {
    ...(want('domain')
      ? {
          category: d.trace.category.top ?? d.trace.category.effective,
          confidence: round(d.trace.category.topScore ?? d.confidence),
          categoryScores: scores,
        }
      : {}),
    ...(want('jailbreak')
      ? { jailbreak: { score: s.jailbreak === undefined ? null : round(s.jailbreak), flagged: d.matched.jailbreak.length > 0 || !!d.trace.guard?.triggered } }
      : {}),
    // Spans at or above the config's PII threshold (the same cut the core's redact() uses).
    ...(want('pii')
      ? {
          pii: (s.pii ?? [])
            .filter((p) => p.score >= router.config.global.classifier.pii.threshold)
            .map((p) => ({ type: p.type, start: p.start, end: p.end, score: round(p.score) })),
        }
      : {}),
    decision: d.decision,
    model: d.model,
    useReasoning: d.use_reasoning,
    reasoningEffort: d.use_reasoning ? (d.reasoning_effort ?? null) : null,
    blocked: !!d.blocked,
    ...(d.blocked ? { blockReason: d.blocked.reason } : {}),
    backend: result.backend,
    latencyMs,
  };
  return rec;
}

/** `semroute explain`: the decision trace for one prompt (text, or JSON with --json). */
export async function explainText(router: Router, prompt: string, json: boolean): Promise<string> {
  const result = await router.route({ model: 'auto', messages: [{ role: 'user', content: prompt }] });
  if (json) return JSON.stringify({ decision: result.decision, signals: result.signals, timings: result.timings }, null, 2);
  return explainDecision(result.decision);
}
