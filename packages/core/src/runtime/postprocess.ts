/**
 * Pure numeric post-processing of raw head outputs: temperature-scaled softmax, BIO decoding of PII tokens
 * into character spans, L2 normalisation. No ONNX Runtime here.
 * @module
 */
import type { PiiSpan } from '../signals/types.js';

/** softmax(logits / temperature) over `logits[from .. from+n)`, written into `out` (allocated when absent). */
export function softmaxT(logits: ArrayLike<number>, temperature = 1, from = 0, n = logits.length - from, out = new Float64Array(n)): Float64Array {
  const t = temperature > 0 ? temperature : 1;
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[from + i]! / t);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(logits[from + i]! / t - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / sum;
  return out;
}

/** A monotone piecewise-linear map of the top probability (heads.json `confidence_map`, fitted by isotonic regression). */
export interface ConfidenceMap {
  /** Knots: x ascending, y non-decreasing, both in [0, 1]. */
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/**
 * Calibrates a probability vector in place with a confidence map: the top probability t becomes c (linear
 * interpolation between knots, clamped to the end knots; raised where needed so the top class keeps at least half of
 * its raw lead over the runner-up) and every other probability is scaled by (1 - c) / (1 - t), so the vector still sums to 1 and its
 * argmax is unchanged. Same rule as the pipeline's `apply_confidence_map`.
 */
export function applyConfidenceMap(p: Float64Array, map: ConfidenceMap): Float64Array {
  let k = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[k]!) k = i;
  const t = p[k]!;
  const { x, y } = map;
  let c: number;
  if (t <= x[0]!) c = y[0]!;
  else if (t >= x[x.length - 1]!) c = y[y.length - 1]!;
  else {
    let j = 1;
    while (x[j]! < t) j++;
    const x0 = x[j - 1]!;
    const x1 = x[j]!;
    c = x1 > x0 ? y[j - 1]! + ((t - x0) / (x1 - x0)) * (y[j]! - y[j - 1]!) : y[j]!;
  }
  // Keep at least half of the top class's raw lead over the runner-up s: c - s (1 - c) / (1 - t) >= (t - s) / 2.
  // Merely keeping it on top (c >= s / (1 - t + s)) would create exact ties that last-bit differences between
  // runtimes break either way.
  let s = 0;
  for (let i = 0; i < p.length; i++) if (i !== k && p[i]! > s) s = p[i]!;
  if (1 - t + s > 0) c = Math.max(c, ((t - s) * (1 - t) / 2 + s) / (1 - t + s));
  // the others' total, summed rather than taken as 1 - t: near t = 1 that difference keeps only a few digits
  let rest = 0;
  for (let i = 0; i < p.length; i++) if (i !== k) rest += p[i]!;
  // (all of it underflowed to 0: the others share 1 - c evenly)
  for (let i = 0; i < p.length; i++) p[i] = i === k ? c : rest > 0 ? (p[i]! * (1 - c)) / rest : (1 - c) / (p.length - 1);
  return p;
}

/** In-place L2 normalisation (a zero vector stays zero). */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 1e-12) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

/** A parsed BIO label: `O` or `B-TYPE` / `I-TYPE`. */
export interface BioLabel {
  readonly tag: 'O' | 'B' | 'I';
  readonly type: string;
}

export function parseBioLabels(labels: readonly string[]): readonly BioLabel[] {
  return Object.freeze(
    labels.map((l): BioLabel => {
      const m = /^([BI])-(.+)$/.exec(l);
      return m ? { tag: m[1] as 'B' | 'I', type: m[2]! } : { tag: 'O', type: '' };
    }),
  );
}

export interface PiiDecodeOptions {
  readonly labels: readonly BioLabel[];
  readonly temperature: number;
  /** A token counts as PII only when its best non-O label's probability reaches this (default: argmax). */
  readonly tokenThreshold?: number;
  /** Spans whose score is below this are dropped. */
  readonly spanThreshold?: number;
  /**
   * Word-level BIO (heads.json `decoding: "word_level_bio"`): per content token, 1 when it continues a word
   * (a `##` piece). Such a token takes the label of the token before it, as I-<type> (O stays O), and does not
   * count towards the span score.
   */
  readonly continuation?: Uint8Array;
  /**
   * Chunk-vote decoding (heads.json `decoding: "chunk_vote_bio"`; needs `continuation`): tokens with no whitespace
   * between them form a chunk ("192.168.0.1", "216-43-0705"); a chunk yields at most one span, from its first to its
   * last non-O token, typed by majority vote. See {@link decodePiiChunkVote}.
   */
  readonly chunkVote?: boolean;
  /**
   * With `chunkVote` (heads.json `decoding: "viterbi_chunk_vote_bio"`): the word-start tokens' labels are the most
   * probable label sequence that is valid BIO (an I-<type> only after B-/I- of the same type, never first) instead of
   * each token's own argmax; `tokenThreshold` does not apply to those tokens. See {@link viterbiWordLabels}.
   */
  readonly viterbi?: boolean;
}

/**
 * Decodes per-token logits (`tokenLogits[t*L .. t*L+L)` for content token t) into spans over the original text.
 * BIO rules match the training pipeline: an I- continues an open span of the same type, otherwise starts one.
 * The score of a span is the lowest calibrated probability among its tokens' labels (heads.json contract), so a
 * threshold on the score holds for every token of the span. Spans of one type that touch (no character between
 * them) are merged, a rule the training pipeline's span evaluation does not apply. O(nTokens · labels).
 */
export function decodePii(tokenLogits: Float32Array, offsets: Int32Array, nTokens: number, text: string, o: PiiDecodeOptions): PiiSpan[] {
  if (o.chunkVote) return decodePiiChunkVote(tokenLogits, offsets, nTokens, text, o);
  const probs = new Float64Array(o.labels.length);
  const spans: PiiSpan[] = [];
  let cur: { type: string; start: number; end: number; min: number } | null = null;
  const close = (): void => {
    if (!cur) return;
    const [s, e] = trim(text, cur.start, cur.end);
    const score = cur.min;
    if (e > s && score >= (o.spanThreshold ?? 0)) {
      // Pieces of one entity split by punctuation ("maria.gonzalez@" + "example.com") touch with no character
      // between them: they are one span. Spans separated by anything (even a space) stay apart.
      const last = spans[spans.length - 1];
      if (last && last.type === cur.type && last.end === s) spans[spans.length - 1] = { ...last, end: e, score: Math.min(last.score, score) };
      else spans.push({ type: cur.type, start: s, end: e, score });
    }
    cur = null;
  };
  let prevLabel = 0; // label index and probability of the previous word-start token (word-level decoding)
  let prevProb = 1;
  for (let t = 0; t < nTokens; t++) {
    const s = offsets[2 * t]!;
    const e = offsets[2 * t + 1]!;
    if (o.continuation?.[t] && t > 0) {
      // Inherit the previous token's label as I-<type>; it extends the open span without changing its score.
      const prev = o.labels[prevLabel]!;
      if (prev.tag === 'O' || e <= s) {
        if (prev.tag === 'O') close();
        continue;
      }
      if (cur && cur.type === prev.type) cur.end = Math.max(cur.end, e);
      else {
        close();
        cur = { type: prev.type, start: s, end: e, min: prevProb };
      }
      continue;
    }
    if (e <= s) continue;
    const best = tokenLabel(tokenLogits, t, o, probs);
    prevLabel = best;
    prevProb = probs[best]!;
    const lab = o.labels[best]!;
    if (lab.tag === 'O') {
      close();
      continue;
    }
    const p = probs[best]!;
    if (lab.tag === 'B' || !cur || cur.type !== lab.type) {
      close();
      cur = { type: lab.type, start: s, end: e, min: p };
    } else {
      cur.end = e;
      cur.min = Math.min(cur.min, p);
    }
  }
  close();
  return spans;
}

/**
 * The label of content token `t`: argmax of its calibrated probabilities (written into `probs`), or with a token
 * threshold, its best non-O label when that reaches the threshold (else O).
 */
function tokenLabel(tokenLogits: Float32Array, t: number, o: PiiDecodeOptions, probs: Float64Array<ArrayBuffer>): number {
  const L = o.labels.length;
  softmaxT(tokenLogits, o.temperature, t * L, L, probs);
  let best = 0;
  for (let k = 1; k < L; k++) if (probs[k]! > probs[best]!) best = k;
  if (o.tokenThreshold !== undefined) {
    let bn = -1;
    for (let k = 0; k < L; k++) if (o.labels[k]!.tag !== 'O' && (bn < 0 || probs[k]! > probs[bn]!)) bn = k;
    best = bn >= 0 && probs[bn]! >= o.tokenThreshold ? bn : 0;
  }
  return best;
}

function trim(text: string, s: number, e: number): [number, number] {
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  return [s, e];
}

/** Python's `str.isspace()` for one UTF-16 unit (the training pipeline's chunk rule uses it). */
function isPySpace(c: number): boolean {
  return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20) || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function onlySpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isPySpace(text.charCodeAt(i))) return false;
  return true;
}

const transitionsByLabels = new WeakMap<readonly BioLabel[], { isI: boolean[]; iFrom: number[][] }>();

/** Per label: is it an I- label, and which labels may come right before it (an I-<type>: only B-/I-<type>). */
function bioTransitions(labels: readonly BioLabel[]): { isI: boolean[]; iFrom: number[][] } {
  let t = transitionsByLabels.get(labels);
  if (!t) {
    t = {
      isI: labels.map((l) => l.tag === 'I'),
      iFrom: labels.map((l) => (l.tag === 'I' ? labels.flatMap((m, k) => (m.tag !== 'O' && m.type === l.type ? [k] : [])) : [])),
    };
    transitionsByLabels.set(labels, t);
  }
  return t;
}

/**
 * Constrained Viterbi over the word-start tokens (content tokens that do not continue a word and cover text): the label
 * sequence with the highest sum of log softmax(logits / temperature) among those that are valid BIO (I-<type> only
 * right after B-<type> or I-<type>, never first). Per-token argmax starts a new span at every I- that follows O, so
 * one uncertain token ("Didier" O, "Chilpéric" I-PERSON) cuts a name or leaves a stray fragment; here the sequence
 * decides. Returns a label per content token (only word-start tokens are set; the others are -1) and, in
 * `chosenProb`, the probability of each chosen label. Same rule as the pipeline's `viterbi_word_labels`
 * (models/pipeline/common.py). Linear in the tokens: O(n · labels).
 */
export function viterbiWordLabels(
  tokenLogits: Float32Array,
  offsets: Int32Array,
  nTokens: number,
  o: PiiDecodeOptions,
  chosenProb?: Float64Array,
): Int32Array {
  const L = o.labels.length;
  const out = new Int32Array(nTokens).fill(-1);
  const steps: number[] = [];
  for (let t = 0; t < nTokens; t++) if (!(o.continuation?.[t] && t > 0) && offsets[2 * t + 1]! > offsets[2 * t]!) steps.push(t);
  if (steps.length === 0) return out;
  const { isI, iFrom } = bioTransitions(o.labels);
  const temperature = o.temperature > 0 ? o.temperature : 1;
  const logp = new Float64Array(steps.length * L); // log softmax(logits / temperature) of every step
  for (let i = 0; i < steps.length; i++) {
    const from = steps[i]! * L, at = i * L;
    let max = -Infinity;
    for (let k = 0; k < L; k++) max = Math.max(max, (logp[at + k] = tokenLogits[from + k]! / temperature));
    let sum = 0;
    for (let k = 0; k < L; k++) sum += Math.exp(logp[at + k]! - max);
    const lse = max + Math.log(sum);
    for (let k = 0; k < L; k++) logp[at + k] = logp[at + k]! - lse;
  }
  let score = new Float64Array(L);
  let next = new Float64Array(L);
  const back = new Int32Array(steps.length * L);
  for (let k = 0; k < L; k++) score[k] = isI[k] ? -Infinity : logp[k]!;
  for (let i = 1; i < steps.length; i++) {
    let bestAny = 0; // best predecessor of any label (O and B- may follow anything)
    for (let k = 1; k < L; k++) if (score[k]! > score[bestAny]!) bestAny = k;
    for (let j = 0; j < L; j++) {
      let from = bestAny;
      if (isI[j]) {
        from = -1;
        const preds = iFrom[j]!;
        for (let q = 0; q < preds.length; q++) if (from < 0 || score[preds[q]!]! > score[from]!) from = preds[q]!;
      }
      next[j] = (from < 0 ? -Infinity : score[from]!) + logp[i * L + j]!;
      back[i * L + j] = from < 0 ? 0 : from;
    }
    [score, next] = [next, score];
  }
  let cur = 0;
  for (let k = 1; k < L; k++) if (score[k]! > score[cur]!) cur = k;
  for (let i = steps.length - 1; i >= 0; i--) {
    out[steps[i]!] = cur;
    if (chosenProb) chosenProb[steps[i]!] = Math.exp(logp[i * L + cur]!);
    cur = back[i * L + cur]!;
  }
  return out;
}

/**
 * Chunk-vote BIO decoding, the rule of the training pipeline's `decode_spans_chunk_vote` (models/pipeline/common.py):
 * labels are made word-level first (a `##` piece takes its word's label as I-); tokens with no whitespace between
 * them form a chunk; a chunk with non-O tokens gives one span from its first to its last non-O token, typed by the
 * type most of those tokens carry (tie: the type seen first). The span continues the previous chunk's span when the
 * types match, the previous span reached the end of its chunk, and this one starts at its chunk's first token with an
 * I- label (multi-word names, addresses). A span's score is the lowest probability among its word-start tokens of the
 * winning type. One token mislabelled inside "192.168.0.1" no longer splits it into two wrong spans. O(nTokens · labels
 * + text length): each chunk is scanned once, whitespace between tokens once.
 */
export function decodePiiChunkVote(tokenLogits: Float32Array, offsets: Int32Array, nTokens: number, text: string, o: PiiDecodeOptions): PiiSpan[] {
  const probs = new Float64Array(o.labels.length);
  const chosenProb = o.viterbi ? new Float64Array(nTokens) : null;
  const chosen = chosenProb ? viterbiWordLabels(tokenLogits, offsets, nTokens, o, chosenProb) : null;
  // Per content token with a non-empty range: word-level label, and its probability (NaN for continuation pieces).
  const toks: { s: number; e: number; label: number; p: number }[] = [];
  let prevLabel = 0;
  for (let t = 0; t < nTokens; t++) {
    const s = offsets[2 * t]!;
    const e = offsets[2 * t + 1]!;
    if (chosen && !(o.continuation?.[t] && t > 0) && e > s) {
      prevLabel = chosen[t]!;
      toks.push({ s, e, label: prevLabel, p: chosenProb![t]! });
      continue;
    }
    if (o.continuation?.[t] && t > 0) {
      const prev = o.labels[prevLabel]!;
      // B-x / I-x → I-x; O stays O (as word_level() in the pipeline)
      const inherited = prev.tag === 'O' ? 0 : prev.tag === 'I' ? prevLabel : prevLabel + 1;
      prevLabel = inherited;
      if (e > s) toks.push({ s, e, label: inherited, p: Number.NaN });
      continue;
    }
    const best = tokenLabel(tokenLogits, t, o, probs);
    prevLabel = best;
    if (e > s) toks.push({ s, e, label: best, p: probs[best]! });
  }

  const spans: PiiSpan[] = [];
  let open: { type: string; start: number; end: number; min: number } | null = null;
  const close = (): void => {
    if (open && open.min >= (o.spanThreshold ?? 0)) spans.push({ type: open.type, start: open.start, end: open.end, score: open.min });
    open = null;
  };
  let i = 0;
  while (i < toks.length) {
    let j = i + 1; // chunk = toks[i, j)
    while (j < toks.length && !(toks[j - 1]!.e !== toks[j]!.s && onlySpace(text, toks[j - 1]!.e, toks[j]!.s))) j++;
    let firstNz = -1;
    let lastNz = -1;
    const votes = new Map<string, { n: number; first: number }>();
    for (let k = i; k < j; k++) {
      const lab = o.labels[toks[k]!.label]!;
      if (lab.tag === 'O') continue;
      if (firstNz < 0) firstNz = k;
      lastNz = k;
      const v = votes.get(lab.type);
      if (v) v.n++;
      else votes.set(lab.type, { n: 1, first: k });
    }
    if (firstNz < 0) {
      close();
      i = j;
      continue;
    }
    let type = '';
    let bestVote = { n: -1, first: 0 };
    for (const [ty, v] of votes) if (v.n > bestVote.n || (v.n === bestVote.n && v.first < bestVote.first)) [type, bestVote] = [ty, v];
    let min = 1;
    for (let k = firstNz; k <= lastNz; k++) {
      const tk = toks[k]!;
      if (!Number.isNaN(tk.p) && o.labels[tk.label]!.type === type) min = Math.min(min, tk.p);
    }
    const first = o.labels[toks[firstNz]!.label]!;
    const current = open as { type: string; start: number; end: number; min: number } | null;
    if (current && current.type === type && first.tag === 'I' && firstNz === i) {
      current.end = toks[lastNz]!.e;
      current.min = Math.min(current.min, min);
    } else {
      close();
      open = { type, start: toks[firstNz]!.s, end: toks[lastNz]!.e, min };
    }
    if (lastNz !== j - 1) close();
    i = j;
  }
  close();
  return spans;
}
