/**
 * The natural-text NER recognizer (`natural_ner`): a case-aware linear token classifier over hashed word features,
 * read from a `semroute-ner` v1 file (a model folder's `ner/ner.bin`, named by heads.json's pii head
 * `"ner": {"file": "ner/ner.bin"}`). The shipped PII head lower-cases its input and misses most names written by
 * people; this recognizer sees capital letters. The reference implementation is
 * `models/pipeline/ner/ner_features.py`: tokens, feature strings, buckets, logits (float32, same summation order) and
 * decoded spans are identical to it (tests compare against its vectors); offsets here are UTF-16 code units, while
 * word truncation and prefixes/suffixes count code points, as Python does.
 *
 * Isomorphic (no Node or DOM imports). Linear in the text: one pass to tokenise, 15 features per token (19 with a
 * word-cluster table), Viterbi over the file's labels, one sweep to merge (linear-time.test.ts).
 * @module
 */
import { ClassifierError } from '../errors.js';
import type { ContextRuleRecognizer } from './pii-recognizers.js';
import { NATURAL_NER_RECOGNIZER } from './pii-recognizer-settings.js';
import { CONFIDENT_SPAN_SCORE } from './pii-patterns.js';
import { endsWithOrganisationWord, isOrganisationWord } from './pii-refine.js';
import type { PiiSpan } from './types.js';

/** The file's first 8 bytes. */
export const NER_MAGIC = 'SRNER001';
/** The `format` of the file's header. */
export const NER_FORMAT = 'semroute-ner';
/** The header `version` this runtime reads. */
export const NER_VERSION = 1;

/** The header of a `semroute-ner` file (informational keys are kept in `raw`). */
export interface NerHeader {
  /** Hash buckets: a power of two. */
  readonly buckets: number;
  /** BIO labels in logit order (`O`, `B-PERSON`, `I-PERSON`, ...). */
  readonly labels: readonly string[];
  /** One dequantisation scale per label. */
  readonly scales: readonly number[];
  /** Lowest span score kept. */
  readonly threshold: number;
  /** Code points of a word kept in its features. */
  readonly maxWord: number;
  /** Characters of a word shape kept. */
  readonly maxShape: number;
  /** Entity types whose model/rule spans the recognizer removes entirely. */
  readonly dropModelTypes: readonly string[];
  /** How an NER span meets the spans found so far (see {@link NER_MERGE_MODES}); default `replace`. */
  readonly merge: NerMergeMode;
  /** The word-cluster table's size (a power of two) and cluster count, when the file has one. */
  readonly clusters?: { readonly buckets: number; readonly count: number };
  /** The parsed JSON header as written. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One decoded NER span: entity type, UTF-16 `[start, end)`, score (the lowest probability of its tokens' labels). */
export interface NerSpan {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly score: number;
}

/**
 * How an NER span (score ≥ the threshold) meets the spans found so far, in text order: `replace` — it replaces every
 * span it overlaps; `score` — it replaces them only when its score is at least each of theirs, else it is left out (a
 * confident model span keeps its edges and type); `fill` — it is added only where no span overlaps it.
 */
export const NER_MERGE_MODES = Object.freeze(['replace', 'score', 'fill'] as const);
/** One of {@link NER_MERGE_MODES}. */
export type NerMergeMode = (typeof NER_MERGE_MODES)[number];

const FIX = 'rebuild it with models/pipeline/ner (ner_features.write_file) or remove the "ner" entry of heads.json';

/** JavaScript's `/\s/u` set (the reference spells it out): tab to CR, space, NBSP, U+1680, U+2000-U+200A, U+2028/9, U+202F, U+205F, U+3000, BOM. */
function isSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
const WORD_RUN = /[\p{L}\p{N}\p{M}]+/uy;
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
/** Tokens after which the next token starts a sentence (`first` feature). */
const SENTENCE_END = new Set(['.', '!', '?', ':', ';', '"', '\u201c', '\u201d']);

/** `c.lower() != c` (upper-case or title-case) and `c.upper() != c` (lower-case), for one code point as a string. */
const isUpper = (c: string): boolean => (c.length === 1 && c < '\x80' ? c >= 'A' && c <= 'Z' : c.toLowerCase() !== c);
const isLower = (c: string): boolean => (c.length === 1 && c < '\x80' ? c >= 'a' && c <= 'z' : c.toUpperCase() !== c);

/** Word shape: X upper, x lower (or other letter/mark), d decimal digit, anything else itself; runs cut to 2, at most `max` characters. */
function shapeOf(word: string, max: number): string {
  let s = '';
  let prev = '';
  let run = 0;
  let len = 0;
  for (const c of word) {
    const k = isUpper(c) ? 'X' : isLower(c) || LETTER_OR_MARK.test(c) ? 'x' : DECIMAL_DIGIT.test(c) ? 'd' : c;
    run = k === prev ? run + 1 : 1;
    prev = k;
    if (run <= 2) {
      s += k;
      if (++len >= max) break;
    }
  }
  return s;
}

/** `l`: no upper-case letter in the text; `U`: upper-case but no lower-case letters; else `m`. */
function casingRegime(text: string): string {
  let up = false;
  let low = false;
  for (const c of text) {
    if (isUpper(c)) up = true;
    else if (isLower(c)) low = true;
    if (up && low) return 'm';
  }
  return up ? 'U' : 'l';
}

/** The first `n` code points of `s`. */
function firstCodePoints(s: string, n: number): string {
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return s.slice(0, i);
}

/** The last `n` code points of `s`. */
function lastCodePoints(s: string, n: number): string {
  let i = s.length;
  for (let k = 0; k < n && i > 0; k++) {
    const lo = s.charCodeAt(i - 1);
    i -= i >= 2 && lo >= 0xdc00 && lo <= 0xdfff && (s.charCodeAt(i - 2) & 0xfc00) === 0xd800 ? 2 : 1;
  }
  return s.slice(i);
}

const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a continued over the UTF-8 bytes of `s` (a lone surrogate counts as U+FFFD, as TextEncoder writes it); no allocation. */
function fnvUpdate(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 16777619);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 16777619);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), 16777619);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 16777619);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), 16777619);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), 16777619);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 16777619);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), 16777619);
  }
  return h >>> 0;
}

/** FNV-1a (32-bit) of the UTF-8 bytes of `s`, as the reference's `fnv1a`. */
export function fnv1a(s: string): number {
  return fnvUpdate(FNV_OFFSET, s);
}

/**
 * The word cluster of a lower-cased word as a feature value: the table entry at `fnv1a(key) & (size - 1)` (key: the word
 * without one leading `@` or `#`) holds cluster + 1 in bits 0-10 and the top 5 bits of the key's hash in bits 11-15 (a
 * check, so most unknown words find none); `-` for none.
 */
function clusterOf(table: Uint16Array, lw: string): string {
  const key = (lw[0] === '@' || lw[0] === '#') && lw.length > 1 ? lw.slice(1) : lw;
  const h = fnv1a(key);
  const e = table[h & (table.length - 1)]!;
  return e === 0 || e >>> 11 !== h >>> 27 ? '-' : String((e & 0x7ff) - 1);
}

/** Receives one feature as up to four string parts (their concatenation is the feature string). */
type FeatureSink = (a: string, b?: string, c?: string, d?: string) => void;

/** What the features of a text are computed from: its tokens, their lower-cased words and shapes. */
interface Analysis {
  /** UTF-16 `[start, end)` per token, flat: token t is `[offsets[2t], offsets[2t + 1])`. */
  readonly offsets: Int32Array;
  readonly low: readonly string[];
  readonly shapes: readonly string[];
  /** Whether each token starts a sentence or line. */
  readonly first: readonly boolean[];
  readonly regime: string;
  /** Each token's word cluster (`-`: none) when the file has a cluster table. */
  readonly clusters: readonly string[] | undefined;
}

/** A loaded `semroute-ner` model: the header and its int8 weights, bucket-major. */
export class NerModel {
  readonly header: NerHeader;
  /** Entity types the labels name (`PERSON`, `GPE`, `ORGANIZATION`: the PII head's type names), in label order. */
  readonly entityTypes: readonly string[];
  readonly #w: Int8Array;
  readonly #scales: Float32Array;
  readonly #mask: number;
  /** Per label: its entity type, and whether it is an `I-` label (for the BIO constraint). */
  readonly #type: readonly string[];
  readonly #inside: readonly boolean[];
  /** `#allowed[prev * L + cur]`: whether label `cur` may follow label `prev` (`I-X` only right after `B-X` or `I-X`). */
  readonly #allowed: Uint8Array;
  /** The word-cluster table (uint16 entries), when the file has one. */
  readonly #clusterTable: Uint16Array | undefined;
  /** Features per token: 15, plus 4 with a cluster table. */
  readonly #perToken: number;

  /** `clusterTable`: the file's word-cluster table, required when the header names one (`clusters`). */
  constructor(header: NerHeader, weights: Int8Array, clusterTable?: Uint16Array) {
    this.header = header;
    this.#w = weights;
    this.#clusterTable = header.clusters ? clusterTable : undefined;
    if (header.clusters && clusterTable?.length !== header.clusters.buckets) throw new ClassifierError(`NER model: the header names a word-cluster table of ${header.clusters.buckets} entries; pass it`);
    this.#perToken = this.#clusterTable ? 19 : 15;
    this.#scales = Float32Array.from(header.scales);
    this.#mask = header.buckets - 1;
    this.#type = header.labels.map((l) => (l === 'O' ? '' : l.slice(2)));
    this.#inside = header.labels.map((l) => l.startsWith('I-'));
    this.entityTypes = Object.freeze([...new Set(this.#type.filter((t) => t !== ''))]);
    const L = header.labels.length;
    this.#allowed = new Uint8Array(L * L);
    for (let prev = 0; prev < L; prev++) {
      for (let cur = 0; cur < L; cur++) this.#allowed[prev * L + cur] = !this.#inside[cur] || (this.#type[prev] !== '' && this.#type[prev] === this.#type[cur]) ? 1 : 0;
    }
  }

  /** Tokens (runs of letters, digits and marks, handles and hashtags; any other non-space character alone), UTF-16 `[start, end)`. */
  tokens(text: string): Array<[number, number]> {
    const offsets = tokenOffsets(text);
    const out: Array<[number, number]> = [];
    for (let t = 0; t < offsets.length; t += 2) out.push([offsets[t]!, offsets[t + 1]!]);
    return out;
  }

  #analyse(text: string): Analysis {
    const offsets = tokenOffsets(text);
    const n = offsets.length / 2;
    const low: string[] = [];
    const shapes: string[] = [];
    const first: boolean[] = [];
    const { maxWord, maxShape } = this.header;
    for (let t = 0; t < n; t++) {
      const s = offsets[2 * t]!;
      const e = offsets[2 * t + 1]!;
      const word = text.slice(s, e);
      low.push(firstCodePoints(word, maxWord).toLowerCase());
      shapes.push(shapeOf(word, maxShape));
      // The gap since the previous token holds only spaces: look for a line break in it.
      const prevEnd = t === 0 ? 0 : offsets[2 * t - 1]!;
      first.push(t === 0 || (prevEnd - offsets[2 * t - 2]! === 1 && SENTENCE_END.has(text[prevEnd - 1]!)) || text.slice(prevEnd, s).includes('\n'));
    }
    const table = this.#clusterTable;
    return { offsets, low, shapes, first, regime: casingRegime(text), clusters: table ? low.map((w) => clusterOf(table, w)) : undefined };
  }

  /** Token `i`'s 15 features (19 with word clusters), in the reference's order, as string parts. */
  static #features(a: Analysis, i: number, emit: FeatureSink): void {
    const { low, shapes } = a;
    const n = low.length;
    const lw = low[i]!;
    const w1 = i >= 1 ? low[i - 1]! : '<s>';
    const wn1 = i + 1 < n ? low[i + 1]! : '</s>';
    emit('b');
    emit('w:', lw);
    emit('s:', shapes[i]!);
    emit('p:', firstCodePoints(lw, 3));
    emit('x:', lastCodePoints(lw, 3));
    emit('w-1:', w1);
    emit('w+1:', wn1);
    emit('w-2:', i >= 2 ? low[i - 2]! : '<s>');
    emit('w+2:', i + 2 < n ? low[i + 2]! : '</s>');
    emit('s-1:', i >= 1 ? shapes[i - 1]! : '<s>');
    emit('s+1:', i + 1 < n ? shapes[i + 1]! : '</s>');
    emit('ww-1:', w1, '|', lw);
    emit('ww+1:', lw, '|', wn1);
    emit('f:', a.first[i] ? '1' : '0', shapes[i]!);
    emit('c:', a.regime, shapes[i]!);
    const cl = a.clusters;
    if (cl) {
      emit('k:', cl[i]!);
      emit('k-1:', i >= 1 ? cl[i - 1]! : '<s>');
      emit('k+1:', i + 1 < n ? cl[i + 1]! : '</s>');
      emit('ks:', cl[i]!, shapes[i]!);
    }
  }

  /** Each token's feature strings (for tests and inspection; classification hashes the parts without building them). */
  features(text: string): string[][] {
    const a = this.#analyse(text);
    return a.low.map((_, i) => {
      const f: string[] = [];
      NerModel.#features(a, i, (p, q = '', r = '', s = '') => f.push(p + q + r + s));
      return f;
    });
  }

  #bucketsOf(a: Analysis): Int32Array {
    const n = a.low.length;
    const out = new Int32Array(n * this.#perToken);
    let k = 0;
    const mask = this.#mask;
    const emit: FeatureSink = (p, q, r, s) => {
      let h = fnvUpdate(FNV_OFFSET, p);
      if (q !== undefined) h = fnvUpdate(h, q);
      if (r !== undefined) h = fnvUpdate(h, r);
      if (s !== undefined) h = fnvUpdate(h, s);
      out[k++] = h & mask;
    };
    for (let i = 0; i < n; i++) NerModel.#features(a, i, emit);
    return out;
  }

  /** Each token's feature buckets (`fnv1a(feature) & (buckets - 1)`). */
  buckets(text: string): number[][] {
    const b = this.#bucketsOf(this.#analyse(text));
    const F = this.#perToken;
    const out: number[][] = [];
    for (let t = 0; t < b.length; t += F) out.push(Array.from(b.subarray(t, t + F)));
    return out;
  }

  #logitsOf(b: Int32Array): Float32Array {
    const L = this.#scales.length;
    const F = this.#perToken;
    const n = b.length / F;
    const out = new Float32Array(n * L);
    const w = this.#w;
    const scales = this.#scales;
    for (let t = 0; t < n; t++) {
      // float32 throughout, features summed in order: the reference's `acc = acc + w[b] * scale`
      for (let f = 0; f < F; f++) {
        const row = b[t * F + f]! * L;
        for (let l = 0; l < L; l++) out[t * L + l] = out[t * L + l]! + Math.fround(w[row + l]! * scales[l]!);
      }
    }
    return out;
  }

  /** Logits per token (`[tokens][labels]`, float32 values). */
  logits(text: string): number[][] {
    const lg = this.#logitsOf(this.#bucketsOf(this.#analyse(text)));
    const L = this.#scales.length;
    const out: number[][] = [];
    for (let t = 0; t < lg.length; t += L) out.push(Array.from(lg.subarray(t, t + L)));
    return out;
  }

  /**
   * The entity spans of `text` scoring at least the header's threshold: BIO-constrained Viterbi over the log-softmax
   * of each token's logits; a span's score is the lowest softmax probability of its tokens' chosen labels.
   */
  spans(text: string): NerSpan[] {
    const a = this.#analyse(text);
    const n = a.low.length;
    if (n === 0) return [];
    const lg = this.#logitsOf(this.#bucketsOf(a));
    const L = this.#scales.length;
    const logp = new Float64Array(n * L);
    for (let t = 0; t < n; t++) {
      let max = -Infinity;
      for (let l = 0; l < L; l++) max = Math.max(max, lg[t * L + l]!);
      let sum = 0;
      for (let l = 0; l < L; l++) sum += Math.exp(lg[t * L + l]! - max);
      const log = Math.log(sum);
      for (let l = 0; l < L; l++) logp[t * L + l] = lg[t * L + l]! - max - log;
    }
    const NEG = -1e30;
    let score = new Float64Array(L);
    let next = new Float64Array(L);
    const allowed = this.#allowed;
    for (let j = 0; j < L; j++) score[j] = this.#inside[j] ? NEG : logp[j]!; // never I- first
    const back = new Int32Array(n * L);
    for (let t = 1; t < n; t++) {
      for (let j = 0; j < L; j++) {
        let best = NEG;
        let arg = 0;
        for (let i = 0; i < L; i++) {
          // ties: the lowest label index
          if (allowed[i * L + j] === 1 && score[i]! > best) {
            best = score[i]!;
            arg = i;
          }
        }
        next[j] = best + logp[t * L + j]!;
        back[t * L + j] = arg;
      }
      [score, next] = [next, score];
    }
    let last = 0;
    for (let j = 1; j < L; j++) if (score[j]! > score[last]!) last = j;
    const path = new Int32Array(n);
    path[n - 1] = last;
    for (let t = n - 1; t > 0; t--) path[t - 1] = back[t * L + path[t]!]!;

    const out: NerSpan[] = [];
    let cur: { type: string; start: number; end: number; score: number } | null = null;
    const { offsets } = a;
    for (let t = 0; t < n; t++) {
      const j = path[t]!;
      const p = Math.exp(logp[t * L + j]!);
      const type = this.#type[j]!;
      if (type !== '' && (!this.#inside[j] || cur === null)) {
        if (cur) out.push(cur);
        cur = { type, start: offsets[2 * t]!, end: offsets[2 * t + 1]!, score: p };
      } else if (type !== '') {
        cur!.end = offsets[2 * t + 1]!;
        cur!.score = Math.min(cur!.score, p);
      } else {
        if (cur) out.push(cur);
        cur = null;
      }
    }
    if (cur) out.push(cur);
    return out.filter((s) => s.score >= this.header.threshold);
  }
}

/**
 * Token offsets of `text`, flat `[start0, end0, start1, end1, ...]` in UTF-16 code units (one linear pass): maximal runs
 * of letters, digits and marks, every other non-space character alone, except that an `@` or `#` directly before a run
 * and not right after a word character starts that run (handles and hashtags are one token; an e-mail's `@` stays alone).
 */
function tokenOffsets(text: string): Int32Array {
  const out: number[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.codePointAt(i)!;
    const width = c > 0xffff ? 2 : 1;
    if (isSpace(c)) {
      i += width;
      continue;
    }
    // c is @ or #: the run after it, unless the character before it is a word character
    const at = (c === 0x40 || c === 0x23) && !(i > 0 && WORD_CHAR.test(String.fromCodePoint(codePointBefore(text, i)))) ? i + 1 : i;
    WORD_RUN.lastIndex = at;
    const j = WORD_RUN.test(text) ? WORD_RUN.lastIndex : i + width;
    out.push(i, j);
    i = j;
  }
  return Int32Array.from(out);
}

/** The code point that ends just before UTF-16 index `i` (> 0). */
function codePointBefore(text: string, i: number): number {
  const lo = text.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = text.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
  }
  return lo;
}

/**
 * Reads a `semroute-ner` file (layout: `models/pipeline/ner/ner_features.py`). `file` names it in errors. Throws a
 * {@link ClassifierError} saying what is wrong and how to fix it: not such a file, a bad header, another version, a
 * size that does not match the header, a bucket count that is not a power of two.
 */
export function parseNerFile(data: ArrayBuffer | ArrayBufferView, file = 'NER file'): NerModel {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bad = (why: string): never => {
    throw new ClassifierError(`${file}: ${why}; ${FIX}`);
  };
  if (bytes.byteLength < 12 || String.fromCharCode(...bytes.subarray(0, 8)) !== NER_MAGIC) {
    bad(`not a semroute-ner file (it does not start with the magic bytes "${NER_MAGIC}"; ${bytes.byteLength} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) bad(`the header length field says ${headerLength} bytes but the file has only ${bytes.byteLength - 12} after it (truncated?)`);
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch (cause) {
    bad(`the header is not UTF-8 JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h)) return bad('the header is not a JSON object');
  const o = h as Record<string, unknown>;
  if (o.format !== NER_FORMAT) bad(`the header's format is ${JSON.stringify(o.format)}, expected "${NER_FORMAT}"`);
  if (o.version !== NER_VERSION) {
    bad(`format version ${JSON.stringify(o.version)} is not supported (this runtime reads version ${NER_VERSION}: update @semroute/core for a newer file, or write a version ${NER_VERSION} file)`);
  }
  const buckets = o.buckets;
  if (typeof buckets !== 'number' || !Number.isInteger(buckets) || buckets < 1 || buckets > 2 ** 30 || (buckets & (buckets - 1)) !== 0) {
    bad(`"buckets" must be a power of two from 1 to 2^30 (got ${JSON.stringify(buckets)}): features are hashed with fnv1a(f) & (buckets - 1)`);
  }
  const labels = o.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => l === 'O' || (typeof l === 'string' && /^[BI]-[A-Z][A-Z0-9_]*$/.test(l))) || !labels.includes('O')) {
    bad(`"labels" must be BIO labels including "O" (e.g. ["O", "B-PERSON", "I-PERSON"]), got ${JSON.stringify(labels)}`);
  }
  const L = (labels as string[]).length;
  const scales = o.scales;
  if (!Array.isArray(scales) || scales.length !== L || !scales.every((s) => typeof s === 'number' && Number.isFinite(s))) {
    bad(`"scales" must be ${L} finite numbers, one per label (got ${JSON.stringify(scales)})`);
  }
  const threshold = o.threshold;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) bad(`"threshold" must be a number from 0 to 1 (got ${JSON.stringify(threshold)})`);
  const count = (key: string, fallback: number): number => {
    const v = o[key] ?? fallback;
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1024 ? v : bad(`"${key}" must be an integer from 1 to 1024 (got ${JSON.stringify(v)})`);
  };
  const drop = o.drop_model_types ?? [];
  if (!Array.isArray(drop) || !drop.every((t) => typeof t === 'string')) bad(`"drop_model_types" must be a list of entity types (got ${JSON.stringify(drop)})`);
  const merge = o.merge ?? 'replace';
  if (!(NER_MERGE_MODES as readonly unknown[]).includes(merge)) bad(`"merge" must be one of ${NER_MERGE_MODES.join(', ')} (got ${JSON.stringify(merge)})`);
  const c = o.clusters;
  let clusters: { buckets: number; count: number } | undefined;
  if (c !== undefined && c !== null) {
    const cb = (c as { buckets?: unknown }).buckets;
    const count = (c as { count?: unknown }).count;
    if (typeof cb !== 'number' || !Number.isInteger(cb) || cb < 1 || cb > 2 ** 24 || (cb & (cb - 1)) !== 0 || typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 2047) {
      bad(`"clusters" must be {"buckets": a power of two up to 2^24, "count": 1 to 2047} (got ${JSON.stringify(c)})`);
    }
    clusters = Object.freeze({ buckets: cb as number, count: count as number });
  }
  const pad8 = (n: number): number => n + ((8 - (n % 8)) % 8);
  const offset = pad8(12 + headerLength);
  const weightsEnd = offset + (buckets as number) * L;
  const tableOffset = clusters ? pad8(weightsEnd) : weightsEnd;
  const expected = clusters ? tableOffset + 2 * clusters.buckets : weightsEnd;
  if (bytes.byteLength !== expected) {
    const table = clusters ? `, zero padding to ${tableOffset} and a word-cluster table of ${clusters.buckets} uint16 entries` : '';
    bad(`size mismatch: ${bytes.byteLength} bytes, but a header of ${headerLength} bytes (padded to ${offset}), ${buckets as number} buckets x ${L} labels of int8 weights${table} make ${expected}`);
  }
  const header: NerHeader = Object.freeze({
    buckets: buckets as number,
    labels: Object.freeze([...(labels as string[])]),
    scales: Object.freeze([...(scales as number[])]),
    threshold: threshold as number,
    maxWord: count('max_word', 24),
    maxShape: count('max_shape', 12),
    dropModelTypes: Object.freeze([...(drop as string[])]),
    merge: merge as NerMergeMode,
    ...(clusters ? { clusters } : {}),
    raw: Object.freeze(o),
  });
  const weights = new Int8Array(bytes.buffer, bytes.byteOffset + offset, (buckets as number) * L).slice();
  let table: Uint16Array | undefined;
  if (clusters) {
    table = new Uint16Array(clusters.buckets);
    for (let i = 0; i < table.length; i++) table[i] = view.getUint16(tableOffset + 2 * i, true); // little-endian, whatever the platform
  }
  return new NerModel(header, weights, table);
}

/**
 * The `natural_ner` recognizer over a loaded model: a context rule that runs after the built-in span rules. It removes
 * the spans so far whose type is in the header's `drop_model_types`, then its own spans (score ≥ the header's
 * threshold) meet the others as the header's `merge` says ({@link NER_MERGE_MODES}; `replace`: each replaces every
 * span it overlaps); spans they do not overlap stay. Its spans are scored on the PII head's scale first
 * (`nerReportedScore`) and grow over the rest of an organisation's name (`growNerNames`). Pattern recognizers are
 * merged after it (as for every span), so an e-mail or phone match still wins over an NER span it overlaps.
 * Reference: models/pipeline/ner/select_ner.py `merged`.
 */
export function naturalNerRecognizer(model: NerModel): ContextRuleRecognizer {
  const drop = new Set(model.header.dropModelTypes);
  const mode = model.header.merge;
  const threshold = model.header.threshold;
  return Object.freeze({
    name: NATURAL_NER_RECOGNIZER,
    kind: 'context-rule',
    entities: model.entityTypes,
    description: `case-aware NER over hashed word features (the model folder's NER file): ${model.entityTypes.join(', ')} in people's text`,
    refine(spans: readonly PiiSpan[], text: string): PiiSpan[] {
      const ner = growNerNames(
        model.spans(text).map((s) => ({ ...s, score: nerReportedScore(s.score, threshold) })),
        text,
      ); // sorted by start, disjoint
      if (ner.length === 0 && drop.size === 0) return spans as PiiSpan[];
      const kept = drop.size ? spans.filter((s) => !drop.has(s.type)) : spans;
      const { alive, accepted } = mergeNer(kept, ner, mode);
      const added: PiiSpan[] = accepted.map((s) => ({ type: s.type, start: s.start, end: s.end, score: s.score, recognizer: NATURAL_NER_RECOGNIZER }));
      return [...alive, ...added].sort((x, y) => x.start - y.start || x.end - y.end);
    },
  } as ContextRuleRecognizer);
}

/**
 * An NER span's score as the registry reports it: the file's threshold maps onto the shipped model's default PII
 * threshold (`CONFIDENT_SPAN_SCORE`, 0.4, the config's default `global.classifier.pii.threshold`) and 1 onto 1,
 * linearly. The raw score (the least probability of its tokens' labels) of a span the file's own dev-half selection
 * keeps is often under 0.4, so the default config would not count it. A config with a higher PII threshold still
 * drops the least sure NER spans first. A threshold of 1 leaves the score as it is. Mirrored in select_ner.py `merged`.
 */
export function nerReportedScore(score: number, threshold: number): number {
  return threshold >= 1 ? score : CONFIDENT_SPAN_SCORE + ((score - threshold) * (1 - CONFIDENT_SPAN_SCORE)) / (1 - threshold);
}

/**
 * A capitalised word: an ASCII capital, then letters, digits, marks and "_", with ".", apostrophes or "-" only between
 * two of them (a sentence's full stop is not part of the name).
 */
const CAP = String.raw`[A-Z][\p{L}\p{N}\p{M}_]*(?:[.'’-][\p{L}\p{N}\p{M}_]+)*`;
/** Capitalised words, single spaces apart, with "of", "for", "and", "&", "the", "de" allowed between two of them. */
const CAP_JOINED = String.raw`${CAP}(?: (?:(?:of|for|and|&|the|de) )?${CAP})*`;
/** " of [the] Capitalised Words" right after an organisation ("Bulgarian Academy" + " of Sciences"). */
const OF_TAIL = new RegExp(String.raw` of(?: the)? ${CAP_JOINED}`, 'uy');
/** The capitalised words after an organisation that ends in "of" ("University of" + " Halle"). */
const AFTER_OF = new RegExp(` ${CAP_JOINED}`, 'uy');
/** One to four capitalised words after a name ("Hinkley" + " Locomotive Works"; bounded: each word is read by at most four spans). */
const CAP_RUN = new RegExp(String.raw` ${CAP}(?: ${CAP}){0,3}`, 'uy');

/**
 * The rest of an organisation's name that the token classifier left out (dev half, 2026-12-07: +0.008 mean F1 over the
 * four PII sets; reference select_ner.py `grow_names`), over NER spans sorted by start and disjoint; the result is
 * too. In text order, for each span: (1) a span whose last word is an organisation word (`isOrganisationWord`:
 * "Inc", "University", "Society") is an ORGANIZATION; one followed by up to four capitalised words the last
 * organisation word among which ends the name ("Iceland" + " Air Defense Council") grows over them as an
 * ORGANIZATION. (2) An ORGANIZATION ending in " of" takes the capitalised words that follow ("University of" +
 * "Halle"), or loses the " of" when none follow; one followed by " of [the]" + capitalised words takes them ("Bulgarian
 * Academy" + " of Sciences"). A span that grows takes the spans it now overlaps (their edges, not their type or score).
 * Linear in the text: sticky regexes without nested quantifiers over the same characters, each character read by at
 * most a few spans.
 */
export function growNerNames(ner: readonly NerSpan[], text: string): NerSpan[] {
  const out: NerSpan[] = [];
  const at = (re: RegExp, i: number): RegExpExecArray | null => {
    re.lastIndex = i;
    return re.exec(text);
  };
  let i = 0;
  while (i < ner.length) {
    let { type, end } = ner[i]!;
    const { start, score } = ner[i++]!;
    const growTo = (to: number): void => {
      end = Math.max(end, to);
      for (; i < ner.length && ner[i]!.start < end; i++) end = Math.max(end, ner[i]!.end);
    };
    if (endsWithOrganisationWord(text, start, end)) type = 'ORGANIZATION';
    const run = at(CAP_RUN, end);
    if (run) {
      const words = run[0].slice(1).split(' ');
      let k = words.length - 1;
      while (k >= 0 && !isOrganisationWord(words[k]!)) k--;
      if (k >= 0) {
        type = 'ORGANIZATION';
        growTo(end + 1 + words.slice(0, k + 1).join(' ').length);
      }
    }
    if (type === 'ORGANIZATION') {
      if (end - start > 3 && text.endsWith(' of', end)) {
        const after = at(AFTER_OF, end);
        if (after) growTo(end + after[0].length);
        else end -= 3;
      } else {
        const tail = at(OF_TAIL, end);
        if (tail) growTo(end + tail[0].length);
      }
    }
    out.push({ type, start, end, score });
  }
  return out;
}

/**
 * NER spans (sorted, disjoint) against the spans so far, in text order, as `mode` says: the spans that stay and the NER
 * spans taken. One sweep over both, sorted by start, with a max-heap (by score) of the spans started so far: those that
 * end before an NER span starts overlap no later one either and leave it; what is left overlaps the current NER span.
 * O((spans + NER spans) log spans), however the spans nest.
 */
export function mergeNer(spans: readonly PiiSpan[], ner: readonly NerSpan[], mode: NerMergeMode): { alive: PiiSpan[]; accepted: NerSpan[] } {
  if (mode === 'replace') return { alive: spans.filter((s) => !overlapsAny(ner, s.start, s.end)), accepted: [...ner] };
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.start - spans[b]!.start);
  const removed = new Uint8Array(spans.length);
  const heap = new ScoreHeap(spans);
  const accepted: NerSpan[] = [];
  let next = 0;
  for (const n of ner) {
    while (next < order.length && spans[order[next]!]!.start < n.end) heap.push(order[next++]!);
    while (heap.size > 0 && spans[heap.top]!.end <= n.start) heap.pop(); // ended before n: overlaps nothing from here on
    if (heap.size === 0) {
      accepted.push(n); // nothing overlaps it
      continue;
    }
    // fill: a span overlaps it; score: one that overlaps it scores higher (the heap's top is the best of them)
    if (mode === 'fill' || spans[heap.top]!.score > n.score) continue;
    accepted.push(n);
    for (const i of heap.drain()) if (spans[i]!.end > n.start) removed[i] = 1;
  }
  return { alive: spans.filter((_, i) => removed[i] === 0), accepted };
}

/** A binary max-heap of span indices by their spans' scores. */
class ScoreHeap {
  readonly #spans: readonly PiiSpan[];
  #items: number[] = [];
  constructor(spans: readonly PiiSpan[]) {
    this.#spans = spans;
  }
  get size(): number {
    return this.#items.length;
  }
  get top(): number {
    return this.#items[0]!;
  }
  push(i: number): void {
    const a = this.#items;
    a.push(i);
    for (let k = a.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1;
      if (this.#score(a[parent]!) >= this.#score(a[k]!)) break;
      [a[parent], a[k]] = [a[k]!, a[parent]!];
      k = parent;
    }
  }
  pop(): void {
    const a = this.#items;
    const last = a.pop()!;
    if (a.length === 0) return;
    a[0] = last;
    for (let k = 0; ; ) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < a.length && this.#score(a[l]!) > this.#score(a[m]!)) m = l;
      if (r < a.length && this.#score(a[r]!) > this.#score(a[m]!)) m = r;
      if (m === k) break;
      [a[m], a[k]] = [a[k]!, a[m]!];
      k = m;
    }
  }
  /** Every index held, emptying the heap. */
  drain(): number[] {
    const a = this.#items;
    this.#items = [];
    return a;
  }
  #score(i: number): number {
    return this.#spans[i]!.score;
  }
}

/** Whether `[start, end)` overlaps one of `sorted` (by start, disjoint): binary search, O(log spans). */
function overlapsAny(sorted: readonly NerSpan[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  const s = sorted[lo];
  return s !== undefined && s.start < end && start < s.end;
}
