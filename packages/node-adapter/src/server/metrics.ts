/**
 * Prometheus metrics (prom-client), one registry per server instance so several servers can live in one process (tests).
 * @module
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeadlineError, OverloadedError, type RouterQueue } from '@semroute/core';

/**
 * The server's Prometheus metrics (`semroute_*`, served at `/metrics`) in their own registry. Names and help texts:
 * the node-adapter README (`GET /metrics`).
 */
export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'decision' | 'model' | 'response_path' | 'status'>;
  readonly classifyLatency: Histogram<'source'>;
  readonly batchSize: Histogram<'source'>;
  readonly upstreamLatency: Histogram<'model' | 'backend' | 'outcome'>;
  readonly ttft: Histogram<'model'>;
  readonly blocks: Counter<'reason' | 'decision'>;
  readonly upstreamRetries: Counter<'reason'>;
  readonly configReloads: Counter<'result'>;
  /** Response cache lookups by decision and outcome (hit | miss | error). */
  readonly cacheLookups: Counter<'decision' | 'outcome'>;
  readonly cacheLookupLatency: Histogram<'outcome'>;
  /** Requests of a cached decision that skipped the cache, by reason (no_store, temperature, pii, backend_error …). */
  readonly cacheBypass: Counter<'decision' | 'reason'>;
  readonly cacheStores: Counter<'decision' | 'outcome'>;
  readonly cacheEvictions: Counter;
  /** Failed cache backend calls (Redis down, timeout), by operation; the requests went on without the cache. */
  readonly cacheErrors: Counter<'op' | 'code'>;
  /** Entries and bytes held (this process's mirror for Redis). */
  readonly cacheEntries: Gauge;
  readonly cacheBytes: Gauge;
  /** Where the two gauges read the cache's size at scrape time (set by the server's cache). */
  cacheSize: () => { entries: number; bytes: number };
  /** Requests refused by admission control (`global.limits`), by reason (queue_full). */
  readonly admissionRejections: Counter<'reason'>;
  /** Requests whose routing passed `global.limits.routing_deadline_ms`, by action (block | default_model). */
  readonly routingDeadlines: Counter<'action'>;
  /** Where the gauges of the classification queue read from (the live router's queue). */
  queueSource: () => RouterQueue;
}

/** Count what admission control and the routing deadline did to one request (an error thrown by route(), or its result). */
export function countLimits(metrics: Metrics | undefined, outcome: { error: unknown } | { deadlineExceeded?: boolean }): void {
  if (!metrics) return;
  if ('error' in outcome) {
    if (OverloadedError.isError(outcome.error)) metrics.admissionRejections.inc({ reason: 'queue_full' });
    else if (DeadlineError.isError(outcome.error)) metrics.routingDeadlines.inc({ action: 'block' });
  } else if (outcome.deadlineExceeded) metrics.routingDeadlines.inc({ action: 'default_model' });
}

/**
 * A new registry with every semroute metric; `defaultMetrics: false` leaves out prom-client's process metrics
 * (`semroute_process_*`, `semroute_nodejs_*`), which are on by default.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'semroute_' });
  const ms = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
  const m: Metrics = {
    cacheSize: () => ({ entries: 0, bytes: 0 }),
    registry,
    queueSource: () => ({ requests: 0, characters: 0 }),
    requests: new Counter({
      name: 'semroute_requests_total',
      help: 'Requests handled, by decision, selected model and response path (upstream | fast_response | blocked | error).',
      labelNames: ['decision', 'model', 'response_path', 'status'],
      registers: [registry],
    }),
    classifyLatency: new Histogram({
      name: 'semroute_classification_duration_seconds',
      help: 'Time spent in signal extraction + classification + decision for one request or batch.',
      labelNames: ['source'],
      buckets: ms.map((x) => x / 1000),
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'semroute_classify_batch_size',
      help: 'Number of texts per classification call.',
      labelNames: ['source'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    upstreamLatency: new Histogram({
      name: 'semroute_upstream_duration_seconds',
      help: 'Upstream request duration, request sent to last byte.',
      labelNames: ['model', 'backend', 'outcome'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    ttft: new Histogram({
      name: 'semroute_upstream_time_to_first_token_seconds',
      help: 'Time from request sent upstream to the first response body byte.',
      labelNames: ['model'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    blocks: new Counter({
      name: 'semroute_blocks_total',
      help: 'Requests answered by the router itself, by reason (jailbreak | pii | fast_response) and decision.',
      labelNames: ['reason', 'decision'],
      registers: [registry],
    }),
    upstreamRetries: new Counter({
      name: 'semroute_upstream_retries_total',
      help: 'Upstream attempts after a failed one (connect error, 5xx or timeout before the first byte).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    configReloads: new Counter({
      name: 'semroute_config_reloads_total',
      help: 'Config hot reloads, by result (ok | invalid).',
      labelNames: ['result'],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'semroute_cache_lookups_total',
      help: 'Response cache lookups, by decision and outcome (hit | miss | error).',
      labelNames: ['decision', 'outcome'],
      registers: [registry],
    }),
    cacheLookupLatency: new Histogram({
      name: 'semroute_cache_lookup_duration_seconds',
      help: 'Response cache lookup time (bucket hash, vector search, guard, answer fetch), by outcome.',
      labelNames: ['outcome'],
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    cacheBypass: new Counter({
      name: 'semroute_cache_bypass_total',
      help: 'Requests of a cached decision that neither read nor filled the cache, by reason.',
      labelNames: ['decision', 'reason'],
      registers: [registry],
    }),
    cacheStores: new Counter({
      name: 'semroute_cache_stores_total',
      help: 'Upstream answers of cache misses, by outcome (stored | skipped | error).',
      labelNames: ['decision', 'outcome'],
      registers: [registry],
    }),
    cacheEvictions: new Counter({ name: 'semroute_cache_evictions_total', help: 'Response cache entries evicted to stay within max_entries / max_bytes.', registers: [registry] }),
    cacheErrors: new Counter({
      name: 'semroute_cache_errors_total',
      help: 'Failed response cache backend calls (the request went on without the cache), by operation and error code.',
      labelNames: ['op', 'code'],
      registers: [registry],
    }),
    cacheEntries: new Gauge({
      name: 'semroute_cache_entries',
      help: "Response cache entries held (for Redis: this replica's mirror of the shared index).",
      registers: [registry],
      collect() {
        this.set(m.cacheSize().entries);
      },
    }),
    cacheBytes: new Gauge({
      name: 'semroute_cache_bytes',
      help: 'Response cache answer bytes held in this process.',
      registers: [registry],
      collect() {
        this.set(m.cacheSize().bytes);
      },
    }),
    admissionRejections: new Counter({
      name: 'semroute_admission_rejections_total',
      help: 'Requests refused with 429 before any work because the classification queue was full (global.limits.max_queued_requests / max_queued_characters).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    routingDeadlines: new Counter({
      name: 'semroute_routing_deadline_exceeded_total',
      help: 'Requests whose routing passed global.limits.routing_deadline_ms, by what was done (block: 503; default_model: sent unclassified).',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'semroute_classification_queue_requests',
    help: 'Requests being classified now (waiting or running), including ones past their deadline.',
    registers: [registry],
    collect() {
      this.set(m.queueSource().requests);
    },
  });
  new Gauge({
    name: 'semroute_classification_queue_characters',
    help: 'Characters of prompt text being classified now.',
    registers: [registry],
    collect() {
      this.set(m.queueSource().characters);
    },
  });
  return m;
}
