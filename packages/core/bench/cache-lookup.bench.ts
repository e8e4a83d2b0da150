/**
 * Response cache lookup speed (issue 21): the memory backend's search (flat int8 scan of one bucket) at 1k–100k
 * entries, 256 dimensions (the shipped model's pooled size), and a whole ResponseCache.probe (bucket hash, scan,
 * guard, answer) at 100k entries.
 *
 *   node --conditions=source --import tsx bench/cache-lookup.bench.ts [--json bench/results/cache-lookup.json]
 *
 * Random unit vectors: the scan does the same work whatever the vectors are (every slot is scored), so the figures
 * hold for real embeddings; the threshold only changes how many hits are sorted (here: none or one).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { MemoryCacheStore } from '../src/cache/memory-store.js';
import { promptSignature } from '../src/cache/guard.js';
import { quantize } from '../src/cache/vector.js';

const DIM = 256;
let seed = 42;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};
const unit = () => {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = rnd();
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const pctl = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const sig = promptSignature('what is the capital of france');

const results: Record<string, unknown>[] = [];
for (const n of [1_000, 10_000, 100_000]) {
  const store = new MemoryCacheStore({ maxEntries: n, maxBytes: 1 << 30, ttlMs: 0, eviction: 'lru' });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) store.putSync({ bucket: 'b', vector: quantize(unit()), signature: sig, body: '{"model":"m","choices":[]}', decision: 'd' });
  const putUs = ((performance.now() - t0) * 1000) / n;
  const queries = Array.from({ length: 50 }, () => quantize(unit()));
  for (const q of queries.slice(0, 5)) store.searchSync('b', q, 0.85, 8); // warm-up
  const times: number[] = [];
  for (let r = 0; r < 4; r++) {
    for (const q of queries) {
      const s = performance.now();
      store.searchSync('b', q, 0.85, 8);
      times.push(performance.now() - s);
    }
  }
  const row = { entries_in_bucket: n, search_ms_p50: +pctl(times, 0.5).toFixed(3), search_ms_p99: +pctl(times, 0.99).toFixed(3), put_us_mean: +putUs.toFixed(2), heap_mib: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0) };
  results.push(row);
  console.log(row);
}
const report = { machine: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}`, load_average_1m: +loadavg()[0]!.toFixed(2), dim: DIM, results };
const out = process.argv.indexOf('--json');
if (out > 0 && process.argv[out + 1]) writeFileSync(process.argv[out + 1]!, `${JSON.stringify(report, null, 2)}\n`);
console.log(report.machine, 'load', report.load_average_1m);
