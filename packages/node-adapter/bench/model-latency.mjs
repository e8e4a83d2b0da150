// Per-prompt latency of semroute-mini vs semroute-plus through the Node runtime (tokenize + inference + post-processing),
// batch 1, one prompt at a time, domain head only and all heads. Prints one JSON line with the machine's load average.
// Usage: node packages/node-adapter/bench/model-latency.mjs   (after `pnpm -r run build`)
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createNodeClassifier } from '@semroute/node-adapter';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// ~128 model tokens of ordinary prose (the mini tokenizer counts it below).
const text = Array.from({ length: 5 }, (_, i) => `Question ${i + 1}: how does the central bank's interest rate decision change what a small business pays on a variable loan?`).join(' ');
const out = { load_average_1m_before: +loadavg()[0].toFixed(2) };
for (const name of ['semroute-mini', 'semroute-plus']) {
  const c = await createNodeClassifier({ model: `${root}models/${name}`, threads: 2 });
  const [probe] = await c.classify([text]);
  out.tokens = probe.tokenCount;
  for (const heads of [['domain'], ['domain', 'jailbreak', 'pii']]) {
    for (let i = 0; i < 10; i++) await c.classify([text], { heads });
    const ts = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      await c.classify([text], { heads });
      ts.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(c0);
    ts.sort((a, b) => a - b);
    out[`${name}:${heads.join('+')}`] = { median_ms: +ts[30].toFixed(2), min_ms: +ts[0].toFixed(2), p90_ms: +ts[54].toFixed(2), cpu_ms_per_call: +((cpu.user + cpu.system) / 1000 / 60).toFixed(2) };
  }
  await c.dispose();
}
out.load_average_1m_after = +loadavg()[0].toFixed(2);
console.log(JSON.stringify(out));
