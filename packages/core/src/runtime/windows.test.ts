import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOWS, assignTokensToWindows, piiWindows, summaryRanges, validateWindows } from './windows.js';

const w = { headTokens: 4, tailTokens: 2, piiWindowTokens: 8, piiOverlapTokens: 3 };

describe('windows', () => {
  it('keeps short inputs whole and cuts head+tail from long ones', () => {
    expect(summaryRanges(5, w)).toEqual([[0, 5]]);
    expect(summaryRanges(6, w)).toEqual([[0, 6]]);
    expect(summaryRanges(100, w)).toEqual([[0, 4], [98, 100]]);
  });

  it('covers every token with overlapping PII windows, last aligned to the end', () => {
    for (const n of [0, 1, 7, 8, 9, 13, 14, 100, 1001]) {
      const ws = piiWindows(n, w);
      const covered = new Array(n).fill(0);
      for (const [s, e] of ws) {
        expect(e - s).toBeLessThanOrEqual(w.piiWindowTokens);
        for (let i = s; i < e; i++) covered[i]++;
      }
      expect(covered.every((c) => c > 0)).toBe(true);
      if (n > 0) expect(ws.at(-1)![1]).toBe(n);
      for (let k = 1; k < ws.length; k++) expect(ws[k - 1]![1] - ws[k]![0]).toBeGreaterThanOrEqual(w.piiOverlapTokens);
    }
  });

  it('gives each token the window where it has most context', () => {
    const ws = piiWindows(20, w); // [0,8) [5,13) [10,18) [12,20)
    const owner = assignTokensToWindows(20, ws);
    expect(owner[0]).toBe(0); // text start is not a cut
    expect(owner[19]).toBe(ws.length - 1);
    // a token next to a window's right cut is owned by the next window
    expect(owner[7]).not.toBe(0);
    expect([...owner].every((o) => o >= 0)).toBe(true);
  });

  it('validates options with a clear message', () => {
    expect(() => validateWindows({ ...DEFAULT_WINDOWS, piiOverlapTokens: 500 })).toThrow(/piiOverlapTokens/);
    expect(() => validateWindows({ ...DEFAULT_WINDOWS, headTokens: -1 })).toThrow(/headTokens/);
  });
});
