/**
 * Per-family reasoning switches on an upstream chat.completions body (see vsr-config.md's table).
 * @module
 */
import type { ModelConfig, RouterConfig } from '../config/schema.js';
import type { Decision } from '../decision/types.js';
import { isObj, type JsonObject as Body } from '../json-object.js';
import type { ChatCompletionRequest } from './types.js';

/** Sets a dotted path (`reasoning.effort`) on a body, copying (never mutating) nested objects. */
function setPath(body: Body, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = body;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    const next = isObj(cur[k]) ? { ...(cur[k] as Body) } : {};
    cur[k] = next;
    cur = next;
  }
  cur[keys[keys.length - 1]!] = value;
}

function setKwarg(body: Body, key: string, value: unknown): void {
  body.chat_template_kwargs = { ...(isObj(body.chat_template_kwargs) ? body.chat_template_kwargs : {}), [key]: value };
}

/**
 * Adds the reasoning fields of the decision's model family to `body` (a fresh copy owned by the caller).
 * - `chat_template_kwargs` (qwen3 `enable_thinking`, deepseek `thinking`): `chat_template_kwargs.<parameter>` = on/off
 *   (the explicit off matters: qwen3 thinks by default).
 * - `reasoning_effort` (gpt-oss, gpt): when on, vLLM dialect → `chat_template_kwargs.<parameter>` = effort; OpenAI
 *   dialect, or a dotted parameter such as `reasoning.effort` → that top-level (nested) field. No off switch exists.
 * - `top_level_reasoning_effort`: when on, top-level `<parameter>` = effort.
 * A model without a family gets no reasoning fields.
 */
export function applyReasoning(body: ChatCompletionRequest, decision: Decision, config: RouterConfig, model: ModelConfig | undefined): void {
  const familyName = decision.reasoning_family;
  if (familyName === undefined) return;
  const family = config.providers.defaults.reasoning_families[familyName];
  if (!family) return;
  const on = decision.use_reasoning;
  const effort = decision.reasoning_effort ?? config.providers.defaults.default_reasoning_effort ?? 'medium';
  const dialect = model?.api_dialect ?? config.providers.defaults.api_dialect;
  const b = body as Body;
  switch (family.type) {
    case 'chat_template_kwargs':
      setKwarg(b, family.parameter, on);
      return;
    case 'reasoning_effort':
      if (!on) return;
      if (dialect === 'openai' || family.parameter.includes('.')) setPath(b, family.parameter, effort);
      else setKwarg(b, family.parameter, effort);
      return;
    case 'top_level_reasoning_effort':
      if (on) setPath(b, family.parameter, effort);
      return;
  }
}
