/**
 * Linear-time keyword matching. Plain keywords are matched with `indexOf` over the text plus word-boundary
 * checks; keywords that use regex syntax (vSR treats keywords as RE2 patterns) are compiled to a small
 * Pike VM (Thompson NFA simulation): O(text × pattern), no backtracking, so no ReDoS. Unsupported regex
 * features (backreferences, lookaround) are rejected at config load, never executed.
 * @module
 */

/** A keyword compiled for matching. */
export interface CompiledKeyword {
  readonly source: string;
  readonly kind: 'literal' | 'regex';
  /** True when the keyword occurs in `text`. `lowered` must be `text.toLowerCase()` (computed once per text). */
  test(text: string, lowered: string): boolean;
}

/** Thrown by {@link compileKeyword} for patterns outside the supported, linear-time subset. */
export class KeywordPatternError extends Error {}

const REGEX_HINT = /[\\[(|^$]|\{\d/;

/**
 * Whether a keyword is treated as a regular expression: it contains `\`, `[`, `(`, `|`, `^`, `$` or `{n`,
 * or starts with `re:`. Keywords like `C++` or `why?` stay literal.
 */
export function isRegexKeyword(kw: string): boolean {
  return kw.startsWith('re:') || REGEX_HINT.test(kw);
}

/** An error message when `kw` cannot be compiled, else undefined (used by config validation). */
export function keywordProblem(kw: string): string | undefined {
  try {
    compileKeyword(kw, false);
    return undefined;
  } catch (err) {
    return `keyword pattern not supported: ${err instanceof Error ? err.message : String(err)} (supported: literals, classes, groups, |, *, +, ?, {n,m}, ^, $, \\b, \\d, \\w, \\s, (?i))`;
  }
}

/** Compiles one keyword. Throws {@link KeywordPatternError} for unsupported regex syntax. */
export function compileKeyword(kw: string, caseSensitive: boolean): CompiledKeyword {
  if (!isRegexKeyword(kw)) return compileLiteral(kw, caseSensitive);
  const src = kw.startsWith('re:') ? kw.slice(3) : kw;
  const prog = compileRegex(src, !caseSensitive);
  return { source: kw, kind: 'regex', test: (text) => runPike(prog, text) };
}

// ---------------- literals ----------------

/** Word characters for boundary checks: letters, digits, marks and `_` in any script. */
export function isWordCode(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return WORD_RE.test(String.fromCharCode(c));
}
const WORD_RE = /[\p{L}\p{N}\p{M}]/u;
/** Scripts written without spaces between words: no word-boundary requirement for literal keywords. */
const UNSPACED_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** Word character of a script that separates words with spaces (so a keyword edge needs a boundary there). */
function needsBoundary(c: number): boolean {
  return isWordCode(c) && (c < 128 || !UNSPACED_RE.test(String.fromCharCode(c)));
}

function compileLiteral(kw: string, caseSensitive: boolean): CompiledKeyword {
  const needle = caseSensitive ? kw : kw.toLowerCase();
  const startsWord = needsBoundary(needle.charCodeAt(0));
  const endsWord = needsBoundary(needle.charCodeAt(needle.length - 1));
  return {
    source: kw,
    kind: 'literal',
    test(text, lowered) {
      const hay = caseSensitive ? text : lowered;
      let from = 0;
      for (;;) {
        const i = hay.indexOf(needle, from);
        if (i < 0) return false;
        const end = i + needle.length;
        const okStart = !startsWord || i === 0 || !needsBoundary(hay.charCodeAt(i - 1));
        const okEnd = !endsWord || end === hay.length || !needsBoundary(hay.charCodeAt(end));
        if (okStart && okEnd) return true;
        from = i + 1;
      }
    },
  };
}

// ---------------- regex: parser ----------------

type Range = readonly [number, number];
type Node =
  | { t: 'set'; ranges: Range[]; neg: boolean }
  | { t: 'any' }
  | { t: 'assert'; k: 'bol' | 'eol' | 'wb' | 'nwb' }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }; // max = -1: unbounded

const MAX_REPEAT = 1000;
const MAX_PROGRAM = 20_000;
const DIGIT: Range[] = [[48, 57]];
const WORD: Range[] = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE: Range[] = [[9, 13], [32, 32], [160, 160], [0x2028, 0x2029]];

class Parser {
  i = 0;
  ignoreCase: boolean;
  constructor(
    readonly s: string,
    ignoreCase: boolean,
  ) {
    this.ignoreCase = ignoreCase;
    if (s.startsWith('(?i)')) {
      this.ignoreCase = true;
      this.i = 4;
    }
  }
  fail(msg: string): never {
    throw new KeywordPatternError(`${msg} at offset ${this.i}`);
  }
  parse(): Node {
    const n = this.alt();
    if (this.i < this.s.length) this.fail(`unexpected ${JSON.stringify(this.s[this.i])}`);
    return n;
  }
  alt(): Node {
    const items = [this.cat()];
    while (this.s[this.i] === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }
  cat(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') items.push(this.repeat());
    return { t: 'cat', items };
  }
  repeat(): Node {
    let atom = this.atom();
    for (;;) {
      const c = this.s[this.i];
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, -1];
      else if (c === '+') [min, max] = [1, -1];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.s.slice(this.i, this.i + 16))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT) this.fail(`repetition count above ${MAX_REPEAT}`);
        if (max !== -1 && max < min) this.fail('repetition {n,m} with m < n');
        this.i += m[0].length - 1;
      } else return atom;
      this.i++;
      if (this.s[this.i] === '?' || this.s[this.i] === '+') this.i++; // lazy / possessive: same match set
      if (atom.t === 'assert') this.fail('nothing to repeat');
      atom = { t: 'rep', node: atom, min, max };
    }
  }
  atom(): Node {
    const c = this.s[this.i]!;
    switch (c) {
      case '(': {
        this.i++;
        if (this.s[this.i] === '?') {
          const rest = this.s.slice(this.i, this.i + 3);
          if (rest.startsWith('?:')) this.i += 2;
          else if (rest.startsWith('?P<') || (rest.startsWith('?<') && rest[2] !== '=' && rest[2] !== '!')) {
            const close = this.s.indexOf('>', this.i);
            if (close < 0) this.fail('unterminated group name');
            this.i = close + 1;
          } else this.fail('lookaround and inline flags other than a leading (?i) are not supported');
        }
        const inner = this.alt();
        if (this.s[this.i] !== ')') this.fail('missing )');
        this.i++;
        return inner;
      }
      case ')':
        return this.fail('unmatched )');
      case '[':
        return this.cls();
      case '.':
        this.i++;
        return { t: 'any' };
      case '^':
        this.i++;
        return { t: 'assert', k: 'bol' };
      case '$':
        this.i++;
        return { t: 'assert', k: 'eol' };
      case '*':
      case '+':
      case '?':
        return this.fail('nothing to repeat');
      case '\\':
        return this.escape(false);
      default: {
        const cp = this.s.charCodeAt(this.i);
        this.i++;
        return { t: 'set', ranges: [[cp, cp]], neg: false };
      }
    }
  }
  escape(inClass: boolean): Node {
    this.i++;
    const c = this.s[this.i];
    if (c === undefined) this.fail('trailing backslash');
    this.i++;
    switch (c) {
      case 'd':
        return { t: 'set', ranges: DIGIT, neg: false };
      case 'D':
        return { t: 'set', ranges: DIGIT, neg: true };
      case 'w':
        return { t: 'set', ranges: WORD, neg: false };
      case 'W':
        return { t: 'set', ranges: WORD, neg: true };
      case 's':
        return { t: 'set', ranges: SPACE, neg: false };
      case 'S':
        return { t: 'set', ranges: SPACE, neg: true };
      case 'b':
        if (inClass) return lit(8);
        return { t: 'assert', k: 'wb' };
      case 'B':
        if (inClass) this.fail('\\B in a class');
        return { t: 'assert', k: 'nwb' };
      case 'n':
        return lit(10);
      case 'r':
        return lit(13);
      case 't':
        return lit(9);
      case 'f':
        return lit(12);
      case 'v':
        return lit(11);
      case 'x': {
        const m = /^[0-9a-fA-F]{2}/.exec(this.s.slice(this.i));
        if (!m) this.fail('bad \\x escape');
        this.i += 2;
        return lit(parseInt(m[0], 16));
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{4}/.exec(this.s.slice(this.i));
        if (!m) this.fail('bad \\u escape');
        this.i += 4;
        return lit(parseInt(m[0], 16));
      }
      default:
        if (/[1-9]/.test(c) || c === 'k') this.fail('backreferences are not supported');
        if (/[A-Za-z0-9]/.test(c)) this.fail(`unknown escape \\${c}`);
        return lit(c.charCodeAt(0));
    }
  }
  cls(): Node {
    this.i++;
    let neg = false;
    if (this.s[this.i] === '^') {
      neg = true;
      this.i++;
    }
    const ranges: Range[] = [];
    let first = true;
    while (this.i < this.s.length && (this.s[this.i] !== ']' || first)) {
      first = false;
      let lo: number;
      if (this.s[this.i] === '\\') {
        const e = this.escape(true);
        if (e.t !== 'set') this.fail('bad escape in class');
        if (e.neg || e.ranges.length !== 1 || e.ranges[0]![0] !== e.ranges[0]![1]) {
          if (e.neg) this.fail('negated shorthand classes inside [] are not supported');
          ranges.push(...e.ranges);
          continue;
        }
        lo = e.ranges[0]![0];
      } else if (this.s.startsWith('[:', this.i)) {
        return this.fail('POSIX classes are not supported');
      } else {
        lo = this.s.charCodeAt(this.i);
        this.i++;
      }
      if (this.s[this.i] === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        let hi: number;
        if (this.s[this.i] === '\\') {
          const e = this.escape(true);
          if (e.t !== 'set' || e.neg || e.ranges.length !== 1 || e.ranges[0]![0] !== e.ranges[0]![1]) this.fail('bad class range');
          hi = e.ranges[0]![0];
        } else {
          hi = this.s.charCodeAt(this.i);
          this.i++;
        }
        if (hi < lo) this.fail('class range out of order');
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    if (this.s[this.i] !== ']') this.fail('missing ]');
    this.i++;
    return { t: 'set', ranges, neg };
  }
}

function lit(c: number): Node {
  return { t: 'set', ranges: [[c, c]], neg: false };
}

// ---------------- regex: compiler to Pike VM program ----------------

const enum Op {
  Set,
  Any,
  Split,
  Jmp,
  Assert,
  Match,
}
interface Inst {
  op: Op;
  x: number;
  y: number;
  ranges?: Range[];
  neg?: boolean;
  k?: 'bol' | 'eol' | 'wb' | 'nwb';
}
interface Program {
  insts: Inst[];
  ignoreCase: boolean;
}

function compileRegex(src: string, ignoreCase: boolean): Program {
  if (src.length === 0) throw new KeywordPatternError('empty pattern');
  const parser = new Parser(src, ignoreCase);
  const ast = parser.parse();
  const insts: Inst[] = [];
  const emit = (inst: Inst): number => {
    if (insts.length >= MAX_PROGRAM) throw new KeywordPatternError(`pattern too large (over ${MAX_PROGRAM} instructions)`);
    insts.push(inst);
    return insts.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case 'set':
        emit({ op: Op.Set, x: 0, y: 0, ranges: n.ranges, neg: n.neg });
        return;
      case 'any':
        emit({ op: Op.Any, x: 0, y: 0 });
        return;
      case 'assert':
        emit({ op: Op.Assert, x: 0, y: 0, k: n.k });
        return;
      case 'cat':
        n.items.forEach(gen);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.items.forEach((item, idx) => {
          if (idx < n.items.length - 1) {
            const split = emit({ op: Op.Split, x: 0, y: 0 });
            insts[split]!.x = insts.length;
            gen(item);
            jumps.push(emit({ op: Op.Jmp, x: 0, y: 0 }));
            insts[split]!.y = insts.length;
          } else gen(item);
        });
        for (const j of jumps) insts[j]!.x = insts.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === -1) {
          const split = emit({ op: Op.Split, x: 0, y: 0 });
          insts[split]!.x = insts.length;
          gen(n.node);
          emit({ op: Op.Jmp, x: split, y: 0 });
          insts[split]!.y = insts.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = emit({ op: Op.Split, x: 0, y: 0 });
            insts[split]!.x = insts.length;
            splits.push(split);
            gen(n.node);
          }
          for (const s of splits) insts[s]!.y = insts.length;
        }
        return;
      }
    }
  };
  gen(ast);
  emit({ op: Op.Match, x: 0, y: 0 });
  return { insts, ignoreCase: parser.ignoreCase };
}

// ---------------- regex: Pike VM ----------------

function inRanges(ranges: Range[], c: number): boolean {
  for (const [lo, hi] of ranges) if (c >= lo && c <= hi) return true;
  return false;
}

function fold(c: number, upper: boolean): number {
  const s = String.fromCharCode(c);
  const f = upper ? s.toUpperCase() : s.toLowerCase();
  return f.length === 1 ? f.charCodeAt(0) : c;
}

function setMatches(inst: Inst, c: number, ignoreCase: boolean): boolean {
  const r = inst.ranges!;
  let hit = inRanges(r, c);
  if (!hit && ignoreCase) hit = inRanges(r, fold(c, false)) || inRanges(r, fold(c, true));
  return hit !== inst.neg;
}

function assertHolds(k: Inst['k'], text: string, i: number): boolean {
  switch (k) {
    case 'bol':
      return i === 0 || text.charCodeAt(i - 1) === 10;
    case 'eol':
      return i === text.length || text.charCodeAt(i) === 10;
    default: {
      const before = i > 0 && isWordCode(text.charCodeAt(i - 1));
      const after = i < text.length && isWordCode(text.charCodeAt(i));
      return k === 'wb' ? before !== after : before === after;
    }
  }
}

/** Unanchored search: true if the program matches anywhere in `text`. O(text.length × program size). */
function runPike(prog: Program, text: string): boolean {
  const { insts, ignoreCase } = prog;
  const n = insts.length;
  let clist = new Int32Array(n);
  let nlist = new Int32Array(n);
  let clen = 0;
  let nlen = 0;
  const mark = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n * 2 + 2);
  let gen = 0;
  // Adds pc and its epsilon closure (at position i) to the list.
  const add = (list: Int32Array, len: number, pc0: number, i: number): number => {
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = insts[pc]!;
      switch (inst.op) {
        case Op.Jmp:
          stack[sp++] = inst.x;
          break;
        case Op.Split:
          stack[sp++] = inst.y;
          stack[sp++] = inst.x;
          break;
        case Op.Assert:
          if (assertHolds(inst.k, text, i)) stack[sp++] = pc + 1;
          break;
        default:
          list[len++] = pc;
      }
    }
    return len;
  };
  for (let i = 0; i <= text.length; i++) {
    gen++;
    // Re-add existing threads' closure marks for this generation, then a new thread at pc 0 (unanchored).
    for (let t = 0; t < clen; t++) mark[clist[t]!] = gen;
    clen = add(clist, clen, 0, i);
    if (clen === 0) continue;
    gen++;
    nlen = 0;
    const c = i < text.length ? text.charCodeAt(i) : -1;
    for (let t = 0; t < clen; t++) {
      const pc = clist[t]!;
      const inst = insts[pc]!;
      switch (inst.op) {
        case Op.Match:
          return true;
        case Op.Set:
          if (c >= 0 && setMatches(inst, c, ignoreCase)) nlen = add(nlist, nlen, pc + 1, i + 1);
          break;
        case Op.Any:
          if (c >= 0 && c !== 10) nlen = add(nlist, nlen, pc + 1, i + 1);
          break;
      }
    }
    [clist, nlist] = [nlist, clist];
    clen = nlen;
  }
  return false;
}
