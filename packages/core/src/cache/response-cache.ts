/**
 * The semantic response cache, runtime-agnostic: which requests may use it, the bucket a request belongs to, the
 * lookup (nearest stored prompts of the bucket → lexical guard → stored answer) and the store after a successful
 * answer. The backend (memory, Redis, IndexedDB) only keeps and searches entries. Nothing here logs or exposes
 * prompt text: buckets and scopes are SHA-256 hashes, prompts are kept as hashed word signatures.
 * @module
 */
import type { ResponseCacheConfig, RouterConfig } from '../config/schema.js';
import type { Decision } from '../decision/types.js';
import { HEADERS, getHeader } from '../headers.js';
import type { ChatCompletionRequest, ChatMessage } from '../openai/types.js';
import type { PiiSpan } from '../signals/types.js';
import { type CachedCompletion, type NotCacheableReason, cacheableCompletion } from './answer.js';
import { guardVerdict, promptSignature, type PromptSignature } from './guard.js';
import { utf8Length } from './memory-store.js';
import type { CacheBackend, CacheSize } from './types.js';
import { quantize, type QuantizedVector } from './vector.js';

/** Why a request neither reads nor fills the cache. */
export type CacheBypassReason =
  | 'disabled'
  | 'decision_not_cached'
  | 'passthrough'
  | 'no_store'
  | 'temperature'
  | 'not_text'
  | 'pii'
  | 'no_embedding'
  | 'backend_error';

/** What one request's cache lookup found. */
export type CacheProbe =
  | { readonly status: 'bypass'; readonly reason: CacheBypassReason; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly status: 'hit';
      readonly similarity: number;
      readonly completion: CachedCompletion;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly status: 'miss';
      readonly headers: Readonly<Record<string, string>>;
      /** Stores the upstream answer (a parsed completion, or the reason it is not cacheable). Never throws. */
      readonly store: (answer: CachedCompletion | NotCacheableReason) => Promise<void>;
    };

/** Events for metrics (the Node adapter feeds prom-client with them). Names, numbers and decisions only. */
export interface CacheObserver {
  /** A lookup finished: its outcome, its duration in seconds (search + guard + get), and the hit's similarity. */
  lookup?(e: { readonly decision: string; readonly outcome: 'hit' | 'miss' | 'error'; readonly seconds: number; readonly similarity?: number }): void;
  /** A request that the cache applies to skipped it (`no_store`, `temperature`, `pii`, …; see {@link CacheBypassReason}). */
  bypass?(e: { readonly decision: string; readonly reason: CacheBypassReason }): void;
  /** A miss's answer was stored, skipped (`reason`: why it is not cacheable, or `too_large`), or failed to store. */
  store?(e: { readonly decision: string; readonly outcome: 'stored' | 'skipped' | 'error'; readonly reason?: string }): void;
  /** `n` entries were evicted by the backend to make room for a new one. */
  evicted?(n: number): void;
  /** A backend call failed (`op`: search, get, put); the request went on without the cache. */
  error?(e: { readonly op: 'search' | 'get' | 'put'; readonly code: string }): void;
}

/** Counters kept by every cache (runtimes without a metrics system read them). */
export interface CacheStats extends CacheSize {
  hits: number;
  misses: number;
  errors: number;
  evictions: number;
  stores: number;
  guardRejections: number;
  byDecision: Record<string, { hits: number; misses: number }>;
}

/** The inputs of one lookup: the request as the client sent it, and what routing made of it. */
export interface CacheRequest {
  readonly config: RouterConfig;
  readonly decision: Decision;
  readonly request: ChatCompletionRequest;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The pooled embedding of the classified text (RouteResult.embedding). */
  readonly embedding?: Float32Array | readonly number[];
  /** The PII spans routing detected (RouteResult.signals.pii). */
  readonly pii?: readonly PiiSpan[];
  /**
   * The on-device cache (`router.cache` in the browser): used for every routed decision unless its `response_cache`
   * plugin says `enabled: false`, whatever `global.stores.response_cache.enabled` says; `scope` (the user key) replaces
   * the scope headers.
   */
  readonly device?: { readonly scope: string };
}

/** Candidates checked per lookup (the guard may reject the nearest ones). */
const CANDIDATES = 8;

/** Stable JSON (sorted keys): two clients that order keys differently get one bucket. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SHA-256 of a string, hex (Web Crypto: Node ≥ 20, browsers, workerd, Deno, Bun). */
export async function sha256Hex(s: string): Promise<string> {
  const d = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The text of a message when every part of it is text; undefined for images, audio, files. */
function messageText(m: ChatMessage | undefined): string | undefined {
  if (!m) return undefined;
  if (typeof m.content === 'string') return m.content;
  if (!Array.isArray(m.content)) return undefined;
  let out = '';
  for (const p of m.content) {
    if (p.type !== 'text' || typeof (p as { text?: unknown }).text !== 'string') return undefined;
    out += (out ? '\n' : '') + (p as { text: string }).text;
  }
  return out;
}

/** The enabled `response_cache` plugin of a decision, if any. */
function cachePlugin(decision: Decision) {
  for (const p of decision.plugins) if (p.type === 'response_cache' && p.configuration.enabled) return p;
  return undefined;
}

/** Why a request may not use the cache (before any hashing or search), or its prompt text when it may. */
export function cacheEligibility(r: CacheRequest): { bypass: CacheBypassReason } | { text: string; threshold: number; cfg: ResponseCacheConfig } {
  const cfg = r.config.global.stores.response_cache;
  if (!cfg.enabled && !r.device) return { bypass: 'disabled' };
  const plugin = cachePlugin(r.decision);
  // Applied plugins leave out disabled ones: an explicit `enabled: false` is read from the decision's config.
  const optedOut = r.config.routing.decisions.find((d) => d.name === r.decision.decision)?.plugins.some((p) => p.type === 'response_cache' && !p.configuration.enabled) === true;
  if ((!plugin && !r.device) || optedOut || r.decision.blocked) return { bypass: 'decision_not_cached' };
  if (r.decision.passthrough) return { bypass: 'passthrough' };
  if (cfg.respect_no_store && /(?:^|[\s,])no-store(?:$|[\s,;])/i.test(getHeader(r.headers, 'cache-control') ?? '')) return { bypass: 'no_store' };
  const t = r.request.temperature;
  if (t !== undefined && t !== null && t !== 1 && !cfg.cache_nondefault_temperature) return { bypass: 'temperature' };
  const last = r.request.messages[r.request.messages.length - 1];
  const text = last?.role === 'user' ? messageText(last) : undefined;
  if (text === undefined || text.trim() === '') return { bypass: 'not_text' };
  const piiThreshold = r.config.global.classifier.pii.threshold;
  if ((r.pii ?? []).some((s) => s.score >= piiThreshold && !cfg.pii_types_allowed.includes(s.type))) return { bypass: 'pii' };
  if (!r.embedding || r.embedding.length === 0) return { bypass: 'no_embedding' };
  return { text, threshold: plugin?.configuration.semantic.similarity_threshold ?? cfg.similarity_threshold, cfg };
}

/**
 * The bucket of a request: a hash of its scope (the configured headers' values and the body's `user`), the
 * decision, the model and its reasoning setting, and everything in the request but the last user message's text
 * and the streaming switches (earlier turns, system prompt, tools, sampling parameters). Two requests can only
 * share an answer when all of that is equal.
 */
export async function cacheBucket(r: CacheRequest, cfg: ResponseCacheConfig): Promise<string> {
  const scope = r.device ? ['device', r.device.scope] : cfg.scope_headers.map((h) => getHeader(r.headers, h) ?? null);
  const { messages, stream: _stream, stream_options: _options, model: _model, user, ...params } = r.request as ChatCompletionRequest & Record<string, unknown>;
  const last = messages[messages.length - 1]!;
  const context = { ...params, messages: messages.slice(0, -1), last: { ...last, content: null } };
  const d = r.decision;
  return sha256Hex(canonicalJson({ v: 1, scope, user: user ?? null, decision: d.decision, model: d.model, reasoning: d.use_reasoning ? (d.reasoning_effort ?? 'on') : 'off', context }));
}

/** What a {@link ResponseCache} is built from: the backend that keeps the entries and an optional metrics observer. */
export interface ResponseCacheOptions {
  readonly backend: CacheBackend;
  readonly observer?: CacheObserver;
}

/** The response cache of one router process (or browser tab). */
export class ResponseCache {
  readonly backend: CacheBackend;
  readonly #observer: CacheObserver;
  readonly #stats: Omit<CacheStats, 'entries' | 'bytes'> = { hits: 0, misses: 0, errors: 0, evictions: 0, stores: 0, guardRejections: 0, byDecision: {} };

  constructor(opts: ResponseCacheOptions) {
    this.backend = opts.backend;
    this.#observer = opts.observer ?? {};
  }

  /** A snapshot of this cache's counters (since it was built) and the backend's current size. */
  stats(): CacheStats {
    return { ...this.#stats, byDecision: structuredClone(this.#stats.byDecision), ...this.backend.size() };
  }

  /** Looks a routed request up. Never throws: a failing backend makes the request a bypass (`backend_error`). */
  async probe(r: CacheRequest): Promise<CacheProbe> {
    const decision = r.decision.decision;
    const e = cacheEligibility(r);
    if ('bypass' in e) {
      if (e.bypass === 'disabled' || e.bypass === 'decision_not_cached') return { status: 'bypass', reason: e.bypass, headers: {} };
      this.#observer.bypass?.({ decision, reason: e.bypass });
      return { status: 'bypass', reason: e.bypass, headers: { [HEADERS.CACHE_HIT]: 'false' } };
    }
    const t0 = performance.now();
    const bucket = await cacheBucket(r, e.cfg);
    const vector = quantize(r.embedding!);
    const signature = promptSignature(e.text);
    const found = await this.#find(bucket, vector, signature, e.threshold, e.cfg);
    const seconds = (performance.now() - t0) / 1000;
    const per = (this.#stats.byDecision[decision] ??= { hits: 0, misses: 0 });
    if (found === 'error') {
      this.#stats.errors++;
      this.#observer.lookup?.({ decision, outcome: 'error', seconds });
      this.#observer.bypass?.({ decision, reason: 'backend_error' });
      return { status: 'bypass', reason: 'backend_error', headers: { [HEADERS.CACHE_HIT]: 'false' } };
    }
    if (found) {
      this.#stats.hits++;
      per.hits++;
      this.#observer.lookup?.({ decision, outcome: 'hit', seconds, similarity: found.similarity });
      return {
        status: 'hit',
        similarity: found.similarity,
        completion: found.completion,
        headers: { [HEADERS.CACHE_HIT]: 'true', [HEADERS.CACHE_SIMILARITY]: Math.min(1, found.similarity).toFixed(4) },
      };
    }
    this.#stats.misses++;
    per.misses++;
    this.#observer.lookup?.({ decision, outcome: 'miss', seconds });
    return {
      status: 'miss',
      headers: { [HEADERS.CACHE_HIT]: 'false' },
      store: (answer) => this.#store(answer, { bucket, vector, signature, decision, maxEntryBytes: e.cfg.max_entry_bytes }),
    };
  }

  /** Removes every entry. */
  clear(): Promise<void> {
    return this.backend.clear();
  }

  async #find(
    bucket: string,
    vector: QuantizedVector,
    signature: PromptSignature,
    threshold: number,
    cfg: ResponseCacheConfig,
  ): Promise<{ similarity: number; completion: CachedCompletion } | undefined | 'error'> {
    let candidates;
    try {
      candidates = await this.backend.search(bucket, vector, threshold, CANDIDATES);
    } catch (err) {
      this.#observer.error?.({ op: 'search', code: errorCode(err) });
      return 'error';
    }
    for (const c of candidates) {
      if (cfg.guard.enabled && guardVerdict(signature, c.signature, { maxExtraWords: cfg.guard.max_extra_words })) {
        this.#stats.guardRejections++;
        continue;
      }
      let body: string | undefined;
      try {
        body = await this.backend.get(c.id);
      } catch (err) {
        this.#observer.error?.({ op: 'get', code: errorCode(err) });
        return 'error';
      }
      if (body === undefined) continue; // expired or evicted since the search
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        continue;
      }
      const completion = cacheableCompletion({ object: 'chat.completion', ...(parsed as object) });
      if (typeof completion === 'string') continue;
      return { similarity: c.similarity, completion };
    }
    return undefined;
  }

  async #store(
    answer: CachedCompletion | NotCacheableReason,
    at: { bucket: string; vector: QuantizedVector; signature: PromptSignature; decision: string; maxEntryBytes: number },
  ): Promise<void> {
    if (typeof answer === 'string') {
      this.#observer.store?.({ decision: at.decision, outcome: 'skipped', reason: answer });
      return;
    }
    const body = JSON.stringify(answer);
    if (utf8Length(body) > at.maxEntryBytes) {
      this.#observer.store?.({ decision: at.decision, outcome: 'skipped', reason: 'too_large' });
      return;
    }
    try {
      const { evicted } = await this.backend.put({ bucket: at.bucket, vector: at.vector, signature: at.signature, body, decision: at.decision });
      this.#stats.stores++;
      if (evicted > 0) {
        this.#stats.evictions += evicted;
        this.#observer.evicted?.(evicted);
      }
      this.#observer.store?.({ decision: at.decision, outcome: 'stored' });
    } catch (err) {
      this.#stats.errors++;
      this.#observer.error?.({ op: 'put', code: errorCode(err) });
      this.#observer.store?.({ decision: at.decision, outcome: 'error' });
    }
  }
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') return code.toLowerCase();
  return e instanceof Error ? e.name.toLowerCase() : 'error';
}
