/**
 * Cost of custom PII pattern recognizers (`global.classifier.pii.custom_recognizers`) on one screened prompt of
 * `global.screening.max_chars` (64,000) characters: the worst pattern the limits allow (128 character positions, a
 * thread alive from every start, never matching) and two typical ones. A benchmark, not a timed test; linear growth is
 * proven in src/linear-time.test.ts. Median of 5 runs; prints the machine's load.
 *
 *   node --conditions=source --import tsx bench/pii-custom.bench.ts
 */
import { cpus, loadavg } from 'node:os';
import { customPatternRecognizer } from '../src/signals/pii-custom-recognizers.js';

const CHARS = 64_000;
const cases: [string, string, string][] = [
  ['worst allowed: `[^ ]{1,127}x` (128 positions, never matches)', '[^ ]{1,127}x', 'a'],
  ['employee id: `\\bEMP-\\d{6}\\b` + context words', String.raw`\bEMP-\d{6}\b`, 'EMP-123456 is my employee id. '],
  ['phone-like: `\\+?\\d{1,3}(?:[ .-]?\\d{2,4}){2,4}`', String.raw`\+?\d{1,3}(?:[ .-]?\d{2,4}){2,4}`, 'call +44 20 7946 0958 or 555-0132 today. '],
];
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}\n`);
console.log('| pattern | ms per 64,000 characters | matches |\n|---|---|---|');
for (const [label, regex, unit] of cases) {
  const r = customPatternRecognizer({ name: 'bench', entity: 'BENCH', patterns: [{ regex, score: 0.3 }], context: ['employee', 'call'] });
  const text = unit.repeat(Math.ceil(CHARS / unit.length)).slice(0, CHARS);
  let matches = r.recognize(text).length; // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    matches = r.recognize(text).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${times[2]!.toFixed(0)} | ${matches} |`);
}
