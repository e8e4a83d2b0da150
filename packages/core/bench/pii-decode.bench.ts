/**
 * ms per PII decode (decodePii over one prompt's token logits, 35 BIO labels): chunk vote over each token's argmax vs
 * over the Viterbi label sequence (the shipped model's `viterbi_chunk_vote_bio`), at 16 / 128 / 512 tokens. Logits
 * are seeded random numbers, so many tokens look like entity pieces: a worst case for the span logic.
 * Run: cd packages/core && node --conditions=source --import tsx bench/pii-decode.bench.ts
 */
import os from 'node:os';
import { decodePii, parseBioLabels } from '../src/runtime/postprocess.js';

const TYPES = 17;
const labels = parseBioLabels(['O', ...Array.from({ length: TYPES }, (_, k) => [`B-T${k}`, `I-T${k}`]).flat()]);
const L = labels.length;

let seed = 12345;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

function case_(n: number): { logits: Float32Array; offsets: Int32Array; text: string } {
  const logits = Float32Array.from({ length: n * L }, () => random() * 4 - 2);
  const offsets = new Int32Array(2 * n);
  for (let t = 0; t < n; t++) [offsets[2 * t], offsets[2 * t + 1]] = [5 * t, 5 * t + 4];
  return { logits, offsets, text: 'abcd '.repeat(n) };
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}`);
for (const n of [16, 128, 512]) {
  const { logits, offsets, text } = case_(n);
  const continuation = new Uint8Array(n);
  const row: string[] = [];
  for (const viterbi of [false, true]) {
    const run = (): unknown => decodePii(logits, offsets, n, text, { labels, temperature: 1.75, continuation, chunkVote: true, viterbi });
    for (let i = 0; i < 200; i++) run();
    const times: number[] = [];
    for (let r = 0; r < 15; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) run();
      times.push((performance.now() - t0) / 100);
    }
    times.sort((a, b) => a - b);
    row.push(`${viterbi ? 'viterbi' : 'argmax'} ${times[7]!.toFixed(3)} ms`);
  }
  console.log(`${String(n).padStart(3)} tokens: ${row.join(', ')} (median of 15 x 100 decodes)`);
}
