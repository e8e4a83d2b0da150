/**
 * The semantic response cache: vSR's `global.stores.response_cache` + the `response_cache` decision plugin.
 * `createResponseCache(config)` builds one with the in-process memory backend; the Node adapter adds Redis, the
 * browser entry IndexedDB.
 * @module
 */
import type { ResponseCacheConfig } from '../config/schema.js';
import { MemoryCacheStore } from './memory-store.js';
import { ResponseCache, type CacheObserver } from './response-cache.js';
import type { CacheBackend, CacheLimits } from './types.js';

/** The backend limits a config sets. */
export function cacheLimits(cfg: ResponseCacheConfig): CacheLimits {
  return { maxEntries: cfg.max_entries, maxBytes: cfg.max_bytes, ttlMs: cfg.ttl_seconds * 1000, eviction: cfg.eviction_policy };
}

/**
 * A response cache for a config's `global.stores.response_cache`: the given backend, or the memory backend with
 * the config's limits (a `redis` backend_type needs the Node adapter's `createRedisCacheBackend`).
 */
export function createResponseCache(cfg: ResponseCacheConfig, opts: { backend?: CacheBackend; observer?: CacheObserver } = {}): ResponseCache {
  const backend = opts.backend ?? new MemoryCacheStore(cacheLimits(cfg));
  return new ResponseCache({ backend, ...(opts.observer ? { observer: opts.observer } : {}) });
}

export { ResponseCache, cacheBucket, cacheEligibility, canonicalJson, sha256Hex } from './response-cache.js';
export type { CacheBypassReason, CacheObserver, CacheProbe, CacheRequest, CacheStats, ResponseCacheOptions } from './response-cache.js';
export { MemoryCacheStore, utf8Length } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { SseCompletionCollector, cacheableCompletion, completionJson, completionSse } from './answer.js';
export type { CachedChoice, CachedCompletion, NotCacheableReason } from './answer.js';
export { DEFAULT_GUARD, fnv1a32, guardVerdict, promptSignature, stem } from './guard.js';
export type { GuardOptions, GuardVerdict, PromptSignature } from './guard.js';
export { VectorBucket, packInt8, quantize, similarity } from './vector.js';
export type { QuantizedVector, ScanHit } from './vector.js';
export type { CacheBackend, CacheCandidate, CacheEntryData, CacheLimits, CacheSize } from './types.js';
