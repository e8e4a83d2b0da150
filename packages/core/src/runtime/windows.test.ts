import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_WINDOWS, assignTokensToWindows, jailbreakWindows, piiWindows, summaryRanges, validateWindows } from './windows.js';

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

  /** One token per word (runs of non-spaces), with offsets, as a tokenizer would give them. */
  const words = (text: string): { offsets: Int32Array; n: number; starts: number[] } => {
    const ms = [...text.matchAll(/\S+/g)];
    return { offsets: Int32Array.from(ms.flatMap((m) => [m.index, m.index + m[0].length])), n: ms.length, starts: ms.map((m) => m.index) };
  };

  it('starts a jailbreak window at the text start and at every sentence or line start, at least the minimum stride apart', () => {
    const text = 'one two three. Four five six seven eight nine ten eleven twelve! Thirteen fourteen\nfifteen sixteen? a b';
    const { offsets, n, starts } = words(text);
    const ws = jailbreakWindows(text, offsets, n, { ...w, jailbreakWindowTokens: 4, jailbreakMinStrideTokens: 2 });
    expect(ws.map(([s]) => /^\S+/.exec(text.slice(starts[s]!))![0])).toEqual(['one', 'Four', 'Thirteen', 'fifteen', 'a']);
    expect(ws.every(([s, e]) => e - s <= 4)).toBe(true);
  });

  it('never yields more than n / stride + 1 jailbreak windows, whatever the text (linear work)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b.', 'C', '\n', '?', ' '), { maxLength: 400 }), fc.integer({ min: 1, max: 12 }), (parts, stride) => {
        const text = parts.join(' ');
        const { offsets, n } = words(text);
        const ws = jailbreakWindows(text, offsets, n, { ...w, jailbreakWindowTokens: 6, jailbreakMinStrideTokens: stride });
        expect(ws.length).toBeLessThanOrEqual(Math.floor(n / stride) + 1);
        for (let i = 1; i < ws.length; i++) expect(ws[i]![0] - ws[i - 1]![0]).toBeGreaterThanOrEqual(stride);
      }),
    );
  });
});
