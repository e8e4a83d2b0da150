/**
 * blockedResponse(): the OpenAI-shaped answer for a blocked or fast_response decision, as JSON and as the SSE
 * frame sequence (ending in `data: [DONE]`) for `stream: true` requests.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import type { Decision } from '../decision/types.js';
import type { ChatCompletionRequest } from './types.js';
import { decisionHeaders } from './response-headers.js';

/** Result of {@link blockedResponse}. */
export interface BlockedResponse {
  /** HTTP status: `global.blocked_response.status` for blocks (200 like vSR, or 403); 200 for fast_response. */
  status: number;
  headers: Record<string, string>;
  /** A `chat.completion` object. */
  json: Record<string, unknown>;
  /** `data: {chunk}\n\n` frames, then `data: [DONE]\n\n`. */
  sse: string[];
}

/** Deterministic FNV-1a hash → base36, for response ids (no randomness in core). */
function hashId(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/**
 * Builds the response for a decision with `blocked` set (jailbreak, pii or fast_response). Uses `model: "router"`
 * and `finish_reason: "content_filter"` for blocks (configurable to `stop`), `stop` for fast_response.
 *
 * @param opts.now seconds since the epoch for `created` (default: the current time).
 */
export function blockedResponse(
  decision: Decision,
  request: ChatCompletionRequest | undefined,
  config: RouterConfig,
  opts: { now?: number; debug?: boolean } = {},
): BlockedResponse {
  const message = decision.blocked?.message ?? config.global.blocked_response.jailbreak_message;
  const fast = decision.blocked?.reason === 'fast_response';
  const finish = fast ? 'stop' : config.global.blocked_response.finish_reason;
  const status = fast ? 200 : config.global.blocked_response.status;
  const created = opts.now ?? Math.floor(Date.now() / 1000);
  const id = `chatcmpl-router-${hashId(`${decision.decision}:${created}:${message}`)}`;
  const json = {
    id,
    object: 'chat.completion',
    created,
    model: 'router',
    choices: [{ index: 0, message: { role: 'assistant', content: message }, finish_reason: finish }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'router', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  const sse = [chunk({ role: 'assistant', content: message }, null), chunk({}, finish), 'data: [DONE]\n\n'];
  const stream = request?.stream === true;
  const headers: Record<string, string> = {
    ...decisionHeaders(decision, { debug: opts.debug ?? false }),
    'content-type': stream ? 'text/event-stream' : 'application/json',
  };
  if (stream) headers['cache-control'] = 'no-cache';
  return { status, headers, json, sse };
}
