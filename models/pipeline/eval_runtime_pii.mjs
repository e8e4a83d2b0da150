// PII exact-span figures of what actually ships: the int8 model through @semroute/core's Node runtime (calibrated
// decoding, windows) with and without the pattern recognizers merged in, keeping spans whose score reaches the
// model's default threshold (heads.json pii default_threshold = the default config's global.classifier.pii.threshold,
// which the Router applies). Python's eval (finalize.py) measures the raw model (every decoded span); this measures
// the product.
// Usage: node eval_runtime_pii.mjs <model dir> <pii.jsonl> <out.json>   (needs `pnpm -r run build` for packages/node-adapter/dist)
// SPLIT=val evaluates the validation split instead of the held-out test split (for developing post-processing rules).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { createNodeClassifier } = await import(path.join(here, '..', '..', 'packages', 'node-adapter', 'dist', 'node.js'));
const [, , modelDir, dataPath, outPath] = process.argv;
if (!modelDir || !dataPath || !outPath) {
  console.error('usage: node eval_runtime_pii.mjs <model dir> <pii.jsonl> <out.json>');
  process.exit(2);
}

const split = process.env.SPLIT ?? 'test';
const rows = fs.readFileSync(dataPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.split === split);
const jbPath = path.join(path.dirname(dataPath), 'jailbreak.jsonl');
const benign = fs.existsSync(jbPath)
  ? fs.readFileSync(jbPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.split === split && r.label === 0).map((r) => r.text)
  : [];
const sets = {
  presidio_heldout_templates: rows.filter((r) => !r.src.startsWith('chat-')),
  chat_heldout_phrasings: rows.filter((r) => r.src.startsWith('chat-')),
};

/**
 * Hand-written prompts (handwritten/pii_chat_handwritten.txt: spans marked [[TYPE|text]], '#' lines are comments),
 * parsed into UTF-16 offsets. Reported with the held-out test figures only: SPLIT=val never shows them, so no rule is
 * developed against them.
 */
function parseMarkedPrompts(source) {
  return source.split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((line, i) => {
    let text = '';
    const spans = [];
    let last = 0;
    for (const m of line.matchAll(/\[\[([A-Z_]+)\|([^\]]+)\]\]/g)) {
      text += line.slice(last, m.index);
      spans.push({ type: m[1], start: text.length, end: text.length + m[2].length });
      text += m[2];
      last = m.index + m[0].length;
    }
    text += line.slice(last);
    if (/\[\[|\]\]/.test(text)) throw new Error(`handwritten prompt ${i + 1}: unbalanced [[TYPE|text]] marker in "${line}"`);
    return { text, spans, utf16: true };
  });
}
const handwrittenPath = path.join(here, 'handwritten', 'pii_chat_handwritten.txt');
if (split === 'test' && fs.existsSync(handwrittenPath)) sets.handwritten_chat_prompts = parseMarkedPrompts(fs.readFileSync(handwrittenPath, 'utf8'));

/** Python offsets count code points; JS strings count UTF-16 units. */
function toUtf16(text, spans) {
  const cps = Array.from(text);
  const at = [0];
  for (const c of cps) at.push(at[at.length - 1] + c.length);
  return spans.map((s) => ({ type: s.type, start: at[s.start], end: at[s.end] }));
}

function score(items, preds) {
  const per = {};
  let TP = 0, FP = 0, FN = 0;
  const bump = (t, k) => { per[t] ??= { tp: 0, fp: 0, fn: 0 }; per[t][k]++; };
  items.forEach((r, i) => {
    const gold = new Set((r.utf16 ? r.spans : toUtf16(r.text, r.spans)).map((s) => `${s.type}|${s.start}|${s.end}`));
    const pred = new Set(preds[i].map((s) => `${s.type}|${s.start}|${s.end}`));
    for (const p of pred) { if (gold.has(p)) { TP++; bump(p.split('|')[0], 'tp'); } else { FP++; bump(p.split('|')[0], 'fp'); } }
    for (const g of gold) if (!pred.has(g)) { FN++; bump(g.split('|')[0], 'fn'); }
  });
  const prf = ({ tp, fp, fn }) => {
    const p = tp / Math.max(tp + fp, 1), r = tp / Math.max(tp + fn, 1);
    return { precision: +p.toFixed(4), recall: +r.toFixed(4), f1: +(p + r ? (2 * p * r) / (p + r) : 0).toFixed(4), support: tp + fn };
  };
  return { micro: { ...prf({ tp: TP, fp: FP, fn: FN }), tp: TP, fp: FP, fn: FN }, per_type: Object.fromEntries(Object.entries(per).sort().map(([t, c]) => [t, prf(c)])) };
}

const heads = JSON.parse(fs.readFileSync(path.join(modelDir, 'heads.json'), 'utf8'));
const threshold = heads.heads.find((h) => h.name === 'pii').default_threshold;
const out = { model: path.resolve(modelDir), dtype: 'int8', runtime: '@semroute/node-adapter (onnxruntime-node, CPU)', span_score_threshold: threshold, sets: {} };
for (const piiPatterns of [false, true]) {
  const clf = await createNodeClassifier({ model: modelDir, dtype: 'int8', threads: 2, piiPatterns, warmup: false });
  try {
    for (const [name, items] of Object.entries(sets)) {
      const res = await clf.classify(items.map((r) => r.text), { heads: ['pii'] });
      out.sets[name] ??= { n: items.length };
      out.sets[name][piiPatterns ? 'model_plus_patterns' : 'model_only'] = score(items, res.map((s) => s.pii.filter((x) => x.score >= threshold)));
    }
    // Benign prompts of the same split (jailbreak.jsonl negatives: chat requests, role prompts, clinc queries) that get
    // any PII span: not all are errors (they name real people and places), but a rising figure means noisier redaction.
    if (benign.length > 0) {
      const res = await clf.classify(benign, { heads: ['pii'] });
      const flagged = res.filter((s) => s.pii.some((x) => x.score >= threshold)).length;
      out.benign_prompts_with_any_span ??= { n: benign.length };
      out.benign_prompts_with_any_span[piiPatterns ? 'model_plus_patterns' : 'model_only'] = +(flagged / benign.length).toFixed(4);
    }
  } finally {
    await clf.dispose();
  }
}
fs.writeFileSync(outPath, JSON.stringify(out, null, 1) + '\n');
for (const [name, s] of Object.entries(out.sets)) {
  console.log(`${name} (n=${s.n}): model only F1 ${s.model_only.micro.f1}, model + post-processing F1 ${s.model_plus_patterns.micro.f1}`);
}
if (out.benign_prompts_with_any_span) console.log('benign prompts with any PII span:', JSON.stringify(out.benign_prompts_with_any_span));
