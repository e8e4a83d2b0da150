/**
 * Small, dependency-free statistics for eval reports and tuning: means, Wilson intervals,
 * McNemar's exact test for paired accuracy, and a seeded paired bootstrap.
 * @module
 */
import { mulberry32 } from './rng.js';

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Quantile with linear interpolation (type 7) of an already sorted array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** Wilson score interval for a binomial proportion. */
export function wilson(successes: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return { lo: 0, hi: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

export interface McNemarResult {
  /** Pairs where A is correct and B is wrong. */
  readonly b: number;
  /** Pairs where A is wrong and B is correct. */
  readonly c: number;
  /** Exact two-sided p-value (binomial test of b against Bin(b + c, 1/2)). */
  readonly p: number;
}

/**
 * McNemar's exact test on paired binary outcomes. `a[i]` and `b[i]` are the correctness of the same item under
 * two conditions. Two-sided p = min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, ½).
 */
export function mcnemarExact(a: readonly boolean[], bOutcomes: readonly boolean[]): McNemarResult {
  if (a.length !== bOutcomes.length) throw new Error(`mcnemarExact: length mismatch ${a.length} vs ${bOutcomes.length}`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && !bOutcomes[i]) b++;
    else if (!a[i] && bOutcomes[i]) c++;
  }
  return { b, c, p: mcnemarP(b, c) };
}

/** Exact two-sided McNemar p-value from the discordant counts. */
export function mcnemarP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  const lfN = logFactorial(n);
  let tail = 0;
  let lfI = 0; // log i!
  const lfs: number[] = [];
  for (let i = 0; i <= n; i++) {
    if (i > 0) lfI += Math.log(i);
    lfs.push(lfI);
  }
  for (let i = 0; i <= k; i++) tail += Math.exp(lfN - (lfs[i] as number) - (lfs[n - i] as number) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly confidence?: number;
  readonly seed?: number;
}

/**
 * Paired percentile bootstrap: resamples item indices with replacement and evaluates `statistic(indices)`.
 * Returns the percentile interval. Deterministic for a seed.
 */
export function bootstrapCi(n: number, statistic: (idx: Uint32Array) => number, opts: BootstrapOptions = {}): Interval {
  const resamples = opts.resamples ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  if (n === 0) return { lo: Number.NaN, hi: Number.NaN };
  const rand = mulberry32(opts.seed ?? 1);
  const stats: number[] = [];
  const idx = new Uint32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    const v = statistic(idx);
    if (Number.isFinite(v)) stats.push(v);
  }
  stats.sort((x, y) => x - y);
  const alpha = (1 - confidence) / 2;
  return { lo: quantileSorted(stats, alpha), hi: quantileSorted(stats, 1 - alpha) };
}

/** Mean and normal-approximation confidence interval of paired differences. */
export function pairedDiffCi(diffs: readonly number[], confidence = 0.95): { mean: number; se: number; lo: number; hi: number } {
  const n = diffs.length;
  const m = mean(diffs);
  if (n < 2) return { mean: m, se: Number.NaN, lo: Number.NaN, hi: Number.NaN };
  let ss = 0;
  for (const d of diffs) ss += (d - m) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return { mean: m, se, lo: m - z * se, hi: m + z * se };
}
