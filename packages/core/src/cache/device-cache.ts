/**
 * The cache on the device (`router.cache` in the browser entry): the same response cache as the server's (buckets,
 * guard, what is cached), keyed per user on this origin, for an app that calls an LLM itself. `lookup(request)`
 * routes the request on the device and finds a stored answer; `store(request, completion)` keeps the answer the app
 * got; `clear()` forgets everything. Isomorphic: the browser entry gives it an IndexedDB backend, elsewhere it runs
 * in memory.
 * @module
 */
import type { ChatCompletionRequest } from '../openai/types.js';
import type { Router, RouteResult } from '../router.js';
import { type CachedCompletion, cacheableCompletion } from './answer.js';
import { MemoryCacheStore } from './memory-store.js';
import { type CacheBypassReason, type CacheProbe, type CacheStats, ResponseCache, sha256Hex } from './response-cache.js';
import type { CacheBackend, CacheLimits } from './types.js';

/** Size limits of the device cache (defaults: 500 entries, 8 MiB of answers, 7 days). */
export interface DeviceCacheLimits {
  readonly maxEntries?: number;
  readonly maxBytes?: number;
  readonly ttlSeconds?: number;
  readonly eviction?: 'lru' | 'fifo';
}

export interface DeviceCacheOptions extends DeviceCacheLimits {
  /** Whose cache (an account id, a hashed e-mail …): entries of one user key are never served to another. Default: `''`. */
  readonly userKey?: string;
}

/** The limits a device cache gets for each option left out: 500 entries, 8 MiB of answers, 7 days, LRU eviction. */
export const DEVICE_CACHE_DEFAULTS: Readonly<Required<DeviceCacheLimits>> = Object.freeze({ maxEntries: 500, maxBytes: 8 * 1024 * 1024, ttlSeconds: 7 * 24 * 3600, eviction: 'lru' });

export function deviceLimits(opts: DeviceCacheLimits = {}): CacheLimits {
  const d = { ...DEVICE_CACHE_DEFAULTS, ...opts };
  for (const [k, v] of Object.entries({ maxEntries: d.maxEntries, maxBytes: d.maxBytes, ttlSeconds: d.ttlSeconds })) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`router.cache ${k} must be a non-negative number (got ${String(v)})`);
  }
  return { maxEntries: Math.max(1, Math.floor(d.maxEntries)), maxBytes: Math.max(1024, Math.floor(d.maxBytes)), ttlMs: Math.floor(d.ttlSeconds * 1000), eviction: d.eviction };
}

/** What `router.cache.lookup()` found. */
export interface DeviceLookup {
  readonly hit: boolean;
  /** Similarity to the stored prompt whose answer is served (hits only). */
  readonly similarity?: number;
  /** The stored answer as a `chat.completion` object (hits only). */
  readonly completion?: Record<string, unknown>;
  /** Why the request may not use the cache (no-store, temperature, PII …), when it may not. */
  readonly reason?: CacheBypassReason;
  /** The routing of the request (decision, model, signals). */
  readonly route: RouteResult;
}

/**
 * The response cache on the device for one router: `lookup` routes a request and finds a stored answer, `store`
 * keeps the answer the app got, per user key. Made by `withDeviceCache` (IndexedDB) or {@link memoryDeviceCache}.
 */
export class DeviceCache {
  readonly #router: Router;
  readonly #cache: Promise<ResponseCache>;
  readonly #userKey: string;
  // A lookup's miss keeps its store() for the same request object, so store() needs no second routing.
  readonly #misses = new WeakMap<object, Extract<CacheProbe, { status: 'miss' }>>();

  constructor(router: Router, backend: CacheBackend | Promise<CacheBackend>, opts: { userKey?: string } = {}) {
    this.#router = router;
    this.#userKey = opts.userKey ?? '';
    this.#cache = Promise.resolve(backend).then((b) => new ResponseCache({ backend: b }));
  }

  async #probe(request: ChatCompletionRequest, userKey: string): Promise<{ probe: CacheProbe; route: RouteResult }> {
    // The config's heads plus the two the cache needs (the config may not enable the server cache at all).
    const heads = [...new Set([...this.#router.configHeads(), 'pooled' as const, 'pii' as const])];
    const route = await this.#router.route(request, { heads });
    const cache = await this.#cache;
    const probe = await cache.probe({
      config: this.#router.config,
      decision: route.decision,
      request,
      headers: {},
      ...(route.embedding ? { embedding: route.embedding } : {}),
      ...(route.signals.pii ? { pii: route.signals.pii } : {}),
      device: { scope: await sha256Hex(userKey) },
    });
    return { probe, route };
  }

  /** Routes the request on the device and looks its answer up. */
  async lookup(request: ChatCompletionRequest, opts: { userKey?: string } = {}): Promise<DeviceLookup> {
    const { probe, route } = await this.#probe(request, opts.userKey ?? this.#userKey);
    if (probe.status === 'hit') {
      return { hit: true, similarity: probe.similarity, completion: { object: 'chat.completion', ...probe.completion }, route };
    }
    if (probe.status === 'miss') {
      this.#misses.set(request, probe);
      return { hit: false, route };
    }
    return { hit: false, reason: probe.reason, route };
  }

  /**
   * Stores the answer the app got for `request` (a `chat.completion` object). Returns whether it was stored: not for
   * a request the cache may not hold (see `lookup().reason`), nor an answer that is cut off, a tool call or empty.
   */
  async store(request: ChatCompletionRequest, completion: unknown, opts: { userKey?: string } = {}): Promise<boolean> {
    const answer = cacheableCompletion(completion);
    if (typeof answer === 'string') return false;
    let probe: CacheProbe | undefined = opts.userKey === undefined ? this.#misses.get(request) : undefined;
    this.#misses.delete(request);
    if (!probe) probe = (await this.#probe(request, opts.userKey ?? this.#userKey)).probe;
    if (probe.status !== 'miss') return false;
    await probe.store(answer as CachedCompletion);
    return true;
  }

  /** Forgets every entry (all user keys of this origin). */
  async clear(): Promise<void> {
    await (await this.#cache).clear();
  }

  /** Counters of this cache since it was opened (hits, misses, stores, …) and the backend's entries and bytes. */
  async stats(): Promise<CacheStats> {
    return (await this.#cache).stats();
  }
}

/** A device cache in memory (runtimes without IndexedDB, tests). */
export function memoryDeviceCache(router: Router, opts: DeviceCacheOptions = {}): DeviceCache {
  return new DeviceCache(router, new MemoryCacheStore(deviceLimits(opts)), opts.userKey !== undefined ? { userKey: opts.userKey } : {});
}
