/**
 * The response cache's hooks in the HTTP layer, shared by the Node server and the fetch handler: look a routed
 * request up, answer a hit (JSON, or SSE when the client streams), and record a miss's upstream answer (a JSON
 * body, or the SSE bytes as they pass) so that it is stored once complete. Small on purpose: the adapters call
 * `probe`, then `hitAnswer` or `recorder`, and nothing else changes in their flow.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import { HEADERS } from '../headers.js';
import { type CachedCompletion, type NotCacheableReason, SseCompletionCollector, cacheableCompletion, completionJson, completionSse } from '../cache/answer.js';
import type { CacheProbe, ResponseCache } from '../cache/response-cache.js';
import type { RoutedView } from './route-view.js';

/** Looks a routed request up; undefined without a cache, for blocked requests, or when the request has no plan. */
export async function probeCache(
  cache: ResponseCache | undefined,
  routed: RoutedView,
  headers: Readonly<Record<string, string | undefined>>,
  config: RouterConfig,
): Promise<CacheProbe | undefined> {
  if (!cache || routed.blocked || !config.global.stores.response_cache.enabled) return undefined;
  return cache.probe({
    config,
    decision: routed.decision,
    request: routed.request,
    headers,
    ...(routed.embedding ? { embedding: routed.embedding } : {}),
    ...(routed.pii ? { pii: routed.pii } : {}),
  });
}

/** The answer to a hit: the routing headers of the plan that would have served it, the cache headers, the body. */
export function hitAnswer(probe: Extract<CacheProbe, { status: 'hit' }>, routed: RoutedView): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { ...(routed.primary?.responseHeaders ?? {}), ...probe.headers, [HEADERS.RESPONSE_PATH]: 'cache' };
  if (routed.stream) {
    const options = (routed.request as { stream_options?: { include_usage?: unknown } }).stream_options;
    const body = completionSse(probe.completion, { includeUsage: options?.include_usage === true }).join('');
    return { status: 200, headers: { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: completionJson(probe.completion) };
}

/** Parses a non-streamed upstream answer for the cache. */
export function jsonAnswer(status: number, body: Uint8Array | string): CachedCompletion | NotCacheableReason {
  if (status !== 200) return 'status';
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    return 'not_json';
  }
  return cacheableCompletion(parsed);
}

/** Records one upstream answer of a miss; `end` stores it (once) when it is complete and cacheable. */
export interface AnswerRecorder {
  /** A non-streamed body, whole. */
  json(status: number, body: Uint8Array | string): void;
  /** Bytes of a streamed body, as forwarded to the client. */
  chunk(bytes: Uint8Array | string): void;
  /** The stream ended: `ok` when it closed normally (then a `[DONE]` must have been seen). */
  end(ok: boolean): void;
}

/** A recorder for a miss (a no-op for hits and bypasses). `status` is the upstream answer's status. */
export function recorder(probe: CacheProbe | undefined, config: RouterConfig, status: number): AnswerRecorder {
  if (probe?.status !== 'miss') return { json() {}, chunk() {}, end() {} };
  let collector: SseCompletionCollector | undefined;
  let done = false;
  const store = (answer: CachedCompletion | NotCacheableReason) => {
    if (done) return;
    done = true;
    void probe.store(answer);
  };
  return {
    json: (s, body) => store(jsonAnswer(s, body)),
    chunk: (bytes) => {
      if (status !== 200) return;
      (collector ??= new SseCompletionCollector(config.global.stores.response_cache.max_entry_bytes)).push(bytes);
    },
    end: (ok) => store(status !== 200 ? 'status' : ok && collector ? collector.finish() : 'stream_incomplete'),
  };
}
