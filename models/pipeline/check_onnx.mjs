// Verify the shipped ONNX graphs against reference/reference_logits.json (torch fp32 outputs) with onnxruntime-node.
// Usage: node check_onnx.mjs <model dir> [--write-int8]   (exit 1 when a tolerance is exceeded)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const dir = process.argv[2] || path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'semroute-mini');
const writeInt8 = process.argv.includes('--write-int8');
const refPath = path.join(dir, 'reference', 'reference_logits.json');
const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
const t64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const result = { checked_at: new Date().toISOString(), onnxruntime_node: '1.30.0', variants: {} };
let ok = true;
const perOut = ref.tolerance.int8_per_output || {};
for (const [variant, file, tol] of [['fp32', 'model.onnx', ref.tolerance.fp32], ['int8', 'model_quantized.onnx', ref.tolerance.int8]]) {
  const recDiff = { domain_logits: 0, jailbreak_logits: 0, pii_logits: 0, pooled: 0 };
  const sess = await ort.InferenceSession.create(path.join(dir, 'onnx', file), { intraOpNumThreads: 2 });
  const maxDiff = { domain_logits: 0, jailbreak_logits: 0, pii_logits: 0, pooled: 0 };
  let argmaxAgree = 0, argmaxTotal = 0;
  for (const c of ref.cases) {
    const r = await sess.run({ input_ids: t64(c.input_ids), attention_mask: t64(c.attention_mask) });
    const B = c.input_ids.length, S = c.input_ids[0].length;
    const got = {};
    for (const name of Object.keys(maxDiff)) {
      const d = r[name].data, want = c.torch_fp32[name];
      const dims = r[name].dims;
      got[name] = [];
      for (let b = 0; b < B; b++) {
        if (name === 'pii_logits') {
          const L = dims[2], rows = [];
          for (let s = 0; s < S; s++) {
            const row = Array.from(d.slice((b * S + s) * L, (b * S + s + 1) * L));
            rows.push(row);
            if (s < c.lengths[b]) for (let l = 0; l < L; l++) maxDiff[name] = Math.max(maxDiff[name], Math.abs(row[l] - want[b][s][l]));
          }
          got[name].push(rows);
        } else {
          const W = dims[1], row = Array.from(d.slice(b * W, (b + 1) * W));
          got[name].push(row);
          for (let l = 0; l < W; l++) maxDiff[name] = Math.max(maxDiff[name], Math.abs(row[l] - want[b][l]));
          if (name !== 'pooled') {
            const am = (a) => a.indexOf(Math.max(...a));
            argmaxTotal++; if (am(row) === am(want[b])) argmaxAgree++;
          }
        }
      }
    }
    if (variant === 'int8' && writeInt8) c.onnx_int8 = got;
    else if (variant === 'int8' && c.onnx_int8) {
      for (const name of Object.keys(recDiff)) {
        const flat = (a) => (Array.isArray(a) ? a.flatMap(flat) : [a]);
        const g = flat(got[name]), w = flat(c.onnx_int8[name]);
        for (let i = 0; i < g.length; i++) recDiff[name] = Math.max(recDiff[name], Math.abs(g[i] - w[i]));
      }
    }
  }
  const tolOf = (name) => (variant === 'int8' && perOut[name] !== undefined ? perOut[name] : tol);
  const pass = Object.entries(maxDiff).every(([k, v]) => v <= tolOf(k));
  const strict = Object.values(maxDiff).every((v) => v <= tol);
  ok = ok && pass;
  result.variants[variant] = { file, tolerance: tol, tolerance_per_output: variant === 'int8' ? perOut : {}, max_abs_diff: maxDiff,
    sequence_head_argmax_agreement: `${argmaxAgree}/${argmaxTotal}`, pass, pass_uniform_tolerance: strict };
  if (variant === 'int8' && !writeInt8 && ref.cases[0].onnx_int8) {
    // Per-output limits: pii_logits drift more across CPU kernels (see the reference file's tolerance_notes).
    const recTol = (name) => ref.tolerance.int8_vs_recorded_per_output?.[name] ?? ref.tolerance.int8_vs_recorded ?? 1e-3;
    const rp = Object.entries(recDiff).every(([k, v]) => v <= recTol(k));
    ok = ok && rp;
    result.variants[variant].vs_recorded_onnx_int8 = { max_abs_diff: recDiff, tolerance: ref.tolerance.int8_vs_recorded ?? 1e-3,
      tolerance_per_output: ref.tolerance.int8_vs_recorded_per_output ?? {}, pass: rp };
  }
  console.log(variant, JSON.stringify(result.variants[variant]));
}
if (writeInt8) fs.writeFileSync(refPath, JSON.stringify(ref));
fs.mkdirSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'work'), { recursive: true });
fs.writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'work', 'check_onnx_result.json'), JSON.stringify(result, null, 1));
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
