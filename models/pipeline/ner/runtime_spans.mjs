// The shipped runtime's PII spans (`semroute classify`, default config) for one half of the OOD suite's PII sets, so
// select_ner.py can simulate the natural_ner recognizer on top of them. Same sets and halves as models/eval/run.mjs.
// Usage: node runtime_spans.mjs OUT.jsonl [--half dev|report] [--model DIR] [--config FILE]
// (default config: natural_ner off, so a model folder that already ships an NER file gives the spans it merges into)
// Rows: {set, text, entities (gold, UTF-16 offsets), pii (runtime spans, code-point offsets, with recognizer and
// `pattern`: whether that recognizer is a pattern recognizer, merged after natural_ner)}.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { evalSets, halfOf, withLongDeadline } from '../../eval/suite.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const shared = resolve(process.env.SEMROUTE_SHARED ?? join(repo, '../shared'), 'data/dev-ood');
const [out, ...rest] = process.argv.slice(2);
const opt = (k, d) => (rest.includes(k) ? rest[rest.indexOf(k) + 1] : d);
const half = opt('--half', 'dev');
const model = resolve(opt('--model', join(repo, 'models/semroute-mini')));
// Without --config: the default config with natural_ner switched off (these are the spans it is merged into) and the
// routing deadline raised (a quality measurement on a possibly loaded machine, not a latency one).
let config = opt('--config');
if (!config) {
  const text = readFileSync(join(repo, 'packages/core/config/default.yaml'), 'utf8').replace('recognizers: {}', 'recognizers: {natural_ner: {enabled: false}}');
  const edited = withLongDeadline(text);
  if (!edited || !text.includes('natural_ner')) throw new Error('cannot find the pii recognizers / routing deadline in packages/core/config/default.yaml; pass --config');
  config = `${out}.config.yaml`;
  writeFileSync(config, edited);
}
const { BUILTIN_PII_RECOGNIZERS } = await import(pathToFileURL(join(repo, 'packages/core/dist/index.js')).href);
const PATTERNS = new Set(BUILTIN_PII_RECOGNIZERS.filter((r) => r.kind === 'pattern').map((r) => r.name));
const lines = [];
for (const { name: set, file } of evalSets(shared).filter((s) => s.kind === 'pii')) {
  if (!existsSync(file)) continue;
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => halfOf(r) === half);
  const inFile = `${out}.in.jsonl`;
  writeFileSync(inFile, rows.map((r, id) => JSON.stringify({ id, text: r.text })).join('\n') + '\n');
  const args = [join(repo, 'packages/node-adapter/bin/semroute.js'), 'classify', '--in', inFile, '--model', model, '--batch', '1'];
  if (config) args.push('--config', resolve(config));
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  rmSync(inFile, { force: true });
  const recs = new Array(rows.length);
  for (const line of r.stdout.split('\n')) if (line.trim()) { const rec = JSON.parse(line); recs[rec.id] = rec; }
  if (recs.filter(Boolean).length !== rows.length) throw new Error(`${set}: classify answered ${recs.filter(Boolean).length}/${rows.length} (exit ${r.status ?? r.signal}): ${r.stderr.slice(-800)}`);
  rows.forEach((row, i) => lines.push(JSON.stringify({ set, text: row.text, entities: row.entities, pii: (recs[i].pii ?? []).map((p) => ({ ...p, pattern: PATTERNS.has(p.recognizer) })) })));
  console.error(`${set}: ${rows.length} rows`);
}
writeFileSync(out, lines.join('\n') + '\n');
