// How far two tower graphs' outputs (`logits`, `jailbreak_logits`) lie apart on the OOD suite's texts, in
// onnxruntime-node and in onnxruntime-web's WASM build (the kernels browsers and edge runtimes run), and how far Node and
// WASM lie apart for each graph. Written for fp16_embeddings.py (A = the fp32 graph, B = the same graph with its
// embedding table in float16); any two graphs with the same inputs and outputs compare.
// Usage: node compare_towers.mjs A.onnx B.onnx [--half dev|report] [--limit N]
//   texts: every set of models/eval/suite.mjs, that half's rows (default dev), each cut to the tower's summary window
//   as the runtime does (tower_inputs.mjs); the tokenizer is semroute-plus's tower tokenizer.json.
import { readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ort, runTowerBatches, towerIds } from './tower_inputs.mjs';
import { evalSets, halfOf } from '../../eval/suite.mjs';

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const [graphA, graphB] = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
if (!graphB) throw new Error('usage: node compare_towers.mjs A.onnx B.onnx [--half dev|report] [--limit N]');
const half = opt('--half', 'dev');
const limit = Number(opt('--limit', Infinity));
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const web = createRequire(join(repo, 'packages/core/package.json'))('onnxruntime-web');
web.env.wasm.numThreads = 1;

const texts = [];
for (const set of evalSets(join(repo, '..', 'shared', 'data', 'dev-ood'))) {
  if (!existsSync(set.file)) { console.error(`(skipped ${set.name}: ${set.file} not found)`); continue; }
  for (const line of readFileSync(set.file, 'utf8').split('\n')) if (line.trim()) {
    const row = JSON.parse(line);
    if (halfOf(row) === half) texts.push(row.text);
  }
}
texts.splice(limit);
const tmp = mkdtempSync(join(tmpdir(), 'compare-towers-'));
writeFileSync(join(tmp, 'texts.jsonl'), texts.map((text) => JSON.stringify({ text })).join('\n') + '\n');
const ids = towerIds(join(repo, 'models/semroute-plus/towers/use-lite/tokenizer.json'), join(tmp, 'texts.jsonl'));
rmSync(tmp, { recursive: true });

/** Every row's outputs of one graph on one runtime, by output name (row-major, one Float32Array per output). */
async function outputs(runtime, file) {
  const session = await runtime.InferenceSession.create(runtime === ort ? file : readFileSync(file), runtime === ort ? { intraOpNumThreads: 1 } : {});
  const got = {};
  await runTowerBatches({ run: (feeds) => session.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new runtime.Tensor('int64', t.data, t.dims)]))) }, ids, (o, i, r) => {
    for (const name of session.outputNames) {
      const width = o[name].dims[1];
      got[name] ??= new Float32Array(ids.length * width);
      got[name].set(o[name].data.subarray(r * width, (r + 1) * width), i * width);
    }
  });
  return got;
}
const maxDiff = (x, y) => Object.fromEntries(Object.keys(x).map((k) => [k, x[k].reduce((m, v, j) => Math.max(m, Math.abs(v - y[k][j])), 0)]));

const t0 = Date.now();
const runs = {
  'A node': await outputs(ort, graphA), 'B node': await outputs(ort, graphB),
  'A wasm': await outputs(web, graphA), 'B wasm': await outputs(web, graphB),
};
console.log(`${texts.length} ${half}-half texts, ${(Date.now() - t0) / 1000} s; max |delta| per output:`);
for (const [a, b] of [['A node', 'B node'], ['A wasm', 'B wasm'], ['A node', 'A wasm'], ['B node', 'B wasm']]) {
  console.log(`  ${a} vs ${b}: ${Object.entries(maxDiff(runs[a], runs[b])).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
}
