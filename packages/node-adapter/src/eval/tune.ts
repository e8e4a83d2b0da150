/**
 * Choose, per category, whether to reason (and at which effort) from measured eval results: maximise
 * accuracy − λ·cost under an optional per-query budget, and only move a category off its default setting when the
 * paired evidence says the move helps (confidence interval of the per-question utility gain above zero).
 * Pure: records and the default policy in, a policy with reasons and predictions out.
 * @module
 */
import type { EvalRecord } from './records.js';
import { mean, normalQuantile, pairedDiffCi, wilson, type Interval } from './stats.js';

/** One reasoning setting: what a decision's modelRef says. */
export interface Setting {
  readonly use_reasoning: boolean;
  /** Effort for effort families; null when the family has only an on/off switch or reasoning is off. */
  readonly effort: string | null;
}

export const OBJECTIVES = Object.freeze(['accuracy', 'balanced', 'cost'] as const);
export type Objective = (typeof OBJECTIVES)[number];
/** λ per objective: accuracy points (pp) given up per 1,000 completion tokens (or per second with cost metric latency). */
export const OBJECTIVE_LAMBDA: Readonly<Record<Objective, number>> = Object.freeze({ accuracy: 0, balanced: 2, cost: 10 });

export interface TuneOptions {
  readonly objective?: Objective;
  /** Overrides the objective's λ. */
  readonly lambda?: number;
  /** Budget on the policy's mean completion tokens per query. */
  readonly maxTokensPerQuery?: number;
  /** Budget on the policy's mean latency per query, in seconds. */
  readonly maxLatencyPerQuery?: number;
  /** Confidence level of the evidence needed to move a category off its default (default 0.95). */
  readonly confidence?: number;
  /** Fewer paired questions than this in a category keeps its default (default 30). */
  readonly minSamples?: number;
}

export interface OptionStats {
  /** Eval mode that measured it, e.g. `direct-off`, `direct-on`, `direct-on:high`. */
  readonly mode: string;
  readonly setting: Setting;
  readonly n: number;
  readonly accuracy: number;
  readonly accuracy_ci: Interval;
  readonly mean_tokens: number;
  readonly mean_latency_s: number;
}

export interface CategoryChoice {
  readonly category: string;
  /** Share of the measured traffic in this category (weights of the predictions). */
  readonly weight: number;
  readonly default: OptionStats;
  readonly chosen: OptionStats;
  readonly changed: boolean;
  /** Utility gain of chosen over default per question (pp − λ·cost), with its CI; absent when not compared. */
  readonly evidence?: { readonly n_paired: number; readonly gain: number; readonly lo: number; readonly hi: number };
  readonly options: readonly OptionStats[];
  /** One line, written as a YAML comment next to the category's decision. */
  readonly reason: string;
}

export interface PolicyPrediction {
  readonly accuracy: number;
  readonly accuracy_ci: Interval;
  readonly mean_tokens: number;
  readonly mean_latency_s: number;
}

export interface TuneResult {
  readonly objective: Objective;
  /** λ asked for, and λ used after tightening to meet a budget. */
  readonly lambda: number;
  readonly lambda_effective: number;
  readonly cost_metric: 'tokens' | 'latency';
  readonly budget: { readonly max_tokens_per_query?: number; readonly max_latency_per_query?: number; readonly met: boolean };
  readonly confidence: number;
  readonly min_samples: number;
  readonly choices: readonly CategoryChoice[];
  readonly predicted: { readonly tuned: PolicyPrediction; readonly default: PolicyPrediction };
  readonly notes: readonly string[];
}

export class TuneError extends Error {
  override readonly name = 'TuneError';
}

const settingKey = (s: Setting) => (s.use_reasoning ? `on${s.effort ? `:${s.effort}` : ''}` : 'off');
export const describeSetting = (s: Setting) => (s.use_reasoning ? `reasoning on${s.effort ? ` (effort ${s.effort})` : ''}` : 'reasoning off');

interface Cell {
  readonly stats: OptionStats;
  readonly byQ: ReadonlyMap<string, EvalRecord>;
}

function optionStats(mode: string, setting: Setting, rs: readonly EvalRecord[]): OptionStats {
  const correct = rs.filter((r) => r.correct).length;
  return {
    mode,
    setting,
    n: rs.length,
    accuracy: rs.length ? correct / rs.length : Number.NaN,
    accuracy_ci: wilson(correct, rs.length),
    mean_tokens: mean(rs.map((r) => r.completion_tokens ?? 0)),
    mean_latency_s: mean(rs.map((r) => (r.latency_ms ?? 0) / 1000)),
  };
}

/** Group direct-mode records into per-category options. Router-mode records are ignored (their setting is not forced). */
export function measuredOptions(records: readonly EvalRecord[]): Map<string, Cell[]> {
  const groups = new Map<string, Map<string, EvalRecord[]>>();
  const modeOrder: string[] = [];
  for (const r of records) {
    if (r.status !== 'ok' || !r.mode.startsWith('direct-')) continue;
    if (!modeOrder.includes(r.mode)) modeOrder.push(r.mode);
    let byMode = groups.get(r.category);
    if (!byMode) groups.set(r.category, (byMode = new Map()));
    const list = byMode.get(r.mode);
    if (list) list.push(r);
    else byMode.set(r.mode, [r]);
  }
  const out = new Map<string, Cell[]>();
  for (const c of [...groups.keys()].sort()) {
    const byMode = groups.get(c)!;
    const cells: Cell[] = [];
    for (const m of modeOrder) {
      const rs = byMode.get(m);
      if (!rs?.length) continue;
      const first = rs[0]!;
      const setting: Setting = { use_reasoning: first.reasoning, effort: first.reasoning ? first.effort : null };
      cells.push({ stats: optionStats(m, setting, rs), byQ: new Map(rs.map((r) => [r.question_id, r])) });
    }
    out.set(c, cells);
  }
  return out;
}

function findDefault(cells: readonly Cell[], want: Setting): Cell | undefined {
  if (!want.use_reasoning) return cells.find((c) => !c.stats.setting.use_reasoning);
  const on = cells.filter((c) => c.stats.setting.use_reasoning);
  return on.find((c) => c.stats.setting.effort === want.effort) ?? on.find((c) => c.stats.mode === 'direct-on') ?? (on.length === 1 ? on[0] : undefined);
}

/** Policy value when each category gets the given cell. */
function predict(choices: readonly { weight: number; cell: Cell }[], confidence = 0.95): PolicyPrediction {
  let acc = 0;
  let varAcc = 0;
  let tok = 0;
  let lat = 0;
  for (const { weight, cell } of choices) {
    const s = cell.stats;
    acc += weight * s.accuracy;
    varAcc += (weight * weight * s.accuracy * (1 - s.accuracy)) / Math.max(1, s.n);
    tok += weight * s.mean_tokens;
    lat += weight * s.mean_latency_s;
  }
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const half = z * Math.sqrt(varAcc);
  return { accuracy: acc, accuracy_ci: { lo: Math.max(0, acc - half), hi: Math.min(1, acc + half) }, mean_tokens: tok, mean_latency_s: lat };
}

/**
 * Tune a policy. `defaults` gives each category's current setting (from the base config's decisions);
 * categories missing from it default to reasoning off.
 */
export function tunePolicy(records: readonly EvalRecord[], defaults: (category: string) => Setting, opts: TuneOptions = {}): TuneResult {
  const objective = opts.objective ?? 'accuracy';
  if (!OBJECTIVES.includes(objective)) throw new TuneError(`unknown objective "${objective}"; expected one of ${OBJECTIVES.join(', ')}`);
  const lambda = opts.lambda ?? OBJECTIVE_LAMBDA[objective];
  if (!(lambda >= 0)) throw new TuneError(`lambda must be ≥ 0, got ${lambda}`);
  const confidence = opts.confidence ?? 0.95;
  const minSamples = opts.minSamples ?? 30;
  const costMetric: 'tokens' | 'latency' = opts.maxLatencyPerQuery !== undefined && opts.maxTokensPerQuery === undefined ? 'latency' : 'tokens';
  const cost = (r: EvalRecord) => (costMetric === 'tokens' ? (r.completion_tokens ?? 0) / 1000 : (r.latency_ms ?? 0) / 1000);
  const options = measuredOptions(records);
  if (options.size === 0) throw new TuneError('no direct-mode results to tune from: run `semroute eval --modes direct-off,direct-on` first');
  const modes = new Set([...options.values()].flat().map((c) => c.stats.mode));
  const hasOff = [...options.values()].flat().some((c) => !c.stats.setting.use_reasoning);
  const hasOn = [...options.values()].flat().some((c) => c.stats.setting.use_reasoning);
  if (!hasOff || !hasOn) throw new TuneError(`tune needs results with reasoning both off and on (modes direct-off and direct-on); found only ${[...modes].join(', ')}`);

  const notes: string[] = [];
  const total = [...options.values()].reduce((s, cells) => s + Math.max(...cells.map((c) => c.stats.n)), 0);
  const cats = [...options.keys()];
  const base = cats.map((category) => {
    const cells = options.get(category)!;
    const want = defaults(category);
    let def = findDefault(cells, want);
    if (!def) {
      def = cells.find((c) => !c.stats.setting.use_reasoning) ?? cells[0]!;
      notes.push(`${category}: default (${describeSetting(want)}) was not measured; compared against ${def.stats.mode} instead`);
    }
    return { category, cells, def, weight: Math.max(...cells.map((c) => c.stats.n)) / total };
  });

  const utilityGain = (a: Cell, b: Cell, lam: number) => {
    const diffs: number[] = [];
    for (const [q, ra] of a.byQ) {
      const rb = b.byQ.get(q);
      if (!rb) continue;
      diffs.push(((ra.correct ? 1 : 0) - (rb.correct ? 1 : 0)) * 100 - lam * (cost(ra) - cost(rb)));
    }
    return { n: diffs.length, ...pairedDiffCi(diffs, confidence) };
  };
  const meanUtility = (c: Cell, lam: number) => c.stats.accuracy * 100 - lam * (costMetric === 'tokens' ? c.stats.mean_tokens / 1000 : c.stats.mean_latency_s);

  type Pick = { cell: Cell; reason: string; evidence?: CategoryChoice['evidence'] };
  const choose = (lam: number, force = false): Pick[] =>
    base.map(({ category, cells, def }) => {
      const best = cells.reduce((a, b) => (meanUtility(b, lam) > meanUtility(a, lam) + 1e-12 ? b : a), def);
      if (best === def) {
        return { cell: def, reason: `kept default: ${describeSetting(def.stats.setting)} is already the best measured option` };
      }
      const g = utilityGain(best, def, lam);
      const evidence = { n_paired: g.n, gain: g.mean, lo: g.lo, hi: g.hi };
      const dAcc = (best.stats.accuracy - def.stats.accuracy) * 100;
      const dTok = best.stats.mean_tokens - def.stats.mean_tokens;
      const what = `${describeSetting(best.stats.setting)} beats the default by ${dAcc >= 0 ? '+' : ''}${dAcc.toFixed(1)} pp accuracy, ${dTok >= 0 ? '+' : ''}${Math.round(dTok)} tokens per query (n=${g.n})`;
      if (g.n < minSamples) {
        if (force) return { cell: best, evidence, reason: `${what}; forced by the budget despite only ${g.n} samples` };
        return { cell: def, evidence, reason: `kept default ${describeSetting(def.stats.setting)}: only ${g.n} paired samples (< ${minSamples}) for ${category}` };
      }
      if (!(g.lo > 0)) {
        if (force) return { cell: best, evidence, reason: `${what}; forced by the budget (gain not significant: ${g.mean.toFixed(1)} [${g.lo.toFixed(1)}, ${g.hi.toFixed(1)}])` };
        return { cell: def, evidence, reason: `kept default ${describeSetting(def.stats.setting)}: ${describeSetting(best.stats.setting)} looks better (${g.mean.toFixed(1)} utility points) but its ${Math.round(confidence * 100)}% CI [${g.lo.toFixed(1)}, ${g.hi.toFixed(1)}] includes 0` };
      }
      return { cell: best, evidence, reason: `${what}; utility gain ${g.mean.toFixed(1)} [${g.lo.toFixed(1)}, ${g.hi.toFixed(1)}] at ${Math.round(confidence * 100)}%` };
    });
  const value = (picks: Pick[]) => predict(picks.map((p, i) => ({ weight: base[i]!.weight, cell: p.cell })), confidence);
  const meets = (p: PolicyPrediction) =>
    (opts.maxTokensPerQuery === undefined || p.mean_tokens <= opts.maxTokensPerQuery + 1e-9) &&
    (opts.maxLatencyPerQuery === undefined || p.mean_latency_s <= opts.maxLatencyPerQuery + 1e-9);

  let lamEff = lambda;
  let picks = choose(lambda);
  let met = meets(value(picks));
  if (!met) {
    // Raise λ (cost weighs more) until the budget holds; policy cost falls as λ grows.
    let hi = Math.max(1, lambda * 2);
    let hiPicks = choose(hi);
    while (!meets(value(hiPicks)) && hi < 1e7) {
      hi *= 4;
      hiPicks = choose(hi);
    }
    if (meets(value(hiPicks))) {
      let lo = lambda;
      for (let i = 0; i < 50; i++) {
        const mid = (lo + hi) / 2;
        const mp = choose(mid);
        if (meets(value(mp))) {
          hi = mid;
          hiPicks = mp;
        } else lo = mid;
      }
      lamEff = hi;
      picks = hiPicks;
      met = true;
      notes.push(`budget binding: λ raised from ${lambda} to ${lamEff.toPrecision(3)} to meet it`);
    } else {
      // Evidence gating keeps expensive defaults; the budget overrides it.
      picks = choose(1e7, true);
      lamEff = 1e7;
      met = meets(value(picks));
      notes.push(met ? 'budget only reachable by moving categories without significant evidence (marked "forced by the budget")' : 'budget cannot be met even with the cheapest measured option everywhere; wrote the cheapest policy');
    }
  }
  const choices: CategoryChoice[] = base.map((b, i) => {
    const p = picks[i]!;
    return {
      category: b.category,
      weight: b.weight,
      default: b.def.stats,
      chosen: p.cell.stats,
      changed: settingKey(p.cell.stats.setting) !== settingKey(b.def.stats.setting),
      ...(p.evidence ? { evidence: p.evidence } : {}),
      options: b.cells.map((c) => c.stats),
      reason: p.reason,
    };
  });
  return {
    objective,
    lambda,
    lambda_effective: lamEff,
    cost_metric: costMetric,
    budget: {
      ...(opts.maxTokensPerQuery !== undefined ? { max_tokens_per_query: opts.maxTokensPerQuery } : {}),
      ...(opts.maxLatencyPerQuery !== undefined ? { max_latency_per_query: opts.maxLatencyPerQuery } : {}),
      met,
    },
    confidence,
    min_samples: minSamples,
    choices,
    predicted: { tuned: value(picks), default: predict(base.map((b) => ({ weight: b.weight, cell: b.def })), confidence) },
    notes,
  };
}
