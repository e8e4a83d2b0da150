// USE-lite sentence vectors (float32, 512 per row) for a JSONL file's `text` fields, tokenized exactly as the runtime's
// custom-head path does (tower_inputs.mjs: no special tokens, the summary window over 128 tokens, an empty text one pad
// token).
// Usage: node embed.mjs WORK IN.jsonl OUT.f32 [--windows]   (WORK has tokenizer.json and use_lite_fp32.onnx, the graph the
// tower ships). --windows: one vector per 128-token window (stride 96) instead of the summary window, and OUT.rows.json
// with the row index of each window (for jb_limits.py windows).
import fs from 'node:fs';
import { join } from 'node:path';
import { ort, runTowerBatches, towerIds, towerWindowIds } from './tower_inputs.mjs';

const [work, inp, out, flag] = process.argv.slice(2);
if (!out || (flag && flag !== '--windows')) throw new Error('usage: node embed.mjs WORK IN.jsonl OUT.f32 [--windows]');
const tokenizerFile = join(work, 'tokenizer.json');
const windowed = flag === '--windows' ? towerWindowIds(tokenizerFile, inp) : null;
const ids = windowed ? windowed.ids : towerIds(tokenizerFile, inp);
const sess = await ort.InferenceSession.create(join(work, 'use_lite_fp32.onnx'), { intraOpNumThreads: 2 });
const res = new Float32Array(ids.length * 512);
const t0 = Date.now();
await runTowerBatches(sess, ids, (o, i, r) => res.set(o.sentence_embedding.data.subarray(r * 512, (r + 1) * 512), i * 512));
fs.writeFileSync(out, Buffer.from(res.buffer));
if (windowed) fs.writeFileSync(out.replace(/\.f32$/, '') + '.rows.json', JSON.stringify(windowed.rowOf));
console.log(`${inp}: ${ids.length} ${windowed ? 'windows' : 'rows'} in ${(Date.now() - t0) / 1000} s`);
