/**
 * Classify time vs input size, per stage (issue 19; a benchmark, not a timed test). Prints a Markdown table.
 *
 *   node --conditions=source --import tsx bench/linear.bench.ts [--quick] [--no-model]
 *
 * Input: chat prose with an e-mail address, a phone number and a name every ~300 characters, repeated to each size.
 * Stages without the model, at 1 KiB … 4 MiB: tokenize (ids + offsets), windows (summary, PII and jailbreak windows),
 * PII post-processing (rules + pattern recognizers + merge, on the model-free span list the rules start from: the
 * pattern matches), keyword matching (the default config's keyword signals plus a regex one), decision (decide()).
 * With the model (onnxruntime-node through @semroute/node-adapter, 2 threads): classify() of the whole text (encoder
 * over every window) up to 256 KiB, and Router.route() with the default config up to 4 MiB, which screens only
 * `global.screening.max_chars` (64,000) characters and so stays flat beyond the cap. Median of 3 runs (1 beyond 256 KiB).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/default-config.js';
import { parseConfig } from '../src/config/parse.js';
import { decide } from '../src/decision/engine.js';
import { ModelTokenizer } from '../src/runtime/tokenizer.js';
import { DEFAULT_WINDOWS, jailbreakWindows, piiWindows, summaryRanges } from '../src/runtime/windows.js';
import { mergePiiSpans, recognizePatterns } from '../src/signals/pii-patterns.js';
import { refinePiiSpans } from '../src/signals/pii-refine.js';
import { matchKeywordsDetailed } from '../src/signals/keywords.js';

const here = dirname(fileURLToPath(import.meta.url));
const MODEL = join(here, '../../../models/semroute-mini');
const quick = process.argv.includes('--quick');
const noModel = process.argv.includes('--no-model');
const KiB = 1024;
const SIZES = quick ? [KiB, 16 * KiB, 256 * KiB, 1024 * KiB] : [KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1024 * KiB, 4096 * KiB];
const MODEL_MAX = 256 * KiB;

const UNIT =
  'Hi, I am planning a trip to Lisbon next spring and would like help with an itinerary. My friend Sarah Collins will join me. ' +
  'You can reach me at sam.taylor@example.com or call 415-555-0132 if anything changes. What museums should we not miss? ';
const textOf = (n: number): string => UNIT.repeat(Math.ceil(n / UNIT.length)).slice(0, n);

const tok = new ModelTokenizer(JSON.parse(readFileSync(join(MODEL, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(MODEL, 'tokenizer_config.json'), 'utf8')));
const parsed = parseConfig({
  ...JSON.parse(JSON.stringify(defaultConfig())),
});
if (!parsed.ok) throw new Error('config');
const kwCfg = parseConfig({
  providers: { models: [{ name: 'm' }], defaults: { default_model: 'm' } },
  routing: { signals: { keywords: [{ name: 'travel', operator: 'OR', keywords: ['itinerary', 'museum', 'flight'] }, { name: 'code', operator: 'OR', keywords: ['re:\\bdef\\s+\\w+\\(', 'stack trace'] }] } },
});
if (!kwCfg.ok) throw new Error('config');
const config = parsed.config;

function median(run: () => unknown, reps: number): number {
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}
async function medianAsync(run: () => Promise<unknown>, reps: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

type Row = Record<string, number | string>;
const rows: Row[] = [];
let classifier: { classify(t: string[]): Promise<unknown>; dispose(): Promise<void> } | undefined;
let router: { route(r: unknown): Promise<unknown>; dispose(): Promise<void> } | undefined;
if (!noModel) {
  // the Node runtime lives in @semroute/node-adapter (onnxruntime-node); loaded from its sources
  const node = (await import(join(here, '../../node-adapter/src/index.ts'))) as {
    createNodeClassifier(o: object): Promise<NonNullable<typeof classifier>>;
    createRouter(o: object): Promise<NonNullable<typeof router>>;
  };
  classifier = await node.createNodeClassifier({ threads: 2 });
  router = await node.createRouter({ threads: 2 });
  await classifier.classify(['warm up']);
}

for (const size of SIZES) {
  const text = textOf(size);
  const reps = size > 256 * KiB ? 1 : 3;
  const row: Row = { size: size >= 1024 * KiB ? `${size / 1024 / KiB} MiB` : `${size / KiB} KiB` };
  const enc = tok.encode(text, true);
  const n = enc.ids.length;
  row.tokens = n;
  row.tokenizeMs = median(() => tok.encode(text, true), reps);
  const windows = (): number => summaryRanges(n, DEFAULT_WINDOWS).length + piiWindows(n, DEFAULT_WINDOWS).length + jailbreakWindows(text, enc.offsets, n, DEFAULT_WINDOWS).length;
  row.windows = windows();
  row.windowsMs = median(windows, reps);
  const patterns = recognizePatterns(text);
  row.piiPostMs = median(() => mergePiiSpans(refinePiiSpans(patterns, text), recognizePatterns(text)), reps);
  row.keywordsMs = median(() => matchKeywordsDetailed(text, kwCfg.config), reps);
  const pii = mergePiiSpans(refinePiiSpans(patterns, text), patterns);
  row.decideMs = median(() => decide(config, { pii, jailbreak: 0.01, categoryScores: { other: 0.9 }, tokenCount: n }), reps);
  if (classifier && size <= MODEL_MAX) row.classifyMs = await medianAsync(() => classifier!.classify([text]), reps);
  if (router) row.routeMs = await medianAsync(() => router!.route({ model: 'auto', messages: [{ role: 'user', content: text }] }), reps);
  rows.push(row);
  console.error(JSON.stringify(row));
}
await classifier?.dispose();
await router?.dispose();

const cols = ['size', 'tokens', 'windows', 'tokenizeMs', 'windowsMs', 'piiPostMs', 'keywordsMs', 'decideMs', 'classifyMs', 'routeMs'];
const fmt = (v: number | string | undefined): string => (v === undefined ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v < 10 ? v.toFixed(2) : v.toFixed(0)) : v);
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end, Node ${process.version}.`);
console.log('');
console.log(`| ${cols.join(' | ')} |`);
console.log(`|${cols.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${cols.map((c) => fmt(r[c])).join(' | ')} |`);
