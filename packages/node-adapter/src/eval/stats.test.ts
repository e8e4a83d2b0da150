import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrapCi, mcnemarExact, mcnemarP, normalCdf, normalQuantile, pairedDiffCi, wilson } from './stats.js';

describe('stats', () => {
  it('normal CDF and quantile agree with known values and invert each other', () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    fc.assert(fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), (p) => Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-6));
  });

  it('McNemar exact p matches the binomial test', () => {
    // b=10, c=2: 2·P(X ≤ 2 | n=12, ½) = 2·(1+12+66)/4096
    expect(mcnemarP(10, 2)).toBeCloseTo((2 * 79) / 4096, 10);
    expect(mcnemarP(5, 5)).toBe(1);
    expect(mcnemarP(0, 0)).toBe(1);
    const r = mcnemarExact([true, true, false, false, true], [false, true, true, false, false]);
    expect([r.b, r.c]).toEqual([2, 1]);
  });

  it('Wilson interval contains the estimate and stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const k = Math.round(n * f);
        const w = wilson(k, n);
        return w.lo >= 0 && w.hi <= 1 && w.lo <= k / n + 1e-12 && w.hi >= k / n - 1e-12;
      }),
    );
  });

  it('bootstrap is deterministic per seed and brackets the mean', () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const stat = (idx: Uint32Array) => {
      let s = 0;
      for (const i of idx) s += xs[i]!;
      return s / idx.length;
    };
    const a = bootstrapCi(xs.length, stat, { seed: 7, resamples: 500 });
    const b = bootstrapCi(xs.length, stat, { seed: 7, resamples: 500 });
    expect(a).toEqual(b);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(a.lo).toBeLessThan(m);
    expect(a.hi).toBeGreaterThan(m);
  });

  it('paired difference CI', () => {
    const r = pairedDiffCi([1, 1, 1, 0, 1, 1, 0, 1]);
    expect(r.mean).toBeCloseTo(0.75);
    expect(r.lo).toBeLessThan(0.75);
    expect(r.hi).toBeGreaterThan(0.75);
  });
});
