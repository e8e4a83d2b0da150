/**
 * rewrite(): applies a decision to an OpenAI chat.completions body. Never mutates its input; never drops a
 * field it does not own. Owned fields: `model`, the reasoning fields of the model's family, the system message
 * (system_prompt plugin) and user message text (pii redact).
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import type { Decision } from '../decision/types.js';
import { HEADERS } from '../headers.js';
import { extractClassifiedTextDetailed } from '../signals/extract.js';
import type { PiiSpan } from '../signals/types.js';
import { applyReasoning } from './reasoning.js';
import { redact } from './redact.js';
import { decisionHeaders } from './response-headers.js';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage } from './types.js';

/** Result of {@link rewrite}. */
export interface RewriteResult {
  /** The upstream body (a new object; the input is untouched). */
  body: ChatCompletionRequest;
  /** Response headers for the client (vSR-compatible), including `x-selected-model` for Envoy. */
  headers: Record<string, string>;
  /** Headers to set on the upstream request (`x-selected-model` + header_mutation add/update). */
  upstreamHeaders: Record<string, string>;
  /** Header names to remove from the upstream request (header_mutation delete), lower-case. */
  removeUpstreamHeaders: string[];
}

/** Options of {@link rewrite}. */
export interface RewriteOptions {
  /** Add the `x-vsr-matched-*` debug headers (the `x-vsr-debug: true` request header). */
  debug?: boolean;
}

/**
 * Rewrites a request for the chosen model: `model` → `provider_model_id`, reasoning per family, system prompt
 * (insert | replace | append), PII redaction of user text, header mutations. A passthrough or blocked decision
 * leaves the body as it is (use `blockedResponse` for blocked ones).
 */
export function rewrite(request: ChatCompletionRequest, decision: Decision, config: RouterConfig, opts: RewriteOptions = {}): RewriteResult {
  const body: ChatCompletionRequest = { ...request };
  const headers = decisionHeaders(decision, opts);
  const upstreamHeaders: Record<string, string> = {};
  const removeUpstreamHeaders: string[] = [];
  if (decision.response_path === 'upstream') upstreamHeaders[HEADERS.ENVOY_SELECTED_MODEL] = decision.model;
  if (decision.passthrough || decision.blocked) return { body, headers, upstreamHeaders, removeUpstreamHeaders };

  body.model = decision.provider_model_id;
  const model = config.providers.models.find((m) => m.name === decision.model);
  applyReasoning(body, decision, config, model);

  if (decision.pii.action === 'redact' && decision.pii.spans?.length) {
    body.messages = redactMessages(request, decision.pii.spans, config);
  }
  for (const p of decision.plugins) {
    if (p.type === 'system_prompt' && p.configuration.enabled) {
      body.messages = applySystemPrompt(body.messages, p.configuration.system_prompt, p.configuration.mode);
    } else if (p.type === 'header_mutation' && p.configuration.enabled) {
      for (const { name, value } of [...p.configuration.add, ...p.configuration.update]) upstreamHeaders[name.toLowerCase()] = value;
      for (const name of p.configuration.delete) removeUpstreamHeaders.push(name.toLowerCase());
    }
  }
  return { body, headers, upstreamHeaders, removeUpstreamHeaders };
}

/** Applies a system prompt to a copy of `messages`. Operates on the first `system` message, or adds one first. */
export function applySystemPrompt(messages: readonly ChatMessage[], prompt: string, mode: 'insert' | 'replace' | 'append'): ChatMessage[] {
  const out = [...messages];
  const i = out.findIndex((m) => m && typeof m === 'object' && m.role === 'system');
  if (i < 0) {
    out.unshift({ role: 'system', content: prompt });
    return out;
  }
  const m = out[i]!;
  const existing = m.content;
  let content: ChatMessage['content'];
  if (mode === 'replace' || existing === null || existing === undefined || existing === '') content = prompt;
  else if (typeof existing === 'string') content = mode === 'insert' ? `${prompt}\n\n${existing}` : `${existing}\n\n${prompt}`;
  else if (Array.isArray(existing)) {
    const part: ChatContentPart = { type: 'text', text: prompt };
    content = mode === 'insert' ? [part, ...existing] : [...existing, part];
  } else content = prompt;
  out[i] = { ...m, content };
  return out;
}

/**
 * Redacts PII spans (offsets into the text {@link extractClassifiedText} returns) inside the user messages they came from.
 * Returns a new messages array; the request is not mutated.
 */
export function redactMessages(request: ChatCompletionRequest, spans: readonly PiiSpan[], config: RouterConfig): ChatMessage[] {
  const { segments } = extractClassifiedTextDetailed(request, config);
  const messages = [...request.messages];
  for (const seg of segments) {
    const local: PiiSpan[] = [];
    for (const s of spans) {
      if (s.end <= seg.start || s.start >= seg.end) continue;
      local.push({ type: s.type, score: s.score, start: Math.max(s.start, seg.start) - seg.start, end: Math.min(s.end, seg.end) - seg.start });
    }
    if (!local.length) continue;
    const msg = messages[seg.message]!;
    if (seg.part < 0) {
      if (typeof msg.content === 'string') messages[seg.message] = { ...msg, content: redact(msg.content, local).text };
    } else if (Array.isArray(msg.content)) {
      const parts = [...msg.content];
      const part = parts[seg.part] as { text?: unknown } | undefined;
      if (part && typeof part.text === 'string') parts[seg.part] = { ...(part as ChatContentPart), text: redact(part.text, local).text } as ChatContentPart;
      messages[seg.message] = { ...msg, content: parts };
    }
  }
  return messages;
}
