// Per-prompt cost of a heads.json jailbreak tower through the Node runtime (all heads, batch 1, one prompt at a time):
//   plus            semroute-plus as shipped (domain tower only)
//   shared          + a jailbreak tower on the same graph (the test fixture: semroute-plus's tower given a jailbreak
//                   output): one session, one tower run per prompt for both heads
//   two-sessions    the same scores with the jailbreak tower passed as a caller's blended `heads.jailbreak` model, so
//                   it gets a session of its own: two tower runs per prompt (what sharing saves)
// Prints one JSON line with the machine's load average. Usage: pnpm --filter @semroute/node-adapter bench:jailbreak-tower
// 2026-12-07, 2-core AMD EPYC VM shared with other jobs (load average 3.3-3.5), 122 tokens, two runs: median ms per
// prompt plus 21.1 / 18.6, shared 21.7 / 13.7, two-sessions 35.2 / 34.9 (CPU ms per call 22 / 28, 22 / 22, 37 / 38).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createNodeClassifier } from '@semroute/node-adapter';
import { FIXTURE_OUTPUT, PLUS, TOWER, makeJailbreakTowerModel, removeJailbreakTowerModels } from '../test/runtime/jailbreak-tower-fixture.js';

const BLEND = { weight: 0.5, temperature: 1.2 };
const RUNS = 60;
// ~128 model tokens of ordinary prose.
const text = Array.from({ length: 5 }, (_, i) => `Question ${i + 1}: how does the central bank's interest rate decision change what a small business pays on a variable loan?`).join(' ');
const dir = makeJailbreakTowerModel({ blend: BLEND });
const out: Record<string, unknown> = { load_average_1m_before: +loadavg()[0]!.toFixed(2), runs: RUNS, threads: 2 };
try {
  const configs = {
    plus: () => createNodeClassifier({ model: PLUS, threads: 2 }),
    shared: () => createNodeClassifier({ model: dir, threads: 2 }),
    'two-sessions': () =>
      createNodeClassifier({
        model: dir,
        threads: 2,
        heads: { jailbreak: { model: join(dir, TOWER), output: FIXTURE_OUTPUT, labels: ['benign', 'jailbreak'], blend: BLEND } },
      }),
  };
  const scores: number[] = [];
  for (const [name, make] of Object.entries(configs)) {
    const c = await make();
    const [probe] = await c.classify([text]);
    out.tokens = probe!.tokenCount;
    if (name !== 'plus') scores.push(probe!.jailbreak);
    for (let i = 0; i < 10; i++) await c.classify([text]);
    const ts: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await c.classify([text]);
      ts.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(c0);
    ts.sort((a, b) => a - b);
    out[name] = { median_ms: +ts[RUNS / 2]!.toFixed(2), min_ms: +ts[0]!.toFixed(2), p90_ms: +ts[Math.floor(RUNS * 0.9)]!.toFixed(2), cpu_ms_per_call: +((cpu.user + cpu.system) / 1000 / RUNS).toFixed(2) };
    await c.dispose();
  }
  // The two ways of loading the jailbreak tower score the same.
  out.same_jailbreak_score = scores[0] === scores[1];
} finally {
  removeJailbreakTowerModels();
}
out.load_average_1m_after = +loadavg()[0]!.toFixed(2);
console.log(JSON.stringify(out));
