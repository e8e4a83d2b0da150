// Run an ONNX model (onnxruntime-node, CPU, 2 threads) over batches from a JSON file.
// Usage: node run_onnx.mjs MODEL.onnx IN.json OUT.json [--pii-argmax]
// IN.json: {"batches": [{"input_ids": [[...]], "attention_mask": [[...]]}, ...]}
// OUT.json: {"outputs": [{domain_logits, jailbreak_logits, pii_logits | pii_argmax+pii_prob, pooled}], "ms": [...]}
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';

const [, , modelPath, inPath, outPath, ...flags] = process.argv;
const piiArgmax = flags.includes('--pii-argmax');
const sess = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: Number(process.env.ORT_THREADS || 1), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
const { batches } = JSON.parse(fs.readFileSync(inPath, 'utf8'));
const toTensor = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const unflat = (t) => {
  const d = Array.from(t.data), dims = t.dims;
  const rec = (off, k) => (k === dims.length - 1 ? d.slice(off, off + dims[k]) : Array.from({ length: dims[k] }, (_, i) => rec(off + i * dims.slice(k + 1).reduce((a, b) => a * b, 1), k + 1)));
  return rec(0, 0);
};
const outputs = [], ms = [];
for (const b of batches) {
  const t0 = process.hrtime.bigint();
  const r = await sess.run({ input_ids: toTensor(b.input_ids), attention_mask: toTensor(b.attention_mask) });
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const o = { domain_logits: unflat(r.domain_logits), jailbreak_logits: unflat(r.jailbreak_logits), pooled: unflat(r.pooled) };
  if (piiArgmax) {
    const [B, S, L] = r.pii_logits.dims, d = r.pii_logits.data;
    o.pii_argmax = []; o.pii_prob = [];
    for (let i = 0; i < B; i++) {
      const am = [], pr = [];
      for (let s = 0; s < S; s++) {
        let best = 0, mx = -Infinity;
        const off = (i * S + s) * L;
        for (let l = 0; l < L; l++) if (d[off + l] > mx) { mx = d[off + l]; best = l; }
        am.push(best);
        if (b.full_pii) pr.push(Array.from(d.slice(off, off + L)));
      }
      o.pii_argmax.push(am); o.pii_prob.push(pr);
    }
  } else o.pii_logits = unflat(r.pii_logits);
  outputs.push(o);
}
fs.writeFileSync(outPath, JSON.stringify({ outputs, ms }));
console.error(`run_onnx: ${batches.length} batches, median ${ms.slice().sort((a, b) => a - b)[ms.length >> 1].toFixed(2)} ms`);
