/**
 * The keyed signal map: every configured signal evaluated once per request. Decision rules only read values
 * here; this is the only place that compares signal values with thresholds. Per config, signal definitions are
 * compiled once into a table (index per `type:name` key) so evaluation allocates one object per signal.
 * @module
 */
import type { RouterConfig, SignalType } from '../config/schema.js';
import type { DomainSource, JailbreakSource, ScoreSources, Signals, TopLabel } from '../signals/types.js';
import type { CategoryTrace, SignalEvaluation } from './types.js';

/** Key of a signal in the map: `type:name`. */
export function signalKey(type: SignalType, name: string): string {
  return `${type}:${name}`;
}

/** A score as the trace shows it: rounded to 4 decimals (the engine, the signal entries and the explanation share it). */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

type Def =
  | { readonly type: 'domain'; readonly name: string; readonly test: string; readonly cats: readonly string[] }
  | { readonly type: 'keyword'; readonly name: string; readonly test: string }
  | { readonly type: 'jailbreak'; readonly name: string; readonly test: string; readonly threshold: number }
  | { readonly type: 'pii'; readonly name: string; readonly test: string; readonly threshold: number; readonly allowed: readonly string[] }
  | { readonly type: 'context'; readonly name: string; readonly test: string; readonly testEstimated: string; readonly min: number; readonly max: number }
  | { readonly type: 'exemplar'; readonly name: string; readonly test: string; readonly threshold: number };

/** Compiled signal table of a config. */
export interface SignalTable {
  readonly defs: readonly Def[];
  /** `type:name` → index into `defs`. */
  readonly index: ReadonlyMap<string, number>;
}

const tables = new WeakMap<object, SignalTable>();

/** The compiled signal table of a config (cached per config object). */
export function signalTable(config: RouterConfig): SignalTable {
  let t = tables.get(config);
  if (t) return t;
  const s = config.routing.signals;
  const defs: Def[] = [];
  for (const d of s.domains) {
    const cats = d.mmlu_categories ?? [d.name];
    defs.push({ type: 'domain', name: d.name, cats, test: `category in [${cats.join(', ')}]` });
  }
  for (const k of s.keywords) defs.push({ type: 'keyword', name: k.name, test: `${k.operator} of ${k.keywords.length} keyword(s)` });
  for (const j of s.jailbreak) defs.push({ type: 'jailbreak', name: j.name, threshold: j.threshold, test: `>= ${j.threshold}` });
  for (const p of s.pii) {
    const threshold = p.threshold ?? config.global.classifier.pii.threshold;
    const allowed = p.pii_types_allowed;
    defs.push({ type: 'pii', name: p.name, threshold, allowed, test: `span score >= ${threshold}${allowed.length ? `, allowed: ${allowed.join(', ')}` : ''}` });
  }
  for (const c of s.context) {
    const test = `tokens in [${c.min_tokens}, ${c.max_tokens ?? '∞'})`;
    defs.push({ type: 'context', name: c.name, min: c.min_tokens, max: c.max_tokens ?? Infinity, test, testEstimated: `${test} (estimated)` });
  }
  for (const e of s.exemplars) defs.push({ type: 'exemplar', name: e.name, threshold: e.threshold, test: `${e.aggregation} similarity >= ${e.threshold}` });
  const index = new Map<string, number>();
  defs.forEach((d, i) => index.set(signalKey(d.type, d.name), i));
  t = { defs, index };
  tables.set(config, t);
  return t;
}

/** Settles the domain category: top classifier category, or the fallback below threshold / without scores. */
export function settleCategory(config: RouterConfig, signals: Signals): CategoryTrace {
  const { threshold, fallback_category } = config.global.classifier.domain;
  const scores = signals.categoryScores;
  let top: string | undefined;
  let topScore = -Infinity;
  if (scores && typeof scores === 'object') {
    for (const k in scores) {
      if (!Object.prototype.hasOwnProperty.call(scores, k)) continue;
      const v = scores[k];
      if (!finite(v)) continue;
      if (v > topScore || (v === topScore && top !== undefined && k < top)) {
        top = k;
        topScore = v;
      }
    }
  }
  if (top === undefined) {
    return { threshold, effective: fallback_category, fallback: true, reason: 'no_scores' };
  }
  const ts = round4(topScore);
  if (topScore < threshold) {
    return {
      top,
      topScore: ts,
      threshold,
      effective: fallback_category,
      fallback: top !== fallback_category,
      reason: 'below_threshold',
    };
  }
  return { top, topScore: ts, threshold, effective: top, fallback: false, reason: 'above_threshold' };
}

/** PII types in `signals` at or above `threshold`, excluding `allowed`, sorted and unique, with the max score. */
const NO_PII: { readonly types: readonly string[]; readonly max: number } = Object.freeze({ types: Object.freeze([] as string[]), max: 0 });

export function piiTypesAbove(
  signals: Signals,
  threshold: number,
  allowed: readonly string[],
): { readonly types: readonly string[]; readonly max: number; readonly recognizers?: readonly string[] } {
  const spans = signals.pii;
  if (!Array.isArray(spans) || spans.length === 0) return NO_PII;
  const types: string[] = [];
  const recognizers: string[] = [];
  let max = 0;
  for (const s of spans) {
    if (!s || !finite(s.score) || s.score < threshold || typeof s.type !== 'string' || allowed.includes(s.type)) continue;
    if (!types.includes(s.type)) types.push(s.type);
    if (typeof s.recognizer === 'string' && !recognizers.includes(s.recognizer)) recognizers.push(s.recognizer);
    if (s.score > max) max = s.score;
  }
  return recognizers.length ? { types: types.sort(), max, recognizers: recognizers.sort() } : { types: types.sort(), max };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const allFinite = (o: Record<string, unknown>, keys: readonly string[]): boolean => keys.every((k) => finite(o[k]));

/** A blend's top label, if it is one of the scored categories (a label, never free text). */
function topLabelOf(x: unknown, scores: Signals['categoryScores']): TopLabel | undefined {
  if (!isObject(x) || typeof x.label !== 'string' || !finite(x.score) || !scores || !Object.prototype.hasOwnProperty.call(scores, x.label)) return undefined;
  return { label: x.label, score: x.score };
}

/**
 * The score sources the trace shows, read from `signals.sources` (see {@link JailbreakSource}, {@link DomainSource}):
 * a fresh copy of each well-formed one (numbers, known kinds, domain labels among the scored categories), nothing for
 * anything else. Pure and total: never throws, whatever `signals` holds.
 */
export function traceSources(signals: Signals): ScoreSources {
  const src: unknown = signals.sources;
  if (!isObject(src)) return {};
  const out: { -readonly [K in keyof ScoreSources]: ScoreSources[K] } = {};
  const jb = src.jailbreak;
  if (isObject(jb)) {
    let j: JailbreakSource | undefined;
    if (jb.kind === 'custom') j = { kind: 'custom' };
    else if (jb.kind === 'model' && allFinite(jb, ['window', 'windows'])) j = { kind: 'model', window: jb.window as number, windows: jb.windows as number };
    else if (jb.kind === 'blend' && allFinite(jb, ['shipped', 'tower', 'weight', 'temperature', 'window', 'windows'])) {
      const n = jb as Record<'shipped' | 'tower' | 'weight' | 'temperature' | 'window' | 'windows', number>;
      j = { kind: 'blend', shipped: n.shipped, tower: n.tower, weight: n.weight, temperature: n.temperature, window: n.window, windows: n.windows };
    }
    if (j) out.jailbreak = Object.freeze(j);
  }
  const dom = src.domain;
  if (isObject(dom)) {
    let d: DomainSource | undefined;
    if (dom.kind === 'model' || dom.kind === 'custom') d = { kind: dom.kind };
    else if (dom.kind === 'blend' && allFinite(dom, ['weight', 'temperature'])) {
      const shipped = topLabelOf(dom.shipped, signals.categoryScores);
      const tower = topLabelOf(dom.tower, signals.categoryScores);
      if (shipped && tower) d = { kind: 'blend', weight: dom.weight as number, temperature: dom.temperature as number, shipped, tower };
    }
    if (d) out.domain = Object.freeze(d);
  }
  return out;
}

/** A rule-tree leaf is the very same object as the signal's evaluation (shared, not copied). */
export type SignalLeaf = SignalEvaluation & { readonly kind: 'condition' };

/** Evaluates all configured signals, aligned with `signalTable(config).defs`. */
export function evaluateSignals(config: RouterConfig, signals: Signals, category: CategoryTrace, sources: ScoreSources = traceSources(signals)): SignalLeaf[] {
  const { defs } = signalTable(config);
  const out: SignalLeaf[] = new Array<SignalLeaf>(defs.length);
  const scores = signals.categoryScores && typeof signals.categoryScores === 'object' ? signals.categoryScores : undefined;
  const hits = Array.isArray(signals.keywordHits) ? signals.keywordHits : [];
  const kwConf = signals.keywordConfidence;
  const jb = signals.jailbreak;
  const jbOk = finite(jb);
  const tc = signals.tokenCount;
  const tcOk = finite(tc);
  const ex = signals.exemplarScores;
  for (let i = 0; i < defs.length; i++) {
    const d = defs[i]!;
    let matched: boolean;
    let confidence: number;
    let value: SignalEvaluation['value'];
    let test = d.test;
    let recognizers: readonly string[] | undefined;
    let source: JailbreakSource | DomainSource | undefined;
    switch (d.type) {
      case 'domain': {
        matched = d.cats.includes(category.effective);
        if (matched) confidence = category.topScore ?? 0;
        else {
          confidence = 0;
          if (scores) for (const c of d.cats) if (finite(scores[c]) && scores[c]! > confidence) confidence = round4(scores[c]!);
        }
        value = category.effective;
        source = sources.domain;
        break;
      }
      case 'keyword': {
        matched = hits.includes(d.name);
        const c = kwConf?.[d.name];
        confidence = matched ? (finite(c) ? round4(c) : 1) : 0;
        value = matched ? 'hit' : 'miss';
        break;
      }
      case 'jailbreak':
        matched = jbOk && jb >= d.threshold;
        confidence = jbOk ? round4(jb) : 0;
        value = jbOk ? confidence : null;
        if (jbOk) source = sources.jailbreak;
        break;
      case 'pii': {
        const above = piiTypesAbove(signals, d.threshold, d.allowed);
        matched = above.types.length > 0;
        confidence = round4(above.max);
        value = above.types;
        recognizers = above.recognizers;
        break;
      }
      case 'context':
        matched = tcOk && tc >= d.min && tc < d.max;
        confidence = matched ? 1 : 0;
        value = tcOk ? tc : null;
        if (signals.tokenCountEstimated) test = d.testEstimated;
        break;
      case 'exemplar': {
        const s = ex?.[d.name];
        matched = finite(s) && s >= d.threshold;
        confidence = finite(s) ? round4(s) : 0;
        value = finite(s) ? confidence : null;
        break;
      }
    }
    out[i] = recognizers
      ? { kind: 'condition', type: d.type, name: d.name, matched, confidence, value, test, recognizers }
      : source
        ? { kind: 'condition', type: d.type, name: d.name, matched, confidence, value, test, source }
        : { kind: 'condition', type: d.type, name: d.name, matched, confidence, value, test };
  }
  return out;
}
