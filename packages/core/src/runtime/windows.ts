/**
 * Long-input handling. Domain / jailbreak / pooled see one bounded window (head + tail tokens); PII runs over
 * the whole text in overlapping windows, and each token takes its logits from the window where it has the most
 * context on both sides, so no span is cut at a window boundary.
 * @module
 */

export interface WindowOptions {
  /** Content tokens kept from the start for the summary window (domain, jailbreak, pooled). */
  readonly headTokens: number;
  /** Content tokens kept from the end for the summary window. */
  readonly tailTokens: number;
  /** Content tokens per PII window. */
  readonly piiWindowTokens: number;
  /** Content tokens shared by consecutive PII windows. */
  readonly piiOverlapTokens: number;
}

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
