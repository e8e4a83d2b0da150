/**
 * Proxy overhead on loopback: mock backend direct vs through semroute (keyword signals only, then with the
 * classifier model), autocannon at a fixed rate. Bounded: 2 s warm-up + DURATION s per scenario.
 *
 *   pnpm --filter @semroute/node-adapter bench            # 500 req/s, 10 s per scenario
 *   RATE=200 DURATION=5 pnpm --filter @semroute/node-adapter bench
 *   node packages/node-adapter/bin/semroute.js bench      # same, from the build
 */
import { writeFileSync } from 'node:fs';
import { runBench } from '../src/bench.js';

const report = await runBench({
  durationS: Number(process.env.DURATION ?? 10),
  rate: Number(process.env.RATE ?? 500),
  connections: Number(process.env.CONNECTIONS ?? 50),
  withClassifier: process.env.NO_CLASSIFIER !== '1',
});
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(report, null, 2));
