// USE-lite sentence vectors (float32, 512 per row) for a JSONL file's `text` fields, tokenized exactly as the runtime's
// custom-head path does (tokenizer.json through @huggingface/tokenizers, no special tokens; over 128 tokens: the first
// 96 and the last 32, the runtime's summary window; an empty text: one pad token).
// Usage: node embed.mjs WORK IN.jsonl OUT.f32   (WORK has tokenizer.json and use_lite_fp32.onnx, the graph the tower ships)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [work, inp, out] = process.argv.slice(2);
if (!out) throw new Error('usage: node embed.mjs WORK IN.jsonl OUT.f32');
const ort = createRequire(new URL('../../../packages/node-adapter/package.json', import.meta.url))('onnxruntime-node');
const { Tokenizer } = createRequire(new URL('../../../packages/core/package.json', import.meta.url))('@huggingface/tokenizers');
const tok = new Tokenizer(JSON.parse(fs.readFileSync(join(work, 'tokenizer.json'), 'utf8')), {});
const texts = fs.readFileSync(inp, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
const sess = await ort.InferenceSession.create(join(work, 'use_lite_fp32.onnx'), { intraOpNumThreads: 2 });
const ids = texts.map((t) => {
  const x = tok.encode(t, { add_special_tokens: false }).ids;
  const cut = x.length > 128 ? [...x.slice(0, 96), ...x.slice(x.length - 32)] : x;
  return cut.length ? cut : [0];
});
const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);
const res = new Float32Array(texts.length * 512);
const t0 = Date.now();
for (let b = 0; b < order.length; b += 64) {
  const idx = order.slice(b, b + 64);
  const T = Math.max(...idx.map((i) => ids[i].length));
  const I = new BigInt64Array(idx.length * T);
  const M = new BigInt64Array(idx.length * T);
  idx.forEach((i, r) => ids[i].forEach((v, k) => { I[r * T + k] = BigInt(v); M[r * T + k] = 1n; }));
  const o = await sess.run({ input_ids: new ort.Tensor('int64', I, [idx.length, T]), attention_mask: new ort.Tensor('int64', M, [idx.length, T]) });
  idx.forEach((i, r) => res.set(o.sentence_embedding.data.subarray(r * 512, (r + 1) * 512), i * 512));
}
fs.writeFileSync(out, Buffer.from(res.buffer));
console.log(`${inp}: ${texts.length} rows in ${(Date.now() - t0) / 1000} s`);
