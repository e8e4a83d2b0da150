/**
 * buildSignals: merges classifier outputs, keyword hits and exemplar similarities into the one keyed
 * {@link Signals} object that decide() consumes.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import { matchKeywordsDetailed } from './keywords.js';
import type { ClassifierSignals, Signals } from './types.js';

/** A vector: Float32Array or a plain number array. */
export type Vector = Float32Array | readonly number[];
/** Example-prompt embeddings per exemplar signal name (computed once through the classifier's pooled head). */
export type ExemplarEmbeddings = Readonly<Record<string, readonly Vector[]>>;

/** Cosine similarity; 0 when either vector is zero or lengths differ. */
export function cosine(a: Vector, b: Vector): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  const v = dot / Math.sqrt(na * nb);
  return Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
}

/** Rough token estimate when no classifier counted tokens: ~4 characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Builds the signals for one classified text.
 *
 * @param text the classified text (see `extractClassifiedText`); used here only for keyword matching.
 * @param classifier the classifier's output for `text`, or undefined when no classifier is configured.
 * @param exemplarEmbeddings embeddings of each exemplar signal's examples; with `classifier.pooled` they give
 * `exemplarScores` (max or mean cosine, per the signal's `aggregation`).
 */
export function buildSignals(
  config: RouterConfig,
  text: string,
  classifier: ClassifierSignals | undefined,
  exemplarEmbeddings?: ExemplarEmbeddings,
): Signals {
  const kw = matchKeywordsDetailed(text, config);
  const keywordHits: string[] = [];
  const keywordConfidence: Record<string, number> = {};
  for (const m of kw) {
    if (m.matched) {
      keywordHits.push(m.name);
      keywordConfidence[m.name] = m.confidence;
    }
  }
  let exemplarScores: Record<string, number> | undefined;
  const pooled = classifier?.pooled;
  if (pooled && exemplarEmbeddings && config.routing.signals.exemplars.length) {
    exemplarScores = {};
    for (const ex of config.routing.signals.exemplars) {
      const vecs = exemplarEmbeddings[ex.name];
      if (!vecs || vecs.length === 0) continue;
      let agg = ex.aggregation === 'mean' ? 0 : -1;
      for (const v of vecs) {
        const s = cosine(pooled, v);
        agg = ex.aggregation === 'mean' ? agg + s / vecs.length : Math.max(agg, s);
      }
      exemplarScores[ex.name] = agg;
    }
  }
  const out: {
    -readonly [K in keyof Signals]: Signals[K];
  } = { keywordHits, keywordConfidence };
  if (classifier) {
    out.categoryScores = classifier.categoryScores;
    out.jailbreak = classifier.jailbreak;
    out.pii = classifier.pii;
    out.tokenCount = classifier.tokenCount;
    if (classifier.sources) out.sources = classifier.sources;
  } else {
    out.tokenCount = estimateTokens(text);
    out.tokenCountEstimated = true;
  }
  if (exemplarScores) out.exemplarScores = exemplarScores;
  return out;
}
