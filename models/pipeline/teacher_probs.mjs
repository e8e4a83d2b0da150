// Domain probabilities of a model folder's domain tower (heads.json domain `tower`, e.g. semroute-plus's USE-lite tower)
// for a JSONL file's `text` fields: the soft labels train_domain_ood.py --teacher distils into semroute-mini's n-gram
// path. Run the way the runtimes run a tower: its own tokenizer (no special tokens), the summary window (over 128 tokens:
// the first 96 and the last 32), softmax(logits / the tower's temperature); one thread.
// Usage: node teacher_probs.mjs MODEL_DIR IN.jsonl OUT.json   (OUT: {"labels": [...], "probs": [[...], ...]} in input order)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [modelDir, inp, out] = process.argv.slice(2);
if (!out) throw new Error('usage: node teacher_probs.mjs MODEL_DIR IN.jsonl OUT.json');
const ort = createRequire(new URL('../../packages/node-adapter/package.json', import.meta.url))('onnxruntime-node');
const { Tokenizer } = createRequire(new URL('../../packages/core/package.json', import.meta.url))('@huggingface/tokenizers');
const heads = JSON.parse(fs.readFileSync(join(modelDir, 'heads.json'), 'utf8'));
const domain = heads.heads.find((h) => h.name === 'domain');
if (!domain?.tower) throw new Error(`${modelDir}/heads.json: the domain head has no tower`);
const towerDir = join(modelDir, domain.tower.folder);
const towerCfg = JSON.parse(fs.readFileSync(join(towerDir, 'config.json'), 'utf8'));
const labels = Object.keys(towerCfg.id2label).sort((a, b) => a - b).map((k) => towerCfg.id2label[k]);
if (labels.join() !== domain.labels.join()) throw new Error(`${towerDir}/config.json: labels differ from the domain head's`);
const tok = new Tokenizer(JSON.parse(fs.readFileSync(join(towerDir, 'tokenizer.json'), 'utf8')), {});
const texts = fs.readFileSync(inp, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
const sess = await ort.InferenceSession.create(join(towerDir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
const ids = texts.map((t) => {
  const x = tok.encode(t, { add_special_tokens: false }).ids;
  const cut = x.length > 128 ? [...x.slice(0, 96), ...x.slice(x.length - 32)] : x;
  return cut.length ? cut : [0];
});
const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);
const probs = new Array(texts.length);
const temperature = domain.tower.temperature ?? 1;
const t0 = Date.now();
for (let b = 0; b < order.length; b += 64) {
  const idx = order.slice(b, b + 64);
  const T = Math.max(...idx.map((i) => ids[i].length));
  const I = new BigInt64Array(idx.length * T);
  const M = new BigInt64Array(idx.length * T);
  idx.forEach((i, r) => ids[i].forEach((v, k) => { I[r * T + k] = BigInt(v); M[r * T + k] = 1n; }));
  const o = await sess.run({ input_ids: new ort.Tensor('int64', I, [idx.length, T]), attention_mask: new ort.Tensor('int64', M, [idx.length, T]) });
  const logits = o[domain.tower.output].data;
  const n = labels.length;
  idx.forEach((i, r) => {
    const z = Array.from(logits.subarray(r * n, (r + 1) * n), (v) => v / temperature);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, c) => a + c, 0);
    probs[i] = e.map((v) => Number((v / s).toPrecision(5)));
  });
}
fs.writeFileSync(out, JSON.stringify({ labels, probs }));
console.log(`${inp}: ${texts.length} rows in ${(Date.now() - t0) / 1000} s`);
