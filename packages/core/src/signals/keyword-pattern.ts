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

/**
 * The operations the Pike VM performs to test a regex keyword against `text` (positions scanned, threads stepped,
 * instructions followed): the work that linear-time tests compare at two sizes. Not on the matching path (same VM,
 * same answer as {@link compileKeyword}'s `test`). Throws {@link KeywordPatternError} for a literal keyword (those
 * are matched with `indexOf`, not the VM) or unsupported syntax.
 */
export function regexKeywordSteps(kw: string, text: string, caseSensitive = false): number {
  if (!isRegexKeyword(kw)) throw new KeywordPatternError(`not a regex keyword: ${kw}`);
  const work = { steps: 0 };
  pikeSearcher(compileRegex(kw.startsWith('re:') ? kw.slice(3) : kw, !caseSensitive), text, work)(0, true);
  return work.steps;
}

/**
 * A pattern compiled for span search (custom PII recognizers): every match in a text, leftmost-longest and
 * non-overlapping, on the same Pike VM as keyword patterns, so no input makes it backtrack.
 */
export interface SpanPattern {
  readonly source: string;
  /** The longest text a match can cover (UTF-16 code units). */
  readonly maxWidth: number;
  /** Start and end offsets (UTF-16 code units) of every match, in text order. */
  find(text: string): Array<readonly [number, number]>;
}

/** The longest match a span pattern may have: bounds the work after each match, keeping the search linear in the text. */
export const MAX_SPAN_PATTERN_WIDTH = 128;
/**
 * The most character positions (character tests, repetitions unrolled) a span pattern may have: at most one thread
 * per position is alive, so this bounds the search's steps per character of the text.
 */
export const MAX_SPAN_PATTERN_POSITIONS = 128;
const MAX_SPAN_PROGRAM = 4 * MAX_SPAN_PATTERN_POSITIONS + 64;

/**
 * Compiles a span pattern. Besides keyword patterns' limits it must have bounded repetition (`{1,64}`, not `+` or `*`):
 * its matches are at most {@link MAX_SPAN_PATTERN_WIDTH} long and never empty, and it has at most
 * {@link MAX_SPAN_PATTERN_POSITIONS} character positions. Then finding every match costs O(text × (width + positions))
 * whatever the text. Throws {@link KeywordPatternError} saying what is wrong and where.
 */
export function compileSpanPattern(src: string, caseSensitive: boolean): SpanPattern {
  if (src.length === 0) throw new KeywordPatternError('empty pattern');
  const parser = new Parser(src, !caseSensitive);
  const ast = parser.parse();
  const { min, max, unboundedAt } = widthOf(ast);
  if (max < 0) {
    throw new KeywordPatternError(
      `unbounded repetition${unboundedAt ? ` (${unboundedAt})` : ''}: write a bounded one such as {1,64}; a match may be at most ${MAX_SPAN_PATTERN_WIDTH} characters long`,
    );
  }
  if (max > MAX_SPAN_PATTERN_WIDTH) throw new KeywordPatternError(`a match could be ${max} characters long, over the limit of ${MAX_SPAN_PATTERN_WIDTH}: lower the repetition counts`);
  if (min === 0) throw new KeywordPatternError('the pattern can match empty text: make at least one character required');
  const prog = generate(ast, parser.ignoreCase, MAX_SPAN_PROGRAM);
  const positions = prog.insts.filter((i) => i.op === Op.Set || i.op === Op.Any).length;
  if (positions > MAX_SPAN_PATTERN_POSITIONS) {
    throw new KeywordPatternError(
      `pattern too large: ${positions} character positions once repetitions are unrolled, over the limit of ${MAX_SPAN_PATTERN_POSITIONS} (each costs a step per character screened): lower the repetition counts or split it into several patterns`,
    );
  }
  return { source: src, maxWidth: max, find: (text) => findSpans(prog, text) };
}

/** Shortest and longest text `n` can match (`max` -1: unbounded), and the first unbounded repetition's operator. */
function widthOf(n: Node): { min: number; max: number; unboundedAt?: string } {
  switch (n.t) {
    case 'set':
    case 'any':
      return { min: 1, max: 1 };
    case 'assert':
      return { min: 0, max: 0 };
    case 'cat':
    case 'alt': {
      const parts = n.items.map(widthOf);
      const unboundedAt = parts.find((p) => p.unboundedAt)?.unboundedAt;
      const min = n.t === 'cat' ? parts.reduce((a, p) => a + p.min, 0) : Math.min(...parts.map((p) => p.min));
      const max = parts.some((p) => p.max < 0) ? -1 : n.t === 'cat' ? parts.reduce((a, p) => a + p.max, 0) : Math.max(0, ...parts.map((p) => p.max));
      return unboundedAt ? { min, max, unboundedAt } : { min, max };
    }
    case 'rep': {
      const inner = widthOf(n.node);
      const op = n.min === 0 ? '*' : n.min === 1 ? '+' : `{${n.min},}`;
      if (n.max < 0) return { min: inner.min * n.min, max: -1, unboundedAt: inner.unboundedAt ?? `${op} at offset ${n.at}` };
      return inner.max < 0 ? { ...inner, min: inner.min * n.min } : { min: inner.min * n.min, max: inner.max * n.max };
    }
  }
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
  | { t: 'rep'; node: Node; min: number; max: number; at: number }; // max = -1: unbounded; at: the quantifier's offset

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
      const at = this.i;
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
      atom = { t: 'rep', node: atom, min, max, at };
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
  return generate(parser.parse(), parser.ignoreCase, MAX_PROGRAM);
}

function generate(ast: Node, ignoreCase: boolean, maxProgram: number): Program {
  const insts: Inst[] = [];
  const emit = (inst: Inst): number => {
    if (insts.length >= maxProgram) throw new KeywordPatternError(`pattern too large (over ${maxProgram} instructions)`);
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
  return { insts, ignoreCase };
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

/**
 * Whether character `c` is in the instruction's set; `lower` / `upper` are its case folds (`c` itself when case
 * matters), computed once per character rather than once per thread.
 */
function setMatches(inst: Inst, c: number, lower: number, upper: number): boolean {
  const r = inst.ranges!;
  const hit = inRanges(r, c) || (lower !== c && inRanges(r, lower)) || (upper !== c && inRanges(r, upper));
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
  return pikeSearcher(prog, text)(0, true) !== null;
}

/**
 * Every leftmost-longest match of `prog` in `text`, non-overlapping, as [start, end) pairs; the next search starts at
 * a match's end. O(text × (width + program)) for bounded-width programs (see `pikeSearcher`).
 */
function findSpans(prog: Program, text: string): Array<readonly [number, number]> {
  const search = pikeSearcher(prog, text);
  const out: Array<readonly [number, number]> = [];
  for (let from = 0, m = search(0, false); m !== null; m = from <= text.length ? search(from, false) : null) {
    out.push(m);
    from = Math.max(m[1], m[0] + 1);
  }
  return out;
}

/**
 * A Pike VM (Thompson NFA simulation) over `text`: `search(from, firstOnly)` runs from `from` and returns the
 * leftmost-longest match, or with `firstOnly` the first match any thread reaches, or null. Threads carry the position
 * they started at; once one matches, no new threads start and only those that started no later keep running (a
 * longer or more leftward match) — for a program of bounded width at most that width more characters. Lists stay
 * ordered by start (threads carried over first, a new thread last; a pc reached twice keeps the earlier start), so
 * the leftmost start wins every tie. O((characters scanned) × program size); state is allocated once per text.
 * With `work`, each search adds the operations it performed to `work.steps` (see {@link regexKeywordSteps}).
 */
function pikeSearcher(prog: Program, text: string, work?: { steps: number }): (from: number, firstOnly: boolean) => readonly [number, number] | null {
  const { insts, ignoreCase } = prog;
  const n = insts.length;
  let clist = new Int32Array(n);
  let nlist = new Int32Array(n);
  let cstart = new Int32Array(n);
  let nstart = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n * 2 + 2);
  let gen = 0;
  let steps = 0; // operations of the current search, for `work`: a counter is cheaper than a branch per operation
  // Adds pc and its epsilon closure (at position i) to the list, as threads that started at `start`.
  const add = (list: Int32Array, starts: Int32Array, len: number, pc0: number, i: number, start: number): number => {
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      steps++;
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
          starts[len] = start;
          list[len++] = pc;
      }
    }
    return len;
  };
  const finish = (match: readonly [number, number] | null): readonly [number, number] | null => {
    if (work) work.steps += steps;
    steps = 0;
    return match;
  };
  return (from, firstOnly) => {
    let clen = 0;
    let bestStart = -1;
    let bestEnd = -1;
    for (let i = from; i <= text.length; i++) {
      steps++; // the position
      gen++;
      // Existing threads' pcs are marked for this generation first, so the new thread at pc 0 does not repeat them.
      for (let t = 0; t < clen; t++) mark[clist[t]!] = gen;
      if (bestStart < 0) clen = add(clist, cstart, clen, 0, i, i);
      if (clen === 0) {
        if (bestStart >= 0) break;
        continue;
      }
      gen++;
      let nlen = 0;
      const c = i < text.length ? text.charCodeAt(i) : -1;
      const lower = ignoreCase && c >= 0 ? fold(c, false) : c;
      const upper = ignoreCase && c >= 0 ? fold(c, true) : c;
      steps += clen; // the threads stepped (at most)
      for (let t = 0; t < clen; t++) {
        const start = cstart[t]!;
        if (bestStart >= 0 && start > bestStart) break; // later starts cannot be leftmost
        const inst = insts[clist[t]!]!;
        switch (inst.op) {
          case Op.Match:
            if (firstOnly) return finish([start, i]);
            if (bestStart < 0 || start < bestStart || i > bestEnd) [bestStart, bestEnd] = [start, i];
            break;
          case Op.Set:
            if (c >= 0 && setMatches(inst, c, lower, upper)) nlen = add(nlist, nstart, nlen, clist[t]! + 1, i + 1, start);
            break;
          case Op.Any:
            if (c >= 0 && c !== 10) nlen = add(nlist, nstart, nlen, clist[t]! + 1, i + 1, start);
            break;
        }
      }
      [clist, nlist] = [nlist, clist];
      [cstart, nstart] = [nstart, cstart];
      clen = nlen;
    }
    return finish(bestStart < 0 ? null : [bestStart, bestEnd]);
  };
}
