/**
 * Turn eval records into the numbers of the report: the paper's Table 1 per mode (accuracy, mean latency, mean tokens),
 * paired comparisons against a baseline mode (McNemar exact test, bootstrap CIs) and per-category breakdowns.
 * Pure: the same records always give the same summary.
 * @module
 */
import type { EvalRecord } from './records.js';
import { bootstrapCi, mcnemarExact, mean, wilson, type Interval } from './stats.js';

export interface ModeSummary {
  readonly mode: string;
  /** Answered items (status ok); accuracy is over these. */
  readonly n: number;
  /** Items whose request failed for good (excluded from every mean). */
  readonly errors: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly accuracy_ci: Interval;
  /** Answers with no extractable letter (counted as wrong). */
  readonly extraction_failures: number;
  /** Answers whose letter came from the last-letter fallback. */
  readonly extraction_fallbacks: number;
  readonly truncated: number;
  readonly mean_latency_s: number;
  readonly mean_ttft_s: number | null;
  /** Mean completion tokens (reasoning included): the paper's "Avg. Tokens". */
  readonly mean_tokens: number;
  readonly mean_prompt_tokens: number;
  readonly mean_reasoning_tokens: number | null;
  /** Items whose token counts were (partly) estimated because `usage` was missing. */
  readonly tokens_estimated: number;
  /** Share of items sent with reasoning on. */
  readonly reasoning_rate: number;
}

export interface Comparison {
  readonly mode: string;
  readonly baseline: string;
  /** Questions answered in both modes (the paired sample). */
  readonly n_paired: number;
  readonly accuracy: number;
  readonly baseline_accuracy: number;
  readonly delta_accuracy_pp: number;
  readonly delta_accuracy_ci: Interval;
  /** McNemar: b = mode right & baseline wrong, c = mode wrong & baseline right. */
  readonly mcnemar: { readonly b: number; readonly c: number; readonly p: number };
  readonly latency_change_pct: number;
  readonly latency_change_ci: Interval;
  readonly tokens_change_pct: number;
  readonly tokens_change_ci: Interval;
}

export interface CategoryCell {
  readonly n: number;
  readonly accuracy: number;
  readonly accuracy_ci: Interval;
  readonly mean_tokens: number;
  readonly mean_latency_s: number;
  readonly reasoning_rate: number;
}

export interface RoutingSummary {
  readonly mode: string;
  readonly n: number;
  /** Share of items whose routed category equals the true one. */
  readonly category_accuracy: number;
  readonly decisions: Readonly<Record<string, number>>;
}

export interface Summary {
  readonly version: 1;
  readonly token_metric: 'completion_tokens';
  readonly modes: readonly ModeSummary[];
  readonly baseline: string | null;
  readonly comparisons: readonly Comparison[];
  readonly categories: Readonly<Record<string, Readonly<Record<string, CategoryCell>>>>;
  readonly routing: readonly RoutingSummary[];
}

export interface SummaryOptions {
  /** Mode the others are compared with; default `direct-on` when present (the paper's "Direct vLLM"), else the first mode. */
  readonly baseline?: string;
  readonly seed?: number;
  readonly resamples?: number;
}

const ok = (r: EvalRecord) => r.status === 'ok';

const MODE_ORDER = (m: string) => (m === 'direct-off' ? 0 : m === 'direct-on' ? 1 : m.startsWith('direct-on:') ? 2 : m === 'router' ? 3 : 4);

/** Modes present, in a stable order: direct-off, direct-on, direct-on:EFFORT…, router, others (by name). */
export function modesOf(records: readonly EvalRecord[]): string[] {
  return [...new Set(records.map((r) => r.mode))].sort((a, b) => MODE_ORDER(a) - MODE_ORDER(b) || a.localeCompare(b));
}

function modeSummary(mode: string, all: readonly EvalRecord[]): ModeSummary {
  const rs = all.filter((r) => r.mode === mode && ok(r));
  const errors = all.filter((r) => r.mode === mode && !ok(r)).length;
  const correct = rs.filter((r) => r.correct === true).length;
  const ttfts = rs.map((r) => r.ttft_ms).filter((x): x is number => typeof x === 'number');
  const rts = rs.map((r) => r.reasoning_tokens).filter((x): x is number => typeof x === 'number');
  return {
    mode,
    n: rs.length,
    errors,
    correct,
    accuracy: rs.length ? correct / rs.length : Number.NaN,
    accuracy_ci: wilson(correct, rs.length),
    extraction_failures: rs.filter((r) => r.extraction === 'failed').length,
    extraction_fallbacks: rs.filter((r) => r.extraction === 'fallback').length,
    truncated: rs.filter((r) => r.finish_reason === 'length').length,
    mean_latency_s: mean(rs.map((r) => (r.latency_ms ?? 0) / 1000)),
    mean_ttft_s: ttfts.length ? mean(ttfts) / 1000 : null,
    mean_tokens: mean(rs.map((r) => r.completion_tokens ?? 0)),
    mean_prompt_tokens: mean(rs.map((r) => r.prompt_tokens ?? 0)),
    mean_reasoning_tokens: rts.length ? mean(rts) : null,
    tokens_estimated: rs.filter((r) => r.tokens_estimated).length,
    reasoning_rate: rs.length ? rs.filter((r) => r.reasoning).length / rs.length : Number.NaN,
  };
}

function pairUp(records: readonly EvalRecord[], a: string, b: string): [EvalRecord, EvalRecord][] {
  const bs = new Map(records.filter((r) => r.mode === b && ok(r)).map((r) => [r.question_id, r]));
  const out: [EvalRecord, EvalRecord][] = [];
  for (const r of records) {
    if (r.mode !== a || !ok(r)) continue;
    const o = bs.get(r.question_id);
    if (o) out.push([r, o]);
  }
  return out;
}

/** Paired comparison of `mode` against `baseline` over the questions both answered. */
export function compare(records: readonly EvalRecord[], mode: string, baseline: string, opts: SummaryOptions = {}): Comparison {
  const pairs = pairUp(records, mode, baseline);
  const n = pairs.length;
  const ca = pairs.map(([x]) => (x.correct ? 1 : 0));
  const cb = pairs.map(([, y]) => (y.correct ? 1 : 0));
  const la = pairs.map(([x]) => x.latency_ms ?? 0);
  const lb = pairs.map(([, y]) => y.latency_ms ?? 0);
  const ta = pairs.map(([x]) => x.completion_tokens ?? 0);
  const tb = pairs.map(([, y]) => y.completion_tokens ?? 0);
  const bopts = { seed: opts.seed ?? 1, resamples: opts.resamples ?? 2000 };
  const sumIdx = (xs: number[], idx: Uint32Array) => {
    let s = 0;
    for (const i of idx) s += xs[i] as number;
    return s;
  };
  const accA = mean(ca);
  const accB = mean(cb);
  const ratio = (xs: number[], ys: number[]) => (idx: Uint32Array) => (sumIdx(xs, idx) / sumIdx(ys, idx) - 1) * 100;
  const mc = mcnemarExact(ca.map(Boolean), cb.map(Boolean));
  return {
    mode,
    baseline,
    n_paired: n,
    accuracy: accA,
    baseline_accuracy: accB,
    delta_accuracy_pp: (accA - accB) * 100,
    delta_accuracy_ci: bootstrapCi(n, (idx) => ((sumIdx(ca, idx) - sumIdx(cb, idx)) / n) * 100, bopts),
    mcnemar: mc,
    latency_change_pct: (mean(la) / mean(lb) - 1) * 100,
    latency_change_ci: bootstrapCi(n, ratio(la, lb), bopts),
    tokens_change_pct: (mean(ta) / mean(tb) - 1) * 100,
    tokens_change_ci: bootstrapCi(n, ratio(ta, tb), bopts),
  };
}

export function summarize(records: readonly EvalRecord[], opts: SummaryOptions = {}): Summary {
  const modes = modesOf(records);
  const baseline = opts.baseline ?? (modes.includes('direct-on') ? 'direct-on' : (modes[0] ?? null));
  if (opts.baseline && !modes.includes(opts.baseline)) throw new Error(`baseline mode "${opts.baseline}" has no results; modes present: ${modes.join(', ') || 'none'}`);
  const comparisons = baseline ? modes.filter((m) => m !== baseline).map((m) => compare(records, m, baseline, opts)) : [];
  const categories: Record<string, Record<string, CategoryCell>> = {};
  const cats = [...new Set(records.map((r) => r.category))].sort();
  for (const c of cats) {
    categories[c] = {};
    for (const m of modes) {
      const rs = records.filter((r) => r.mode === m && r.category === c && ok(r));
      if (!rs.length) continue;
      const correct = rs.filter((r) => r.correct).length;
      categories[c][m] = {
        n: rs.length,
        accuracy: correct / rs.length,
        accuracy_ci: wilson(correct, rs.length),
        mean_tokens: mean(rs.map((r) => r.completion_tokens ?? 0)),
        mean_latency_s: mean(rs.map((r) => (r.latency_ms ?? 0) / 1000)),
        reasoning_rate: rs.filter((r) => r.reasoning).length / rs.length,
      };
    }
  }
  const routing: RoutingSummary[] = [];
  for (const m of modes) {
    const rs = records.filter((r) => r.mode === m && ok(r) && r.routed_category !== null);
    if (!rs.length) continue;
    const decisions: Record<string, number> = {};
    for (const r of rs) decisions[r.decision ?? '(none)'] = (decisions[r.decision ?? '(none)'] ?? 0) + 1;
    routing.push({ mode: m, n: rs.length, category_accuracy: rs.filter((r) => r.routed_category === r.category).length / rs.length, decisions });
  }
  return { version: 1, token_metric: 'completion_tokens', modes: modes.map((m) => modeSummary(m, records)), baseline, comparisons, categories, routing };
}
