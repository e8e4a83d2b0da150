/**
 * Tokenization from the model's own `tokenizer.json` via `@huggingface/tokenizers` (the tokenizer library that
 * transformers.js uses, without its ONNX Runtime dependency), plus character offsets into the original text.
 *
 * The library returns ids and token strings but no offsets, so offsets are recovered by replaying the
 * BertNormalizer character by character (keeping, for every normalized character, the UTF-16 range of the
 * original character it came from) and walking the token strings through the normalized text.
 * @module
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { ClassifierError } from '../errors.js';

/** Token ids plus `[start, end)` UTF-16 offsets per content token (special tokens excluded). */
export interface EncodedText {
  /** Content token ids, without the special tokens the template adds. */
  readonly ids: Int32Array;
  /** `offsets[2i]`, `offsets[2i+1]`: start/end of token i in the original text (UTF-16 code units). */
  readonly offsets: Int32Array;
}

interface NormalizerConfig {
  type?: string;
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  strip_accents?: boolean | null;
  lowercase?: boolean;
}

const isChineseChar = (cp: number): boolean =>
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x20000 && cp <= 0x2a6df) ||
  (cp >= 0x2a700 && cp <= 0x2b73f) ||
  (cp >= 0x2b740 && cp <= 0x2b81f) ||
  (cp >= 0x2b820 && cp <= 0x2ceaf) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0x2f800 && cp <= 0x2fa1f);

const CONTROL_RE = /^\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}$/u; // same expression (and precedence) as the library
const WS_RE = /^\s$/;
const MN_RE = /\p{Mn}/gu;
const PUNCT_RE = /[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]/u;
const SPACE_RE = /\s/;

/**
 * Normalized text plus, per UTF-16 unit of it, the original `[start, end)` it came from. Mirrors the library's
 * BertNormalizer step by step (including its UTF-16-unit CJK check) so the strings are identical.
 */
export function alignedNormalize(text: string, cfg: NormalizerConfig): { norm: string; starts: Int32Array; ends: Int32Array } {
  // Stage 1: clean_text over code points.
  let units: string[] = [];
  let st: number[] = [];
  let en: number[] = [];
  let i = 0;
  for (const ch of text) {
    const len = ch.length;
    const cp0 = ch.charCodeAt(0);
    if (cfg.clean_text && (cp0 === 0 || cp0 === 0xfffd || (ch !== '\t' && ch !== '\n' && ch !== '\r' && CONTROL_RE.test(ch)))) {
      i += len;
      continue;
    }
    const out = cfg.clean_text && WS_RE.test(ch) ? ' ' : ch;
    // Keep per-UTF-16-unit entries: both halves of a surrogate pair map to the whole pair.
    for (let k = 0; k < out.length; k++) {
      units.push(out[k]!);
      st.push(i);
      en.push(i + len);
    }
    i += len;
  }
  // Stage 2: CJK spacing, per UTF-16 unit (as the library does).
  if (cfg.handle_chinese_chars) {
    const u2: string[] = [];
    const s2: number[] = [];
    const e2: number[] = [];
    for (let k = 0; k < units.length; k++) {
      const u = units[k]!;
      if (isChineseChar(u.charCodeAt(0))) {
        u2.push(' ', u, ' ');
        s2.push(st[k]!, st[k]!, st[k]!);
        e2.push(en[k]!, en[k]!, en[k]!);
      } else {
        u2.push(u);
        s2.push(st[k]!);
        e2.push(en[k]!);
      }
    }
    units = u2;
    st = s2;
    en = e2;
  }
  const lowercase = cfg.lowercase === true;
  const strip = lowercase ? cfg.strip_accents !== false : cfg.strip_accents === true;
  if (!lowercase && !strip) return { norm: units.join(''), starts: Int32Array.from(st), ends: Int32Array.from(en) };

  // Stage 3/4: lowercase then NFD + drop Mn, per code point so alignment survives length changes.
  const joined = units.join('');
  const lowered = lowercase ? joined.toLowerCase() : joined;
  const sameLen = lowered.length === joined.length;
  const outU: string[] = [];
  const outS: number[] = [];
  const outE: number[] = [];
  let k = 0;
  while (k < units.length) {
    const cp = joined.codePointAt(k)!;
    const w = cp > 0xffff ? 2 : 1;
    // Context-sensitive lowercasing (final sigma) is kept when lengths agree.
    let piece = sameLen ? lowered.slice(k, k + w) : lowercase ? lowerOne(joined, k, w) : joined.slice(k, k + w);
    if (strip) piece = piece.normalize('NFD').replace(MN_RE, '');
    for (let j = 0; j < piece.length; j++) {
      outU.push(piece[j]!);
      outS.push(st[k]!);
      outE.push(en[k + w - 1]!);
    }
    k += w;
  }
  return { norm: outU.join(''), starts: Int32Array.from(outS), ends: Int32Array.from(outE) };
}

const LETTER_RE = /\p{L}/u;
/** Lowercases one code point of `s` at `k` (width `w`), keeping the final-sigma rule that whole-string lowercasing applies. */
function lowerOne(s: string, k: number, w: number): string {
  const ch = s.slice(k, k + w);
  if (ch === '\u03a3') {
    const before = k > 0 && LETTER_RE.test(String.fromCodePoint(s.codePointAt(k - 1 - (k > 1 && /[\udc00-\udfff]/.test(s[k - 1]!) ? 1 : 0))!));
    const after = k + 1 < s.length && LETTER_RE.test(String.fromCodePoint(s.codePointAt(k + 1)!));
    return before && !after ? '\u03c2' : '\u03c3';
  }
  return ch.toLowerCase();
}

/** The model's tokenizer: ids from `@huggingface/tokenizers`, offsets recovered by alignment. */
export class ModelTokenizer {
  readonly #tok: Tokenizer;
  readonly #normCfg: NormalizerConfig | null;
  readonly #unk: string | undefined;
  readonly #specialIds: ReadonlySet<number>;
  readonly #continuing: string;
  /** Template tokens before/after the content (e.g. `[CLS]` / `[SEP]`). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  /** Id used to pad batches. */
  readonly padId: number;
  /** Per vocabulary id: 1 when the token continues a word (WordPiece `##` piece). */
  readonly #continues: Uint8Array;
  /** Set when the tokenizer is BERT-style WordPiece: printable-ASCII texts are then encoded here, in one pass. */
  readonly #ascii: AsciiWordPiece | null;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown = {}) {
    try {
      this.#tok = new Tokenizer(tokenizerJson as object, (tokenizerConfig ?? {}) as object);
    } catch (cause) {
      throw new ClassifierError('tokenizer.json could not be loaded by @huggingface/tokenizers', { cause });
    }
    const tj = tokenizerJson as {
      normalizer?: NormalizerConfig | null;
      model?: { unk_token?: string; continuing_subword_prefix?: string };
      added_tokens?: { id: number; special?: boolean; content: string }[];
    };
    this.#normCfg = tj.normalizer?.type === 'BertNormalizer' ? tj.normalizer : null;
    this.#unk = tj.model?.unk_token;
    this.#continuing = tj.model?.continuing_subword_prefix ?? '##';
    this.#specialIds = new Set((tj.added_tokens ?? []).filter((t) => t.special).map((t) => t.id));
    // Template: find the content inside an encoding of a probe text.
    const probe = 'a';
    const bare = this.#tok.encode(probe, { add_special_tokens: false }).ids;
    const full = this.#tok.encode(probe, { add_special_tokens: true }).ids;
    const at = indexOfSeq(full, bare);
    this.prefixIds = Object.freeze(at >= 0 ? full.slice(0, at) : []);
    this.suffixIds = Object.freeze(at >= 0 ? full.slice(at + bare.length) : []);
    const cfg = (tokenizerConfig ?? {}) as { pad_token?: string };
    const padTok = cfg.pad_token ?? '[PAD]';
    this.padId = this.#tok.token_to_id(padTok) ?? 0;
    const vocab = this.#tok.get_vocab(true);
    let max = 0;
    for (const id of vocab.values()) max = Math.max(max, id);
    this.#continues = new Uint8Array(max + 1);
    const prefix = this.#continuing;
    for (const [tokStr, id] of vocab) if (tokStr.length > prefix.length && tokStr.startsWith(prefix)) this.#continues[id] = 1;
    this.#ascii = AsciiWordPiece.from(tokenizerJson, vocab);
  }

  /** Per token of `ids`: 1 when it continues a word (a `##` piece). */
  continuationMask(ids: Int32Array): Uint8Array {
    const out = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.#continues[ids[i]!] ?? 0;
    return out;
  }

  /** Number of template tokens added around the content. */
  get specialCount(): number {
    return this.prefixIds.length + this.suffixIds.length;
  }

  /** Library encoding with special tokens (what transformers.js would feed the model). */
  encodeWithSpecials(text: string): number[] {
    return this.#tok.encode(text, { add_special_tokens: true }).ids;
  }

  /**
   * Content ids and offsets (`withOffsets: false` skips the alignment and leaves offsets zero). `asciiFastPath: false`
   * forces the library path (tests compare the two). Linear in the text (src/linear-time.test.ts): a word longer than
   * `max_input_chars_per_word` (100) is one unknown token, so WordPiece's longest-match search is bounded per word.
   */
  encode(text: string, withOffsets = true, asciiFastPath = true): EncodedText {
    const fast = asciiFastPath ? this.#ascii?.encode(text) : null;
    if (fast) return fast;
    const enc = this.#tok.encode(text, { add_special_tokens: false });
    const n = enc.ids.length;
    const ids = Int32Array.from(enc.ids);
    const offsets = new Int32Array(2 * n);
    if (n === 0 || !withOffsets) return { ids, offsets };
    if (this.#normCfg) this.#alignBert(text, enc.tokens, enc.ids, offsets);
    else this.#alignGeneric(text, enc.ids, offsets);
    return { ids, offsets };
  }

  #alignBert(text: string, tokens: readonly string[], ids: readonly number[], offsets: Int32Array): void {
    const { norm, starts, ends } = alignedNormalize(text, this.#normCfg!);
    const cp = this.#continuing;
    let cur = 0;
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t]!;
      while (cur < norm.length && SPACE_RE.test(norm[cur]!)) cur++;
      let s = cur;
      let e: number;
      const origAt = s < norm.length ? starts[s]! : text.length;
      const literal = this.#specialIds.has(ids[t]!) ? text.indexOf(tok, origAt) : -1;
      if (literal >= 0 && literal - origAt < 64 && /^\s*$/.test(text.slice(origAt, literal))) {
        // An added special token typed in the text (`[CLS]`, `[UNK]`, …): it is matched in the original text.
        offsets[2 * t] = literal;
        offsets[2 * t + 1] = literal + tok.length;
        while (cur < norm.length && starts[cur]! < literal + tok.length) cur++;
        continue;
      }
      if (tok === this.#unk) {
        // [UNK] covers one punctuation char or a whole word.
        e = s;
        if (e < norm.length && PUNCT_RE.test(norm[e]!)) e++;
        else while (e < norm.length && !SPACE_RE.test(norm[e]!) && !PUNCT_RE.test(norm[e]!)) e++;
      } else {
        const piece = tok.startsWith(cp) && t > 0 ? tok.slice(cp.length) : tok;
        if (norm.startsWith(piece, cur)) {
          e = cur + piece.length;
        } else {
          // Bounded search: a piece is never far from the cursor (keeps long inputs linear).
          const near = norm.slice(cur, cur + 256).indexOf(piece);
          const at = near >= 0 ? cur + near : -1;
          s = at >= 0 ? at : cur;
          e = at >= 0 ? at + piece.length : cur;
        }
      }
      if (e > s) {
        offsets[2 * t] = starts[s]!;
        offsets[2 * t + 1] = ends[e - 1]!;
        cur = e;
      } else {
        const o = s < norm.length ? starts[s]! : text.length;
        offsets[2 * t] = o;
        offsets[2 * t + 1] = o;
      }
    }
  }

  /** Fallback for non-Bert tokenizers (bring-your-own models): locate each decoded token in the text. */
  #alignGeneric(text: string, ids: readonly number[], offsets: Int32Array): void {
    const lower = text.toLowerCase();
    let cur = 0;
    for (let t = 0; t < ids.length; t++) {
      const piece = this.#tok.decode([ids[t]!], { skip_special_tokens: true }).trim().toLowerCase();
      const at = piece ? lower.indexOf(piece, cur) : -1;
      if (at >= 0 && at - cur < 64) {
        offsets[2 * t] = at;
        offsets[2 * t + 1] = at + piece.length;
        cur = at + piece.length;
      } else {
        offsets[2 * t] = cur;
        offsets[2 * t + 1] = cur;
      }
    }
  }
}

/** Printable ASCII plus tab and line breaks: BertNormalizer leaves such text the same length (no control characters to drop, no accents, no CJK). */
const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;

/**
 * BERT-style WordPiece for printable-ASCII text, ids and offsets in one pass. The library path (normalise, pre-tokenize,
 * WordPiece, then offsets recovered by replaying the normaliser) costs ~0.3 ms for a 64-token prompt; most prompts are
 * ASCII, where normalisation is only lower-casing and whitespace, so each character keeps its position. Same rules as
 * the library: words are runs of letters and digits, every other printable character is a word of its own (BertPreTokenizer:
 * all ASCII symbols are punctuation), greedy longest-match pieces with the continuation prefix, a word longer than
 * `max_input_chars_per_word` or with no matching piece is one unknown token. Texts that contain an added token's text
 * (`[CLS]` typed in a prompt) take the library path. Equality with the library is tested on random ASCII strings.
 */
class AsciiWordPiece {
  private constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    private readonly unkId: number,
    private readonly prefix: string,
    private readonly maxWordChars: number,
    private readonly lowercase: boolean,
    private readonly addedLower: readonly string[],
  ) {}

  static from(tokenizerJson: unknown, vocab: ReadonlyMap<string, number>): AsciiWordPiece | null {
    const tj = tokenizerJson as {
      normalizer?: NormalizerConfig | null;
      pre_tokenizer?: { type?: string } | null;
      model?: { type?: string; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
      added_tokens?: { content: string }[];
    };
    const n = tj.normalizer;
    if (n?.type !== 'BertNormalizer' || n.clean_text !== true || tj.pre_tokenizer?.type !== 'BertPreTokenizer' || tj.model?.type !== 'WordPiece') return null;
    const unkId = vocab.get(tj.model.unk_token ?? '[UNK]');
    if (unkId === undefined) return null;
    const added = (tj.added_tokens ?? []).map((t) => t.content.toLowerCase()).filter((t) => t.length > 0);
    return new AsciiWordPiece(vocab, unkId, tj.model.continuing_subword_prefix ?? '##', tj.model.max_input_chars_per_word ?? 100, n.lowercase === true, added);
  }

  /** `null` when the text is not printable ASCII or contains an added token (the caller takes the library path). */
  encode(text: string): EncodedText | null {
    if (!PRINTABLE_ASCII.test(text)) return null;
    const norm = this.lowercase ? text.toLowerCase() : text;
    const lower = this.lowercase ? norm : text.toLowerCase();
    if (this.addedLower.some((t) => lower.includes(t))) return null;
    const ids: number[] = [];
    const offsets: number[] = [];
    let i = 0;
    while (i < norm.length) {
      const c = norm.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
        i++;
        continue;
      }
      let end = i + 1;
      if (isAlnum(c)) while (end < norm.length && isAlnum(norm.charCodeAt(end))) end++;
      this.#word(norm, i, end, ids, offsets);
      i = end;
    }
    return { ids: Int32Array.from(ids), offsets: Int32Array.from(offsets) };
  }

  #word(norm: string, start: number, end: number, ids: number[], offsets: number[]): void {
    if (end - start > this.maxWordChars) {
      ids.push(this.unkId);
      offsets.push(start, end);
      return;
    }
    const mark = ids.length;
    let at = start;
    while (at < end) {
      let stop = end;
      let id: number | undefined;
      for (; stop > at; stop--) {
        id = this.vocab.get(at === start ? norm.slice(at, stop) : this.prefix + norm.slice(at, stop));
        if (id !== undefined) break;
      }
      if (id === undefined) {
        ids.length = mark;
        offsets.length = 2 * mark;
        ids.push(this.unkId);
        offsets.push(start, end);
        return;
      }
      ids.push(id);
      offsets.push(at, stop);
      at = stop;
    }
  }
}

const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

function indexOfSeq(hay: readonly number[], needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
