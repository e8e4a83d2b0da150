/**
 * Proxy overhead on loopback: mock backend direct vs through semroute (keyword signals only, then with the
 * classifier model), autocannon at a fixed rate. Bounded: 2 s warm-up + DURATION s per scenario.
 *
 *   pnpm --filter @semroute/node-adapter bench            # 500 req/s, 10 s per scenario
 *   RATE=200 DURATION=5 pnpm --filter @semroute/node-adapter bench
 *   PIN=1 pnpm --filter @semroute/node-adapter bench     # load generator on CPU 0, servers on the other CPUs (Linux)
 *   SOAK=300 pnpm --filter @semroute/node-adapter bench  # then 5 minutes of sustained load, RSS sampled every 10 s
 *   TRACES=1 pnpm --filter @semroute/node-adapter bench  # also each proxy with OpenTelemetry traces on (OTLP to a loopback sink)
 *   node packages/node-adapter/bin/semroute.js bench      # same, from the build
 */
import { writeFileSync } from 'node:fs';
import { runBench } from '../src/bench.js';

const report = await runBench({
  durationS: Number(process.env.DURATION ?? 10),
  rate: Number(process.env.RATE ?? 500),
  connections: Number(process.env.CONNECTIONS ?? 50),
  withClassifier: process.env.NO_CLASSIFIER !== '1',
  pin: process.env.PIN === '1',
  soakS: Number(process.env.SOAK ?? 0),
  traces: process.env.TRACES === '1',
});
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(report, null, 2));
