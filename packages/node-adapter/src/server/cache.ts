/**
 * The Node server's response cache: the core's {@link ResponseCache} over the memory backend, or over Redis when
 * `backend_type: redis` (shared by replicas), with its events fed to the Prometheus metrics. Rebuilt when a config
 * reload changes the backend; a reload that only changes limits adjusts the memory backend in place.
 * @module
 */
import { MemoryCacheStore, ResponseCache, cacheLimits, type CacheBackend, type CacheObserver, type ResponseCacheConfig } from '@semroute/core';
import type { Metrics } from './metrics.js';

/** Prometheus counters for the cache's events. */
export function metricsObserver(metrics: Metrics): CacheObserver {
  return {
    lookup: (e) => {
      metrics.cacheLookups.inc({ decision: e.decision, outcome: e.outcome });
      metrics.cacheLookupLatency.observe({ outcome: e.outcome }, e.seconds);
    },
    bypass: (e) => metrics.cacheBypass.inc({ decision: e.decision, reason: e.reason }),
    store: (e) => metrics.cacheStores.inc({ decision: e.decision, outcome: e.outcome }),
    evicted: (n) => metrics.cacheEvictions.inc(n),
    error: (e) => metrics.cacheErrors.inc({ op: e.op, code: e.code }),
  };
}

/** Builds a backend for a config (the Redis one is passed in by the caller that owns its connection factory). */
export type BackendFactory = (cfg: ResponseCacheConfig) => CacheBackend;

/** Keeps one ResponseCache matching the live config. */
export class ServerCache {
  #cache: ResponseCache | undefined;
  #key = '';
  readonly #observer: CacheObserver;
  readonly #redis: BackendFactory | undefined;

  constructor(readonly metrics: Metrics, opts: { redis?: BackendFactory } = {}) {
    this.#observer = metricsObserver(metrics);
    this.#redis = opts.redis;
    metrics.cacheSize = () => this.#cache?.backend.size() ?? { entries: 0, bytes: 0 };
  }

  /** The cache for this config, or undefined when it is disabled. */
  for(cfg: ResponseCacheConfig): ResponseCache | undefined {
    if (!cfg.enabled) return undefined;
    const key = cfg.backend_type === 'redis' ? JSON.stringify(['redis', cfg.redis, cfg.max_entries, cfg.ttl_seconds, cfg.eviction_policy]) : 'memory';
    if (this.#cache && key === this.#key) {
      if (this.#cache.backend instanceof MemoryCacheStore) {
        const evicted = this.#cache.backend.setLimits(cacheLimits(cfg));
        if (evicted) this.metrics.cacheEvictions.inc(evicted);
      }
      return this.#cache;
    }
    const old = this.#cache;
    if (cfg.backend_type === 'redis' && !this.#redis) throw new Error('response_cache backend_type redis needs a Redis backend factory');
    const backend = cfg.backend_type === 'redis' ? this.#redis!(cfg) : new MemoryCacheStore(cacheLimits(cfg));
    this.#cache = new ResponseCache({ backend, observer: this.#observer });
    this.#key = key;
    void old?.backend.close?.();
    return this.#cache;
  }

  get current(): ResponseCache | undefined {
    return this.#cache;
  }

  async close(): Promise<void> {
    await this.#cache?.backend.close?.();
    this.#cache = undefined;
  }
}
