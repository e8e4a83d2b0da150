/**
 * Prometheus metrics (prom-client), one registry per server instance so several servers can live in one process (tests).
 * @module
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'semroute_' });
  const ms = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
  return {
    registry,
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
  };
}
