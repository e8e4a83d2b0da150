/** Types and the comparison used by both sides of the parity test. */
import type { ScoreSources } from '@semroute/core';

export interface ParityPrompt {
  id: string;
  kind: string;
  messages: Array<{ role: string; content: string }>;
  text: string;
}

export interface ParityResult {
  id: string;
  backend: string;
  categoryScores: Record<string, number>;
  jailbreak: number;
  pii: Array<{ type: string; start: number; end: number; score: number }>;
  pooled: number[];
  tokenCount: number;
  /** How the classifier made the jailbreak and domain scores (`ClassifierSignals.sources`), as it crossed from the worker. */
  sources?: ScoreSources;
  decision: { decision: string; model: string; use_reasoning: boolean; response_path: string; category: string } | { error: string };
}

/** The two calls of `Classifier` / `Router` the parity record needs (satisfied by the Node and the browser entry). */
interface ParityTarget {
  classifier: { readonly backend: string; classify(texts: readonly string[]): Promise<ReadonlyArray<{ backend?: string; categoryScores: Readonly<Record<string, number>>; jailbreak: number; pii: ReadonlyArray<ParityResult['pii'][number]>; pooled?: ArrayLike<number>; tokenCount: number; sources?: ScoreSources }>> };
  router?: { route(request: { model: string; messages: ParityPrompt['messages'] }): Promise<{ decision: { decision: string; model: string; use_reasoning: boolean; response_path: string; category: string } }> };
}

/**
 * Classifies and routes one prompt into the record both sides compare. Node imports it; the page gets it from the
 * bundled parity app (`window.semroute.parityRecord`), so the two records are shaped by the same code.
 */
export async function parityRecord({ classifier, router }: ParityTarget, p: ParityPrompt): Promise<ParityResult> {
  const [s] = await classifier.classify([p.text]);
  let decision: ParityResult['decision'] = { error: 'not routed' };
  if (router) {
    try {
      const d = (await router.route({ model: 'auto', messages: p.messages })).decision;
      decision = { decision: d.decision, model: d.model, use_reasoning: d.use_reasoning, response_path: d.response_path, category: d.category };
    } catch (e) {
      decision = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }
  return {
    id: p.id,
    backend: s!.backend ?? classifier.backend,
    categoryScores: { ...s!.categoryScores },
    jailbreak: s!.jailbreak,
    pii: s!.pii.map((x) => ({ ...x })),
    pooled: Array.from(s!.pooled ?? []),
    tokenCount: s!.tokenCount,
    ...(s!.sources ? { sources: s!.sources } : {}),
    decision,
  };
}

/** Centered log-probabilities: equal to (logits - mean logits) / temperature, so differences are logit differences. */
export function centeredLogits(p: Record<string, number>): Record<string, number> {
  const ks = Object.keys(p).sort();
  const l = ks.map((k) => Math.log(Math.max(p[k]!, 1e-30)));
  const m = l.reduce((a, b) => a + b, 0) / l.length;
  return Object.fromEntries(ks.map((k, i) => [k, l[i]! - m]));
}

export interface Diff {
  id: string;
  what: string;
  a: unknown;
  b: unknown;
}

/** Compares two results; logits within `tol`, spans and decisions identical. */
export function compareResults(a: ParityResult, b: ParityResult, tol: number, checkDecision = true, checkSpans = true): { maxLogitDiff: number; diffs: Diff[] } {
  const diffs: Diff[] = [];
  let maxLogitDiff = 0;
  const ca = centeredLogits(a.categoryScores);
  const cb = centeredLogits(b.categoryScores);
  for (const k of Object.keys(ca)) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(ca[k]! - (cb[k] ?? NaN)));
  const lo = (p: number): number => Math.log(Math.max(p, 1e-30)) - Math.log(Math.max(1 - p, 1e-30));
  maxLogitDiff = Math.max(maxLogitDiff, Math.abs(lo(a.jailbreak) - lo(b.jailbreak)));
  for (let i = 0; i < a.pooled.length; i++) maxLogitDiff = Math.max(maxLogitDiff, Math.abs(a.pooled[i]! - b.pooled[i]!));
  if (!(maxLogitDiff <= tol)) diffs.push({ id: a.id, what: `logits differ by ${maxLogitDiff}`, a: a.categoryScores, b: b.categoryScores });
  if (a.tokenCount !== b.tokenCount) diffs.push({ id: a.id, what: 'tokenCount', a: a.tokenCount, b: b.tokenCount });
  const spans = (r: ParityResult): string => JSON.stringify(r.pii.map((s) => [s.type, s.start, s.end]));
  if (checkSpans && spans(a) !== spans(b)) diffs.push({ id: a.id, what: 'pii spans', a: a.pii, b: b.pii });
  if (checkDecision && JSON.stringify(a.decision) !== JSON.stringify(b.decision)) diffs.push({ id: a.id, what: 'decision', a: a.decision, b: b.decision });
  return { maxLogitDiff, diffs };
}
