/**
 * Long-input handling. Domain and pooled see one bounded window (head + tail tokens). PII runs over the whole text in
 * overlapping windows, and each token takes its logits from the window where it has the most context on both sides,
 * so no span is cut at a window boundary. Jailbreak takes the highest score of the summary window, those PII windows
 * and short windows that start where a sentence or line starts (`jailbreakWindows`): the shipped model recognises an
 * injection at the start of its input and misses it after ~50 characters of other text. Every function here is
 * linear in the number of tokens.
 * @module
 */

/** How long inputs are cut into windows: the summary's head and tail, and the overlapping PII windows (tokens). */
export interface WindowOptions {
  /** Content tokens kept from the start for the summary window (domain, jailbreak, pooled). */
  readonly headTokens: number;
  /** Content tokens kept from the end for the summary window. */
  readonly tailTokens: number;
  /** Content tokens per PII window. */
  readonly piiWindowTokens: number;
  /** Content tokens shared by consecutive PII windows. */
  readonly piiOverlapTokens: number;
  /** Content tokens per jailbreak window (one starting at each sentence or line start). */
  readonly jailbreakWindowTokens?: number;
  /** Fewest tokens between the starts of two jailbreak windows (bounds their number at n / this on any text). */
  readonly jailbreakMinStrideTokens?: number;
}

/** Jailbreak windows: 30 content tokens (32 with [CLS]/[SEP], one length bucket), at least 12 tokens apart: the model judges an injection by its opening words, and short windows keep the extra cost near that of the PII windows. */
export const DEFAULT_JAILBREAK_WINDOW_TOKENS = 30;
export const DEFAULT_JAILBREAK_MIN_STRIDE_TOKENS = 12;

/** Defaults sized for the shipped model (trained at 128 tokens including [CLS]/[SEP]). */
export const DEFAULT_WINDOWS: WindowOptions = Object.freeze({
  headTokens: 94,
  tailTokens: 32,
  piiWindowTokens: 126,
  piiOverlapTokens: 32,
});

/** Defaults for a model trained at `maxLength` tokens with `specials` template tokens: ~3/4 head, 1/4 tail. */
export function defaultWindowsFor(maxLength: number, specials: number): WindowOptions {
  const content = Math.max(2, maxLength - specials);
  const head = Math.round(content * 0.75);
  return Object.freeze({
    headTokens: head,
    tailTokens: content - head,
    piiWindowTokens: content,
    piiOverlapTokens: Math.min(32, Math.floor(content / 4)),
  });
}

export function validateWindows(w: WindowOptions): WindowOptions {
  const ok = (n: number, min: number): boolean => Number.isInteger(n) && n >= min;
  if (!ok(w.headTokens, 0) || !ok(w.tailTokens, 0) || w.headTokens + w.tailTokens < 1) {
    throw new RangeError(`window: headTokens/tailTokens must be integers >= 0 with a sum >= 1 (got ${w.headTokens}/${w.tailTokens})`);
  }
  if (!ok(w.piiWindowTokens, 2) || !ok(w.piiOverlapTokens, 0) || w.piiOverlapTokens >= w.piiWindowTokens) {
    throw new RangeError(
      `window: piiWindowTokens must be an integer >= 2 and piiOverlapTokens in [0, piiWindowTokens) (got ${w.piiWindowTokens}/${w.piiOverlapTokens})`,
    );
  }
  const jw = w.jailbreakWindowTokens ?? DEFAULT_JAILBREAK_WINDOW_TOKENS;
  const js = w.jailbreakMinStrideTokens ?? DEFAULT_JAILBREAK_MIN_STRIDE_TOKENS;
  if (!ok(jw, 1) || !ok(js, 1)) {
    throw new RangeError(`window: jailbreakWindowTokens and jailbreakMinStrideTokens must be integers >= 1 (got ${jw}/${js})`);
  }
  return Object.freeze({ ...w });
}

/** Content-token ranges making up the summary window: one range, or head + tail when the text is longer. */
export function summaryRanges(n: number, w: WindowOptions): Array<[number, number]> {
  const max = w.headTokens + w.tailTokens;
  if (n <= max) return [[0, n]];
  const out: Array<[number, number]> = [];
  if (w.headTokens > 0) out.push([0, w.headTokens]);
  if (w.tailTokens > 0) out.push([n - w.tailTokens, n]);
  return out;
}

/** PII windows `[start, end)` over `n` content tokens; the last one is aligned to the end. */
export function piiWindows(n: number, w: WindowOptions): Array<[number, number]> {
  const W = w.piiWindowTokens;
  if (n <= W) return [[0, n]];
  const stride = W - w.piiOverlapTokens;
  const out: Array<[number, number]> = [];
  for (let s = 0; ; s += stride) {
    if (s + W >= n) {
      out.push([n - W, n]);
      break;
    }
    out.push([s, s + W]);
  }
  return out;
}

/**
 * For every content token, which window (index into `windows`) it should take its PII logits from: the window
 * where its distance to the nearest cut edge is largest (a text boundary is not a cut).
 */
export function assignTokensToWindows(n: number, windows: ReadonlyArray<readonly [number, number]>): Int32Array {
  const owner = new Int32Array(n).fill(-1);
  const bestCtx = new Float64Array(n).fill(-1);
  windows.forEach(([s, e], wi) => {
    for (let i = s; i < e; i++) {
      const left = s === 0 ? Infinity : i - s;
      const right = e === n ? Infinity : e - 1 - i;
      const ctx = Math.min(left, right);
      if (ctx > bestCtx[i]!) {
        bestCtx[i] = ctx;
        owner[i] = wi;
      }
    }
  });
  return owner;
}

/**
 * Jailbreak windows `[start, end)` over `n` content tokens: one of `jailbreakWindowTokens` tokens starting at each token
 * that opens a sentence or a line (the text before it, after the previous token, holds a line break, or the previous
 * token ends with `.`, `!`, `?` or `:` and whitespace follows), skipping starts closer than `jailbreakMinStrideTokens`
 * to the previous window's start; the first window starts at token 0 (the summary window's head is longer and dilutes
 * an injection at the very start). O(n) time; at most n / jailbreakMinStrideTokens + 1 windows, so the model's work
 * stays linear on any text.
 */
export function jailbreakWindows(text: string, offsets: Int32Array, n: number, w: WindowOptions): Array<[number, number]> {
  const W = w.jailbreakWindowTokens ?? DEFAULT_JAILBREAK_WINDOW_TOKENS;
  const gap = Math.max(1, w.jailbreakMinStrideTokens ?? DEFAULT_JAILBREAK_MIN_STRIDE_TOKENS);
  if (n === 0) return [];
  const out: Array<[number, number]> = [[0, Math.min(n, W)]];
  let last = 0;
  for (let t = 1; t < n; t++) {
    if (t - last < gap) continue;
    const prevEnd = offsets[2 * t - 1]!;
    const start = offsets[2 * t]!;
    if (start <= prevEnd) continue; // no whitespace between: not a new sentence
    const before = text.charCodeAt(prevEnd - 1);
    let opens = before === 46 || before === 33 || before === 63 || before === 58; // . ! ? :
    for (let i = prevEnd; i < start && !opens; i++) opens = text.charCodeAt(i) === 10;
    if (!opens) continue;
    out.push([t, Math.min(n, t + W)]);
    last = t;
  }
  return out;
}
