/**
 * The lexical guard of the semantic cache. The shipped model's pooled embedding places a question and its
 * near-miss ("capital of France" / "capital of Germany", "reverse a list" / "reverse a string") closer together
 * than two paraphrases of one question (measured: README, "Semantic response cache"), so similarity alone cannot
 * tell them apart. A hit must therefore also pass this check on the words themselves: the same numbers, and no
 * content word swapped for another. Prompts are reduced to a signature of hashed word stems, so a cache entry
 * holds no prompt text.
 * @module
 */

/** A prompt's lexical signature: 32-bit hashes of its number tokens and of its content-word stems (sorted, unique). */
export interface PromptSignature {
  readonly numbers: readonly number[];
  readonly words: readonly number[];
  /** Generic words a paraphrase may add or drop ("which *city* is the capital of France"), hashed. */
  readonly soft: readonly number[];
}

/** How far two signatures may differ and still count as the same question. */
export interface GuardOptions {
  /**
   * Content words one prompt may have that the other lacks, when the other has none the first lacks. Default 0: an
   * added word often changes the question ("sort a list" / "sort a list in descending order", "capital of France" /
   * "population of the capital of France"); only the generic words of the guard's `SOFT_WORDS` list may be added freely. A word
   * swapped for another is never accepted.
   */
  readonly maxExtraWords: number;
}

/** The guard every cache lookup uses: no extra content words (see {@link GuardOptions.maxExtraWords}). */
export const DEFAULT_GUARD: GuardOptions = Object.freeze({ maxExtraWords: 0 });

/**
 * Words that name the kind of thing asked about, or hedge, rather than what it is: a paraphrase adds or drops them
 * ("which city is the capital …", "what's the command to …", "what is the full name of …"). One side may have
 * some the other lacks; two different ones on both sides ("largest city" / "largest country") still count as a swap.
 */
const SOFT_WORDS: ReadonlySet<string> = new Set(
  (
    'city town country nation planet language number year date name names full command commands code program script function ' +
    'method process step steps example value values item items element elements type kind term word exactly actually currently ' +
    'typically usually generally commonly normally really basically mainly mostly main total overall approximately roughly ' +
    'statement query syntax option flag recommended common new'
  ).split(/\s+/),
);

// Function words, question words and the verbs and fillers of a request ("how can I", "please tell me", "what's the
// way to"): they carry the form of a question, not what it is about. Negations, quantifiers, comparatives and
// directions are deliberately absent: "without", "largest", "vertically" change the answer.
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the this that these those there here it its it\'s i me my mine we us our you your yours he him his she her they them their ' +
    'is am are was were be been being do does did doing done have has had having can could would should will shall may might must ' +
    'what what\'s whats which who whom whose when where why how how\'s whats\'s ' +
    'of in on at to for from by with about as into onto over under than then so and or but if also just ' +
    'please tell give show let know want need like help explain describe me kindly quick quickly simple simply ' +
    'way ways best good proper correct right possible some any thing things something anything ' +
    'calculate compute determine evaluate work works many much'
  ).split(/\s+/),
);

const NUMBER_WORDS: Readonly<Record<string, number>> = Object.freeze({
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20, thirty: 30,
  forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, thousand: 1000, million: 1_000_000,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, twelfth: 12, twentieth: 20,
  half: 0.5, twice: 2, double: 2, triple: 3,
  // Roman numerals from II (a lone "i" is the pronoun, "v" / "x" are letters more often than numbers).
  ii: 2, iii: 3, iv: 4, vi: 6, vii: 7, viii: 8, ix: 9, xi: 11, xii: 12, xiii: 13, xiv: 14, xv: 15, xx: 20,
});

// Generic words that paraphrases swap for one another (request verbs, superlatives, arithmetic, abbreviations), each
// mapped to one class. Never names, places, numbers or topic nouns: those are what a near-miss changes.
const SYNONYM_CLASSES: readonly (readonly string[])[] = [
  ['largest', 'biggest'], ['smallest', 'tiniest'], ['highest', 'tallest'], ['fastest', 'quickest'],
  ['times', 'multiplied', 'multiply', 'product'], ['divided', 'divide'], ['plus', 'added'], ['minus', 'subtract', 'subtracted'],
  ['power', 'raised'], ['squared', 'square'], ['cubed', 'cube'],
  ['dict', 'dictionary'], ['dir', 'directory', 'folder'], ['repo', 'repository'], ['db', 'database'], ['func', 'function'],
  ['create', 'make'], ['delete', 'remove', 'erase'], ['add', 'append'], ['start', 'run', 'launch'],
  ['stop', 'terminate', 'kill', 'halt'], ['write', 'wrote', 'written', 'author', 'writer'], ['differ', 'difference', 'different'],
  ['convert', 'turn', 'transform'], ['merge', 'combine', 'join', 'concatenate'], ['undo', 'revert'], ['show', 'list', 'display'],
  ['get', 'obtain', 'retrieve', 'fetch'], ['trim', 'strip'], ['check', 'test', 'verify'], ['symptom', 'sign'],
  ['summarize', 'summarise', 'summary', 'plot', 'story'], ['meaning', 'mean', 'definition', 'define'], ['invent', 'inventor', 'invented'],
  ['big', 'large'], ['small', 'little'], ['fast', 'quick'], ['begin', 'beginning'], ['current', 'today'],
];
const SYNONYM: ReadonlyMap<string, string> = new Map(SYNONYM_CLASSES.flatMap((c) => c.map((w) => [w, c[0]!] as const)));

/** Prepositions that give a direction ("convert a string to an integer" ≠ "an integer to a string"). */
const DIRECTIONAL: ReadonlySet<string> = new Set(['to', 'into', 'from', 'than', 'vs', 'versus']);

/** 32-bit FNV-1a of a string (UTF-16 code units): a compact, deterministic word identifier. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Light English suffix stripping ("reversing" / "reverse" → "revers", "dictionaries" → "dictionary"). */
export function stem(w: string): string {
  let s = w;
  if (s.length > 4 && s.endsWith('ies')) s = `${s.slice(0, -3)}y`;
  else if (s.length > 4 && /(?:ss|x|ch|sh)es$/.test(s)) s = s.slice(0, -2);
  else if (s.length > 3 && s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is')) s = s.slice(0, -1);
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  return s;
}

const TOKEN = /\p{L}[\p{L}\p{M}'’]*|\d+(?:[.,]\d+)*(?:st|nd|rd|th)?|%|\^/gu;

/** The signature of a prompt: its numbers (digits or number words) and its content-word stems, hashed. */
export function promptSignature(text: string): PromptSignature {
  const numbers = new Set<number>();
  const words = new Set<number>();
  const soft = new Set<number>();
  let previous: string | undefined; // the last content stem
  let direction: string | undefined; // a directional preposition seen since it
  const addWord = (w: string) => {
    if (direction !== undefined && previous !== undefined) {
      // "a to b" and "b from a" are the same relation: one feature per ordered pair.
      words.add(fnv1a32(direction === 'from' ? `${w}>${previous}` : `${previous}>${w}`));
    }
    words.add(fnv1a32(w));
    previous = w;
    direction = undefined;
  };
  for (const m of text.toLowerCase().normalize('NFKC').matchAll(TOKEN)) {
    let t = m[0].replace(/’/g, "'");
    if (DIRECTIONAL.has(t)) {
      direction = t === 'from' ? 'from' : 'to';
      continue;
    }
    if (t === '%') t = 'percent';
    else if (t === '^') t = 'power';
    if (/^\d/.test(t)) {
      numbers.add(fnv1a32(String(Number(t.replace(/(?:st|nd|rd|th)$/, '').replace(/,/g, '')))));
      continue;
    }
    if (t.endsWith("'s")) t = t.slice(0, -2);
    const n = NUMBER_WORDS[t];
    if (n !== undefined) {
      numbers.add(fnv1a32(String(n)));
      continue;
    }
    if (STOPWORDS.has(t)) continue;
    if (SOFT_WORDS.has(t)) {
      soft.add(fnv1a32(stem(t)));
      continue;
    }
    addWord(stem(SYNONYM.get(t) ?? SYNONYM.get(stem(t)) ?? t));
  }
  const sorted = (x: Set<number>) => [...x].sort((a, b) => a - b);
  return { numbers: sorted(numbers), words: sorted(words), soft: sorted(soft) };
}

function difference(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let only = 0;
  while (i < a.length) {
    if (j >= b.length || a[i]! < b[j]!) {
      only++;
      i++;
    } else if (a[i] === b[j]) {
      i++;
      j++;
    } else j++;
  }
  return only;
}

/** Why a candidate failed the guard, or `undefined` when it passed. */
export type GuardVerdict = undefined | 'numbers_differ' | 'word_swapped' | 'too_many_extra_words';

/** Checks a cached prompt's signature against a new one (symmetric). */
export function guardVerdict(a: PromptSignature, b: PromptSignature, opts: GuardOptions = DEFAULT_GUARD): GuardVerdict {
  if (a.numbers.length !== b.numbers.length || difference(a.numbers, b.numbers) > 0) return 'numbers_differ';
  const onlyA = difference(a.words, b.words);
  const onlyB = difference(b.words, a.words);
  if (onlyA > 0 && onlyB > 0) return 'word_swapped';
  if (difference(a.soft, b.soft) > 0 && difference(b.soft, a.soft) > 0) return 'word_swapped';
  if (onlyA + onlyB > opts.maxExtraWords) return 'too_many_extra_words';
  return undefined;
}
