// Latency of the shipped graphs in onnxruntime-node (CPU), batch 1. Prints one JSON line.
// Reports wall-clock median/p90 with 2 intra-op threads, and the CPU time per inference with 1 thread (process CPU time,
// robust to other processes competing for the cores — on an idle machine wall ≈ cpu for 1 thread).
import path from 'node:path';
import * as ort from 'onnxruntime-node';
const dir = process.argv[2];
const out = {};
for (const [variant, file] of [['int8', 'model_quantized.onnx'], ['fp32', 'model.onnx']]) {
  out[variant] = {};
  for (const threads of [2, 1]) {
    const sess = await ort.InferenceSession.create(path.join(dir, 'onnx', file), { intraOpNumThreads: threads, interOpNumThreads: 1 });
    for (const S of [16, 128, 512]) {
      const ids = new BigInt64Array(S).map((_, i) => BigInt(i === 0 ? 2 : i === S - 1 ? 3 : 5 + ((i * 7919) % 12000)));
      const feeds = { input_ids: new ort.Tensor('int64', ids, [1, S]), attention_mask: new ort.Tensor('int64', new BigInt64Array(S).fill(1n), [1, S]) };
      for (let i = 0; i < 5; i++) await sess.run(feeds);
      const ts = [];
      const n = S >= 512 ? 15 : 40;
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) { const t0 = process.hrtime.bigint(); await sess.run(feeds); ts.push(Number(process.hrtime.bigint() - t0) / 1e6); }
      const c = process.cpuUsage(c0);
      ts.sort((a, b) => a - b);
      const key = `tokens_${S}`;
      out[variant][key] = out[variant][key] || {};
      if (threads === 2) Object.assign(out[variant][key], { median: +ts[n >> 1].toFixed(2), p90: +ts[Math.floor(n * 0.9)].toFixed(2), min: +ts[0].toFixed(2) });
      else Object.assign(out[variant][key], { cpu_ms_1thread: +((c.user + c.system) / 1000 / n).toFixed(2), min_1thread: +ts[0].toFixed(2) });
    }
  }
}
console.log(JSON.stringify(out));
