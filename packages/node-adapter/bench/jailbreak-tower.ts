// Per-prompt cost of semroute-plus's jailbreak tower through the Node runtime (all heads, batch 1, one prompt at a time):
//   domain-tower-only  semroute-plus without its jailbreak tower (heads.json block removed; a linked test folder)
//   shared             semroute-plus as shipped: the domain and jailbreak towers are two outputs of one graph, one
//                      session, one tower run per prompt for both heads
//   two-sessions       the same scores with the jailbreak tower passed as a caller's blended `heads.jailbreak` model, so
//                      it gets a session of its own: two tower runs per prompt (what sharing saves)
// Prints one JSON line with the machine's load average. Usage: pnpm --filter @semroute/node-adapter bench:jailbreak-tower
// 2026-12-07, 2-core AMD EPYC VM shared with other jobs (load average 3.6-3.8), 122 tokens, two runs, median ms per
// prompt: domain-tower-only 20.9 / 19.5, shared 21.9 / 21.3, two-sessions 34.7 / 35.0 (CPU ms per call 24 / 23, 24 / 22,
// 36 / 36): the jailbreak output adds about 1-2 ms on the shared graph; a second session would add about 14.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createNodeClassifier } from '@semroute/node-adapter';
import { parseModelSpec, towerOf } from '@semroute/core/runtime-kit';
import { PLUS, makeJailbreakTowerModel, removeJailbreakTowerModels } from '../test/runtime/jailbreak-tower-fixture.js';

const RUNS = 60;
// ~128 model tokens of ordinary prose.
const text = Array.from({ length: 5 }, (_, i) => `Question ${i + 1}: how does the central bank's interest rate decision change what a small business pays on a variable loan?`).join(' ');
const domainOnly = makeJailbreakTowerModel(null);
const out: Record<string, unknown> = { load_average_1m_before: +loadavg()[0]!.toFixed(2), runs: RUNS, threads: 2 };
try {
  const json = (f: string): unknown => JSON.parse(readFileSync(join(PLUS, f), 'utf8'));
  const jb = towerOf(parseModelSpec(json('config.json'), json('heads.json')), 'jailbreak');
  if (!jb) throw new Error('semroute-plus has no jailbreak tower (heads.json): nothing to measure');
  const configs = {
    'domain-tower-only': () => createNodeClassifier({ model: domainOnly, threads: 2 }),
    shared: () => createNodeClassifier({ model: PLUS, threads: 2 }),
    'two-sessions': () =>
      createNodeClassifier({
        model: PLUS,
        threads: 2,
        heads: { jailbreak: { model: join(PLUS, jb.folder), output: jb.output, temperature: jb.temperature, labels: ['benign', 'jailbreak'], blend: jb.blend } },
      }),
  };
  const scores: number[] = [];
  for (const [name, make] of Object.entries(configs)) {
    const c = await make();
    const [first] = await c.classify([text]);
    out.tokens = first!.tokenCount;
    if (name !== 'domain-tower-only') scores.push(first!.jailbreak);
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
