#!/usr/bin/env node
// The out-of-distribution evaluation suite, in one command, through the shipped runtime (`semroute classify`):
//
//   node models/eval/run.mjs                 # development half (select thresholds, checkpoints and rules on this)
//   node models/eval/run.mjs --half report   # report half (look only when reporting; never tune on it)
//   options: --model DIR (default models/semroute-mini), --config FILE, --out DIR (default models/eval/results),
//            --jailbreak-threshold X (default: the shipped default config's), --sets a,b (only these set names),
//            --batch N (prompts in flight per `semroute classify`, default its own 32; 1 makes every score
//            reproducible: batch composition changes the padding and so a score's last digits),
//            --pii-ablation off (skip the per-recognizer PII table; it runs on the dev half only, ~35 more
//            `semroute classify` runs over the PII sets, each at --batch 1 so differences are the recognizer's alone)
//
// Sets: ../shared/data/dev-ood (public sets from sources the model never trained on; see its SOURCES.md) and the
// hand-written sets in models/eval/handwritten/ (never trained on). A row's half is its `split` field where the
// set has one, else a hash of its text (sha256, first byte even → dev), so the halves never change.
// Writes <out>/<half>.json (every figure) and <out>/<half>.md (the tables the model card quotes).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { evalSets, halfOf, withLongDeadline } from './suite.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const args = parseArgs(process.argv.slice(2));
const half = args.half ?? 'dev';
if (!['dev', 'report'].includes(half)) fail(`--half must be dev or report, got ${half}`);
const shared = resolve(args.shared ?? join(repo, '..', 'shared', 'data', 'dev-ood'));
const modelDir = resolve(args.model ?? join(repo, 'models', 'semroute-mini'));
const outDir = resolve(args.out ?? join(here, 'results'));
const cli = join(repo, 'packages', 'node-adapter', 'bin', 'semroute.js');

const SETS = evalSets(shared);

// The model's PII types are the 17 of Presidio's research data generator (as vSR's PII model): the public sets say
// LOCATION where the model says GPE, and the hand-written set says URL (Presidio analyzer's name since it replaced
// its domain recognizer) where the model says DOMAIN_NAME, for the same web addresses.
const PII_TYPE_ALIAS = { GPE: 'LOCATION', DOMAIN_NAME: 'URL' };
// Benign prompts the false-positive rate is chosen on: what real users send (the guide: FPR ≤ 1% there).
const REALISTIC_BENIGN_SOURCES = new Set(['oasst_benign', 'ifeval_benign', 'hw_benign', 'mixed_dev:benign']);

// The config every run uses: --config, or the default config with the routing deadline raised (suite.mjs withLongDeadline).
const evalConfig = args.config ? resolve(args.config) : join(outDir, '.eval-config.yaml');
if (!args.config) {
  const raised = withLongDeadline(readFileSync(join(repo, 'packages/core/config/default.yaml'), 'utf8'));
  if (!raised) fail('cannot find global.limits.routing_deadline_ms in packages/core/config/default.yaml; pass --config');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(evalConfig, raised);
}

const wanted = args.sets ? new Set(args.sets.split(',')) : null;
const sets = SETS.filter((s) => existsSync(s.file) && (!wanted || wanted.has(s.name)));
for (const s of SETS) if (!existsSync(s.file)) console.error(`(skipped: ${s.name}, ${s.file} not found)`);

mkdirSync(outDir, { recursive: true });
const defaultThreshold = Number(args['jailbreak-threshold'] ?? shippedJailbreakThreshold());
const results = { half, model: modelDir, generated: new Date().toISOString(), jailbreak_threshold: defaultThreshold, sets: {} };
const predictions = {};
for (const set of sets) {
  const rows = readJsonl(set.file).filter((r) => halfOf(r) === half);
  predictions[set.name] = { set, rows, preds: classify(rows.map((r) => r.text), set.name) };
}
// Per-row outputs (not committed: results/*.preds/ is git-ignored) for offline analysis such as choosing a mixing weight.
mkdirSync(join(outDir, `${half}.preds`), { recursive: true });
for (const [name, { rows, preds }] of Object.entries(predictions)) {
  writeFileSync(join(outDir, `${half}.preds`, `${name}.jsonl`), rows.map((r, i) => JSON.stringify({ text: r.text, label: r.label ?? r.category ?? null, technique: r.technique ?? null, jailbreak: preds[i].jailbreak?.score ?? null, category: preds[i].category })).join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------------- domain
const domainTables = [];
const domainQualityTables = [];
for (const { set, rows, preds } of Object.values(predictions)) {
  if (set.kind !== 'domain') continue;
  const gold = rows.map((r) => r.category);
  const argmax = preds.map((p) => topOf(p.categoryScores));
  const routed = preds.map((p) => p.category);
  const r = {
    n: rows.length,
    style: set.style,
    accuracy: accuracy(gold, argmax),
    macro_f1: macroF1(gold, argmax),
    accuracy_as_routed: accuracy(gold, routed),
    macro_f1_as_routed: macroF1(gold, routed),
    ece: ece(gold, preds.map((p) => p.categoryScores)),
    per_class_f1: perClassF1(gold, argmax),
    per_source: groupBy(rows, (r) => shortSource(r.source ?? set.name), (idx) => ({ n: idx.length, accuracy: accuracy(idx.map((i) => gold[i]), idx.map((i) => argmax[i])) })),
    // How sure the set's builder was of each label (domain_dev `label_quality` strong / medium / weak, exam_qa_more
    // `label_confidence` high / medium / low; SOURCES.md): a weak label is a mapping such as "LSAT logical reasoning →
    // law", so the figure on the surer labels says how much of the gap is the model and how much the mapping.
    per_label_quality: groupBy(rows, (r) => r.label_quality ?? r.label_confidence ?? 'unrated', (idx) => {
      const g = idx.map((i) => gold[i]);
      const a = idx.map((i) => argmax[i]);
      return { n: idx.length, accuracy: accuracy(g, a), macro_f1: macroF1(g, a) };
    }),
  };
  results.sets[set.name] = r;
  domainTables.push([set.name, set.style, r.n, f3(r.accuracy), f3(r.macro_f1), f3(r.macro_f1_as_routed), f3(r.ece)]);
  for (const [quality, q] of Object.entries(r.per_label_quality)) {
    if (quality !== 'unrated') domainQualityTables.push([set.name, quality, q.n, f3(q.accuracy), f3(q.macro_f1)]);
  }
}

// ---------------------------------------------------------------------------------------------------- jailbreak
const attackScores = [];
const realisticBenignScores = [];
const benignScores = [];
const byTechnique = new Map();
for (const { set, rows, preds } of Object.values(predictions)) {
  if (set.kind !== 'jailbreak') continue;
  rows.forEach((r, i) => {
    const score = preds[i].jailbreak?.score ?? 0;
    const label = r.label ?? 'benign';
    const technique = `${set.name}:${label}:${String(r.technique ?? '-').split(':')[0]}`;
    if (!byTechnique.has(technique)) byTechnique.set(technique, { label, scores: [] });
    byTechnique.get(technique).scores.push(score);
    if (label === 'jailbreak') attackScores.push(score);
    else if (label === 'benign') {
      benignScores.push(score);
      if (set.realistic || REALISTIC_BENIGN_SOURCES.has(`${set.name}:benign`)) realisticBenignScores.push(score);
    }
  });
}
const jailbreakTables = [];
if (attackScores.length || benignScores.length) {
  const chosen = thresholdForFpr(realisticBenignScores, 0.01);
  const at2 = thresholdForFpr(benignScores, 0.02);
  results.jailbreak = {
    attacks: attackScores.length,
    benign: benignScores.length,
    realistic_benign: realisticBenignScores.length,
    roc_auc: rocAuc(attackScores, benignScores),
    at_shipped_threshold: { threshold: defaultThreshold, tpr: rate(attackScores, defaultThreshold), fpr_all_benign: rate(benignScores, defaultThreshold), fpr_realistic: rate(realisticBenignScores, defaultThreshold) },
    threshold_for_realistic_fpr_1pct: chosen,
    at_that_threshold: { tpr: rate(attackScores, chosen), fpr_all_benign: rate(benignScores, chosen), fpr_realistic: rate(realisticBenignScores, chosen) },
    tpr_at_fpr_2pct_all_benign: { threshold: at2, tpr: rate(attackScores, at2) },
    per_technique: {},
  };
  for (const [technique, { label, scores }] of [...byTechnique].sort()) {
    const flagged = rate(scores, defaultThreshold);
    results.jailbreak.per_technique[technique] = { label, n: scores.length, flagged_at_shipped: flagged, flagged_at_chosen: rate(scores, chosen) };
    jailbreakTables.push([technique, label, scores.length, f3(flagged), f3(rate(scores, chosen))]);
  }
}

// ---------------------------------------------------------------------------------------------------- PII
const piiTables = [];
const piiSets = Object.values(predictions).filter(({ set }) => set.kind === 'pii');
for (const { set, rows, preds } of piiSets) {
  const { annotated, micro, per_type } = scorePii(rows, preds);
  results.sets[set.name] = { n: rows.length, types: [...annotated].sort(), micro, per_type };
  piiTables.push([set.name, rows.length, f3(micro.precision), f3(micro.recall), f3(micro.f1), Object.entries(per_type).map(([t, v]) => `${t} ${f3(v.f1)}`).join(', ')]);
}

// Per recognizer (dev half only): the spans it produced (it found them or last changed their type, edges or score)
// and their precision, from the default run; and each set's exact-span F1 with that recognizer switched off
// (global.classifier.pii.recognizers.<name>.enabled: false), against the same run with none off. Every run of this
// table uses --batch 1, so a difference is the recognizer's alone, not batch-dependent score noise.
const recognizerTable = [];
if (half === 'dev' && piiSets.length && args['pii-ablation'] !== 'off') {
  const core = await import(pathToFileURL(join(repo, 'packages/core/dist/index.js')).href);
  const { parseDocument } = await import(pathToFileURL(createRequire(join(repo, 'packages/core/package.json')).resolve('yaml')).href);
  const configText = readFileSync(evalConfig, 'utf8');
  const parsed = core.parseConfig(configText);
  if (!parsed.ok) fail(`the config does not parse: ${JSON.stringify(parsed.errors[0])}`);
  const custom = parsed.config.global.classifier.pii.custom_recognizers.map((c) => ({ name: c.name, kind: 'pattern (custom)' }));
  const switched = parsed.config.global.classifier.pii.recognizers;
  // the model folder's own recognizers: natural_ner when heads.json's pii head names an NER file
  const piiHead = JSON.parse(readFileSync(join(modelDir, 'heads.json'), 'utf8')).heads.find((h) => h.name === 'pii');
  const fromModel = piiHead?.ner ? [{ name: core.NATURAL_NER_RECOGNIZER, kind: 'context-rule (model file)' }] : [];
  const recognizers = [...core.BUILTIN_PII_RECOGNIZERS, ...fromModel, ...custom].filter((r) => switched[r.name]?.enabled !== false);
  const all = piiSets.flatMap(({ set, rows }) => rows.map((row) => ({ set: set.name, row })));
  const scoreRun = (preds) =>
    Object.fromEntries([...piiSets.map(({ set }) => set.name), 'all'].map((name) => {
      const idx = all.map((x, i) => i).filter((i) => name === 'all' || all[i].set === name);
      return [name, scorePii(idx.map((i) => all[i].row), idx.map((i) => preds[i]), name === 'all' ? (i) => all[idx[i]].set : undefined).micro.f1];
    }));
  const runWithout = (name) => {
    const doc = parseDocument(configText);
    if (name) doc.setIn(['global', 'classifier', 'pii', 'recognizers', name], doc.createNode({ enabled: false }));
    const file = join(outDir, `.ablation-${half}.yaml`);
    writeFileSync(file, String(doc));
    try {
      return classify(all.map((x) => x.row.text), `PII without ${name ?? 'nothing'}`, { config: file, batch: 1 });
    } finally {
      rmSync(file, { force: true });
    }
  };
  const reference = scoreRun(runWithout(null));
  // spans and precision per recognizer, from the default run, over every PII set
  const produced = new Map();
  for (const { rows, preds } of piiSets) {
    const { byRecognizer } = scorePii(rows, preds);
    for (const [name, c] of byRecognizer) {
      const p = produced.get(name) ?? { spans: 0, scored: 0, tp: 0 };
      produced.set(name, { spans: p.spans + c.spans, scored: p.scored + c.scored, tp: p.tp + c.tp });
    }
  }
  const setNames = piiSets.map(({ set }) => set.name);
  results.pii_recognizers = { reference_f1: reference, recognizers: {} };
  for (const r of recognizers) {
    const without = scoreRun(runWithout(r.name));
    const p = produced.get(r.name) ?? { spans: 0, scored: 0, tp: 0 };
    const delta = Object.fromEntries(Object.keys(reference).map((k) => [k, without[k] - reference[k]]));
    results.pii_recognizers.recognizers[r.name] = { kind: r.kind, ...p, precision: p.scored ? p.tp / p.scored : null, f1_without: without, delta_f1: delta };
    recognizerTable.push([r.name, r.kind, p.spans, p.scored, p.scored ? f3(p.tp / p.scored) : '–', ...setNames.map((n) => signed(delta[n])), signed(delta.all)]);
  }
  recognizerTable.headers = ['recognizer', 'kind', 'spans', 'scored', 'P', ...setNames.map((n) => `ΔF1 ${n}`), 'ΔF1 all'];
  recognizerTable.reference = reference;
}

writeFileSync(join(outDir, `${half}.json`), JSON.stringify(results, null, 1) + '\n');
const md = [
  `# OOD suite, ${half} half (${results.generated.slice(0, 10)}; model ${modelDir.replace(repo + '/', '')}; \`node models/eval/run.mjs --half ${half}\`)`,
  '',
  '## Domain (argmax; "as routed" applies the low-confidence fallback to `other`)',
  table(['set', 'style', 'n', 'accuracy', 'macro-F1', 'macro-F1 as routed', 'ECE'], domainTables),
  '',
  ...(domainQualityTables.length
    ? ['By how sure the set\'s builder was of the label (`label_quality` / `label_confidence`, `../shared/data/dev-ood/SOURCES.md`; argmax, macro-F1 over the classes present in the slice):', '',
       table(['set', 'label', 'n', 'accuracy', 'macro-F1'], domainQualityTables), '']
    : []),
  '## Jailbreak',
  results.jailbreak
    ? `attacks ${results.jailbreak.attacks}, benign ${results.jailbreak.benign} (realistic ${results.jailbreak.realistic_benign}); ROC-AUC ${f3(results.jailbreak.roc_auc)}; ` +
      `shipped threshold ${defaultThreshold}: TPR ${f3(results.jailbreak.at_shipped_threshold.tpr)}, FPR realistic ${f3(results.jailbreak.at_shipped_threshold.fpr_realistic)}, all benign ${f3(results.jailbreak.at_shipped_threshold.fpr_all_benign)}; ` +
      `threshold for realistic FPR ≤ 1%: ${f3(results.jailbreak.threshold_for_realistic_fpr_1pct)} (TPR ${f3(results.jailbreak.at_that_threshold.tpr)}); TPR at all-benign FPR ≤ 2%: ${f3(results.jailbreak.tpr_at_fpr_2pct_all_benign.tpr)}`
    : '(no jailbreak sets)',
  '',
  table(['set:technique', 'label', 'n', 'flagged at shipped', 'flagged at FPR-1% threshold'], jailbreakTables),
  '',
  '## PII (exact span, types the set annotates; GPE counted as LOCATION, DOMAIN_NAME as URL)',
  table(['set', 'n', 'P', 'R', 'F1', 'F1 per type'], piiTables),
  '',
  ...(recognizerTable.length
    ? [
        '## PII recognizers (dev half; `global.classifier.pii.recognizers`)',
        '',
        "spans: spans at or above the PII threshold the recognizer produced (found, or last changed in type, edges or score), all sets; " +
          "scored: those of a type the set annotates; P: their exact-span precision. ΔF1: the set's exact-span micro-F1 with the recognizer " +
          `switched off minus with every recognizer on (${Object.entries(recognizerTable.reference).map(([k, v]) => `${k} ${f3(v)}`).join(', ')}; ` +
          '`semroute classify --batch 1`); "all" pools the sets. Negative: the recognizer helps.',
        '',
        table(recognizerTable.headers, recognizerTable),
        '',
      ]
    : []),
].join('\n');
writeFileSync(join(outDir, `${half}.md`), md);
console.log(md);

// ---------------------------------------------------------------------------------------------------- helpers
function classify(texts, name, opts = {}) {
  const input = texts.map((text, id) => JSON.stringify({ id, text })).join('\n') + '\n';
  const inFile = join(outDir, `.in-${half}-${name.replace(/\W+/g, '_')}.jsonl`);
  writeFileSync(inFile, input);
  const cliArgs = [cli, 'classify', '--in', inFile, '--model', modelDir];
  const config = opts.config ?? evalConfig;
  if (config) cliArgs.push('--config', config);
  const batch = opts.batch ?? args.batch;
  if (batch) cliArgs.push('--batch', String(batch));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, cliArgs, { encoding: 'utf8', maxBuffer: 1 << 30 });
  rmSync(inFile, { force: true });
  // onnxruntime-node sometimes aborts while the process exits (SIGABRT, "Napi::Error", after the last record and the
  // summary line are written; main's CLI does it too, about 1 run in 4 here): a run whose every record came back counts.
  const finished = /\d+ prompts classified in /.test(r.stderr);
  if (r.status !== 0 && !(r.signal === 'SIGABRT' && finished)) fail(`semroute classify failed on ${name}: ${r.stderr.slice(-2000)}`);
  const out = new Array(texts.length);
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line);
    if (rec.error) fail(`semroute classify: ${name} line ${rec.line}: ${rec.error}`);
    out[rec.id] = rec;
  }
  const missing = out.findIndex((rec, i) => rec === undefined && i < texts.length);
  if (missing >= 0 || out.length !== texts.length) fail(`semroute classify: ${name}: no record for prompt ${missing} (exit ${r.status ?? r.signal})`);
  if (r.status !== 0) console.error(`${name}: semroute classify aborted on exit (${r.signal}) after answering every prompt; kept`);
  console.error(`${name}: ${texts.length} prompts in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}
/**
 * Exact-span scores of PII predictions against `rows`, over the entity types the rows annotate (GPE counted as
 * LOCATION, DOMAIN_NAME as URL): micro P/R/F1, per type, and per recognizer (spans at the threshold the classify record applied, those of
 * scored types, true positives). `setOf(i)`, when rows come from several sets, scores each row on its own set's types.
 */
function scorePii(rows, preds, setOf) {
  const typesOf = new Map();
  rows.forEach((r, i) => {
    const key = setOf ? setOf(i) : '';
    if (!typesOf.has(key)) typesOf.set(key, new Set());
    for (const e of r.entities) if (e.derived === undefined) typesOf.get(key).add(e.type);
  });
  const counts = new Map();
  const byRecognizer = new Map();
  const bump = (type, key) => {
    if (!counts.has(type)) counts.set(type, { tp: 0, fp: 0, fn: 0 });
    counts.get(type)[key]++;
  };
  rows.forEach((r, i) => {
    const annotated = typesOf.get(setOf ? setOf(i) : '');
    const gold = new Set(r.entities.filter((e) => annotated.has(e.type)).map((e) => `${e.type}|${e.start}|${e.end}`));
    const spans = (preds[i].pii ?? []).map((s) => ({ ...s, type: PII_TYPE_ALIAS[s.type] ?? s.type, key: `${PII_TYPE_ALIAS[s.type] ?? s.type}|${utf16(r.text, s.start)}|${utf16(r.text, s.end)}` }));
    const predicted = new Set(spans.filter((s) => annotated.has(s.type)).map((s) => s.key));
    for (const g of gold) bump(g.split('|')[0], predicted.has(g) ? 'tp' : 'fn');
    for (const p of predicted) if (!gold.has(p)) bump(p.split('|')[0], 'fp');
    for (const s of spans) {
      const c = byRecognizer.get(s.recognizer ?? '?') ?? { spans: 0, scored: 0, tp: 0 };
      c.spans++;
      if (annotated.has(s.type)) {
        c.scored++;
        if (gold.has(s.key)) c.tp++;
      }
      byRecognizer.set(s.recognizer ?? '?', c);
    }
  });
  const total = [...counts.values()].reduce((a, c) => ({ tp: a.tp + c.tp, fp: a.fp + c.fp, fn: a.fn + c.fn }), { tp: 0, fp: 0, fn: 0 });
  const annotated = new Set([...typesOf.values()].flatMap((t) => [...t]));
  return { annotated, micro: prf(total), per_type: Object.fromEntries([...counts].sort().map(([t, c]) => [t, prf(c)])), byRecognizer };
}
function signed(x) {
  return Number.isFinite(x) ? (x > 0 ? '+' : x < 0 ? '−' : '±') + Math.abs(x).toFixed(3) : '–';
}
function shippedJailbreakThreshold() {
  const yaml = readFileSync(join(repo, 'packages/core/config/default.yaml'), 'utf8');
  const m = /jailbreak:\s*\n(?:\s*#.*\n)*\s*-\s*\{name:\s*\w+,\s*threshold:\s*([0-9.]+)/.exec(yaml);
  if (!m) fail('cannot find the jailbreak threshold in packages/core/config/default.yaml; pass --jailbreak-threshold');
  return m[1];
}
/** semroute reports PII offsets in code points; the sets use UTF-16 (JavaScript string) offsets. */
function utf16(text, codePointOffset) {
  let units = 0;
  let cps = 0;
  for (const ch of text) {
    if (cps === codePointOffset) return units;
    units += ch.length;
    cps++;
  }
  return units;
}
function readJsonl(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      return fail(`${file}:${i + 1}: ${e.message}`);
    }
  });
}
function topOf(scores) {
  return Object.entries(scores).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}
function accuracy(gold, pred) {
  return gold.length ? gold.filter((g, i) => g === pred[i]).length / gold.length : NaN;
}
function perClassF1(gold, pred) {
  const classes = [...new Set(gold)].sort();
  return Object.fromEntries(classes.map((c) => {
    const tp = gold.filter((g, i) => g === c && pred[i] === c).length;
    const fp = pred.filter((p, i) => p === c && gold[i] !== c).length;
    const fn = gold.filter((g, i) => g === c && pred[i] !== c).length;
    return [c, prf({ tp, fp, fn }).f1];
  }));
}
/** Macro-F1 over the classes present in the gold labels. */
function macroF1(gold, pred) {
  const f = Object.values(perClassF1(gold, pred));
  return f.reduce((a, b) => a + b, 0) / f.length;
}
/** Expected calibration error of the top class, 10 equal-width bins. */
function ece(gold, scoreMaps) {
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, correct: 0 }));
  scoreMaps.forEach((s, i) => {
    const top = topOf(s);
    const b = bins[Math.min(9, Math.floor(s[top] * 10))];
    b.n++;
    b.conf += s[top];
    b.correct += top === gold[i] ? 1 : 0;
  });
  return bins.reduce((a, b) => a + (b.n ? (b.n / gold.length) * Math.abs(b.conf / b.n - b.correct / b.n) : 0), 0);
}
function prf({ tp, fp, fn }) {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { tp, fp, fn, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}
function rate(scores, threshold) {
  return scores.length ? scores.filter((s) => s >= threshold).length / scores.length : NaN;
}
/** The lowest threshold whose false-positive rate on `benign` is at most `fpr` (a score flags when ≥ threshold). */
function thresholdForFpr(benign, fpr) {
  if (!benign.length) return NaN;
  const sorted = [...benign].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length);
  return allowed >= sorted.length ? 0 : sorted[allowed] + 1e-6;
}
function rocAuc(pos, neg) {
  if (!pos.length || !neg.length) return NaN;
  const all = [...pos.map((s) => [s, 1]), ...neg.map((s) => [s, 0])].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const avgRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}
function groupBy(rows, keyOf, summarise) {
  const groups = new Map();
  rows.forEach((r, i) => {
    const k = keyOf(r);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(i);
  });
  return Object.fromEntries([...groups].sort().map(([k, idx]) => [k, summarise(idx)]));
}
function shortSource(s) {
  return String(s).split('@')[0];
}
function f3(x) {
  return Number.isFinite(x) ? x.toFixed(3) : '–';
}
function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) fail(`unexpected argument ${argv[i]} (options: --half, --model, --config, --out, --sets, --jailbreak-threshold, --batch, --pii-ablation)`);
    out[argv[i].slice(2)] = argv[i + 1];
    i++;
  }
  return out;
}
function fail(msg) {
  console.error(`models/eval: ${msg}`);
  process.exit(1);
}
