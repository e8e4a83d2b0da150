// Domain probabilities of a model folder's domain tower (heads.json domain `tower`, e.g. semroute-plus's USE-lite tower)
// for a JSONL file's `text` fields: the soft labels train_domain_ood.py --teacher distils into semroute-mini's n-gram
// path. Run the way the runtimes run a tower: its own tokenizer and the summary window (use_lite/tower_inputs.mjs),
// softmax(logits / the tower's temperature); one thread.
// Usage: node teacher_probs.mjs MODEL_DIR IN.jsonl OUT.json   (OUT: {"labels": [...], "probs": [[...], ...]} in input order)
import fs from 'node:fs';
import { join } from 'node:path';
import { ort, runTowerBatches, towerIds } from './use_lite/tower_inputs.mjs';

const [modelDir, inp, out] = process.argv.slice(2);
if (!out) throw new Error('usage: node teacher_probs.mjs MODEL_DIR IN.jsonl OUT.json');
const heads = JSON.parse(fs.readFileSync(join(modelDir, 'heads.json'), 'utf8'));
const domain = heads.heads.find((h) => h.name === 'domain');
if (!domain?.tower) throw new Error(`${modelDir}/heads.json: the domain head has no tower`);
const towerDir = join(modelDir, domain.tower.folder);
const towerCfg = JSON.parse(fs.readFileSync(join(towerDir, 'config.json'), 'utf8'));
const labels = Object.keys(towerCfg.id2label).sort((a, b) => a - b).map((k) => towerCfg.id2label[k]);
if (labels.join() !== domain.labels.join()) throw new Error(`${towerDir}/config.json: labels differ from the domain head's`);
const ids = towerIds(join(towerDir, 'tokenizer.json'), inp);
const sess = await ort.InferenceSession.create(join(towerDir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
const probs = new Array(ids.length);
const temperature = domain.tower.temperature ?? 1;
const n = labels.length;
const t0 = Date.now();
await runTowerBatches(sess, ids, (o, i, r) => {
  const z = Array.from(o[domain.tower.output].data.subarray(r * n, (r + 1) * n), (v) => v / temperature);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, c) => a + c, 0);
  probs[i] = e.map((v) => Number((v / s).toPrecision(5)));
});
fs.writeFileSync(out, JSON.stringify({ labels, probs }));
console.log(`${inp}: ${ids.length} rows in ${(Date.now() - t0) / 1000} s`);
