/**
 * Cost of the natural_ner recognizer (`signals/pii-ner.ts`: tokens, 15 hashed features per token, float32 logits,
 * BIO Viterbi) on a chat-sized prompt (300 characters) and on one screened prompt of `global.screening.max_chars`
 * (64,000) characters, over the model's NER file (the shipped one when models/semroute-mini's heads.json names it, else
 * the random-weight test fixture: the cost does not depend on the weights). A benchmark, not a timed test; linear growth
 * is proven in src/linear-time.test.ts. Median of 7 runs; prints the machine's load.
 *
 *   node --conditions=source --import tsx bench/pii-ner.bench.ts
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseNerFile } from '../src/signals/pii-ner.js';

const MINI = new URL('../../../models/semroute-mini/', import.meta.url);
const heads = JSON.parse(readFileSync(new URL('heads.json', MINI), 'utf8')) as { heads: Array<{ name: string; ner?: { file: string } }> };
const shipped = heads.heads.find((h) => h.name === 'pii')?.ner?.file;
const file = shipped ? new URL(shipped, MINI) : new URL('../test/fixtures/ner/random-ner.bin', import.meta.url);
const model = parseNerFile(readFileSync(file));
const UNIT = 'Hi, I am Maria Lopez from Acme Corp in San Francisco; my colleague john smith moved to new york last May. ';
const cases: [string, number][] = [['chat prompt', 300], ['screened prompt (max_chars)', 64_000]];
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
console.log(`NER file: ${file.pathname.replace(/^.*\/(models|packages)\//, '$1/')} (${model.header.buckets} buckets)\n`);
console.log('| text | characters | tokens | ms (median of 7) | spans |\n|---|---|---|---|---|');
for (const [label, chars] of cases) {
  const text = UNIT.repeat(Math.ceil(chars / UNIT.length)).slice(0, chars);
  let spans = model.spans(text).length; // warm-up
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    spans = model.spans(text).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${chars} | ${model.tokens(text).length} | ${times[3]!.toFixed(2)} | ${spans} |`);
}
