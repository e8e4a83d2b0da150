/**
 * Pattern recognizers for structured PII (the Presidio approach: pattern + checksum + context words), merged with the
 * model's token-classification spans. A small encoder learns "this looks like an e-mail" but can be off by a token at
 * the edges (a trailing comma, half a phone number); a validated pattern is exact. Pure, linear-time (every
 * quantifier is bounded), no prompt text leaves the function.
 * @module
 */
import type { PiiSpan } from './types.js';

/** Entity types the recognizers can emit (Presidio names, as in the model's `entity_types`). */
export const PATTERN_PII_TYPES = Object.freeze(['EMAIL_ADDRESS', 'CREDIT_CARD', 'IBAN_CODE', 'IP_ADDRESS', 'US_SSN', 'PHONE_NUMBER', 'DOMAIN_NAME', 'US_DRIVER_LICENSE'] as const);
/** One of {@link PATTERN_PII_TYPES}. */
export type PatternPiiType = (typeof PATTERN_PII_TYPES)[number];

/** Score of a checksum-validated match (credit card, IBAN) and of a format-only match. */
const VALIDATED = 0.99;
const FORMAT_ONLY = 0.9;
const WITH_CONTEXT = 0.95;

const digitCount = (s: string): number => s.replace(/\D/g, '').length;

function luhnOk(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 mod-97 check on an IBAN without spaces. */
function ibanOk(iban: string): boolean {
  const s = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let rem = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    const v = c >= 65 && c <= 90 ? c - 55 : c - 48;
    rem = v > 9 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

function ipv4Ok(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && Number(p) <= 255 && !(p.length > 1 && p[0] === '0'));
}

function ipv6Ok(s: string): boolean {
  if (s.length < 3 || !s.includes(':')) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (x: string): string[] | null => {
    if (x === '') return [];
    const g = x.split(':');
    return g.every((h) => /^[0-9a-fA-F]{1,4}$/.test(h)) ? g : null;
  };
  if (dbl.length === 2) {
    const a = groups(dbl[0]!), b = groups(dbl[1]!);
    return a !== null && b !== null && a.length + b.length <= 7 && a.length + b.length >= 1;
  }
  const g = groups(s);
  return g !== null && g.length === 8;
}

/** Context words that make a bare 9-digit or space-separated number an SSN. */
const SSN_CONTEXT = /(?:ssn|social security|social sec|ss#|ss #|soc\.? sec)/i;

function hasContextBefore(text: string, start: number, re: RegExp, window = 40): boolean {
  return re.test(text.slice(Math.max(0, start - window), start));
}

/** "181123733 is my ssn": the context word may also follow the number closely. */
export function hasContextNear(text: string, start: number, end: number, re: RegExp): boolean {
  return hasContextBefore(text, start, re) || re.test(text.slice(end, end + 20));
}

/** Words that announce a phone number ("my cell is", "office line", "Fax:", "sms … when you arrive"). */
const PHONE_CONTEXT = /(?:phone|cell|mobile|tel|telephone|fax|desk|office line|hotline|whatsapp|call(?: me)?(?: at| on)?|text(?: me)?(?: at| on)?|sms|ring)\b[^\d\n]{0,12}$/i;
/** "my mom's number is …": a bare "number" is weaker, so it only counts for 10-11 digit numbers. */
const NUMBER_CONTEXT = /(?:^|[^\w])(?:number|no\.|nr\.?|#)\s*(?:is|:)?\s*$/i;
/** … unless it is another kind of number ("account number is 1234567890"). */
const OTHER_NUMBER = /\b(?:account|acct|card|order|tracking|reference|ref|policy|licen[cs]e|passport|routing|invoice|customer|member|serial|case|ticket|confirmation|booking|id|ssn|social|iban|tax)\b/i;

/**
 * Words right before a number that make it a driver's licence number ("driver's license: D1234567", "DL# 730015471",
 * "license no. A12345678", "my license B7654321 expired"); not "license key …" or "licensed in 2019".
 */
const LICENSE_CONTEXT = /(?:\bdriver'?s?\s+licen[cs]e(?:\s+(?:number|no\.?|#))?|\bdriving\s+licen[cs]e(?:\s+(?:number|no\.?|#))?|\blicen[cs]e\s*(?:number|no\.?|#)|\bd\.?l\.?\s*(?:#|number|no\.?)?|\blicen[cs]e)\s*(?:is|was|:)?\s*[:#]?\s*$/i;

/** Trailing characters that end a sentence rather than a URL. */
const URL_TRAILING = /[.,;:!?'")\]}>]+$/;

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    yield m;
    if (m[0].length === 0) re.lastIndex++;
  }
}

// Boundaries are spelled out with look-arounds so a match never starts or ends inside a longer token.
const EMAIL = /(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}(?![\w@-])/g;
const CARD = /(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g;
const IBAN = /(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
const IPV6 = /(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g;
const SSN_DASHED = /(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])/g;
const SSN_BARE = /(?<![\w-])(\d{3}) ?(\d{2}) ?(\d{4})(?![\w-])/g;
// An extension ("x0240", "ext. 12") belongs to the number; its digits don't count towards the number's length.
const PHONE_EXT = String.raw` ?(?:x|ext\.?) ?\d{1,6}`;
const PHONE_EXT_AT_END = new RegExp(PHONE_EXT + '$');
const PHONE_NANP = new RegExp(String.raw`(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?:${PHONE_EXT})?(?![\w-])`, 'g');
const PHONE_INTL = new RegExp(String.raw`(?<![\w+(])(?:\(\+\d{1,3}\)|\+\d{1,3})(?:[ .-]?\(?\d{1,5}\)?){2,6}(?:${PHONE_EXT})?(?![\w-])`, 'g');
// Any grouping of 7-15 digits ("531 415 379", "07210 700775", "03.93.92.16.85"); kept only after a phone word.
const PHONE_LOOSE = new RegExp(String.raw`(?<![\w+.-])\(?\d{1,5}\)?(?:[ .-]?\d{1,5}){1,5}(?:${PHONE_EXT})?(?![\w-]|[.-]\d)`, 'g');
// US licence numbers: 1-2 letters then 5-13 digits, or 7-13 digits (state formats vary; the context word decides).
const LICENSE = /(?<![\w@.#-])(?:[A-Za-z]{1,2}\d{5,13}|\d{7,13})(?![\w@-]|\.\w)/g;
const URL = /(?<![\w@])(?:https?:\/\/|www\.)[^\s<>"'`]{2,2048}/gi;
/**
 * A bare domain ("check out rural-disk.net"): dot-separated labels ending in a common top-level domain written in lower
 * case ("ASP.NET" and file names like "main.py" or "notes.md" are not domains), not part of an e-mail address or a
 * longer dotted name.
 */
const BARE_DOMAIN =
  /(?<![\w@.\/-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:com|net|org|info|biz|name|us|uk|de|fr|es|it|nl|se|no|dk|fi|pl|cz|hu|ro|pt|br|mx|ca|au|in|id|vn|tr|ua|eu|io|co|dev|app|ai|edu|gov|me|tv|online|site|shop|store|xyz|tech|blog|news|club|pro)(?![\w@-]|\.[A-Za-z0-9])/g;

function ssnPartsOk(a: string, b: string, c: string): boolean {
  return a !== '000' && a !== '666' && a[0] !== '9' && b !== '00' && c !== '0000';
}

const span = (type: PatternPiiType, m: RegExpExecArray, score: number, length = m[0].length): PiiSpan => ({ type, start: m.index, end: m.index + length, score });

function recognizeEmails(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(EMAIL, text)) out.push(span('EMAIL_ADDRESS', m, FORMAT_ONLY));
  return out;
}

function recognizeCards(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(CARD, text)) {
    const groups = m[0].split(/[ -]/);
    const digits = groups.join('');
    // Separated digits must come in card-like groups (4-4-4-4, 4-6-5), not "1 2 3 4 …".
    const grouped = groups.length === 1 || groups.every((g) => g.length >= 3);
    if (grouped && digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && luhnOk(digits)) out.push(span('CREDIT_CARD', m, VALIDATED));
  }
  return out;
}

function recognizeIbans(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(IBAN, text)) {
    // The match may run on into a following upper-case word ("… 3000 I need"): shrink until the checksum holds.
    for (let cand = m[0]; cand.replace(/ /g, '').length >= 15; cand = cand.slice(0, -1).trimEnd()) {
      const raw = cand.replace(/ /g, '');
      const next = text.charCodeAt(m.index + cand.length);
      const atBoundary = Number.isNaN(next) || !/\w/.test(String.fromCharCode(next));
      if (atBoundary && raw.length <= 34 && ibanOk(raw)) {
        out.push(span('IBAN_CODE', m, VALIDATED, cand.length));
        break;
      }
    }
  }
  return out;
}

function recognizeIpAddresses(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(IPV4, text)) if (ipv4Ok(m[0])) out.push(span('IP_ADDRESS', m, FORMAT_ONLY));
  for (const m of matches(IPV6, text)) {
    if ((m[0].match(/:/g)?.length ?? 0) >= 2 && /[0-9A-Fa-f]/.test(m[0]) && ipv6Ok(m[0])) out.push(span('IP_ADDRESS', m, FORMAT_ONLY));
  }
  return out;
}

function recognizeSsns(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(SSN_DASHED, text)) {
    if (ssnPartsOk(m[1]!, m[2]!, m[3]!)) out.push(span('US_SSN', m, hasContextBefore(text, m.index, SSN_CONTEXT) ? WITH_CONTEXT : FORMAT_ONLY - 0.1));
  }
  for (const m of matches(SSN_BARE, text)) {
    if (ssnPartsOk(m[1]!, m[2]!, m[3]!) && hasContextNear(text, m.index, m.index + m[0].length, SSN_CONTEXT)) out.push(span('US_SSN', m, WITH_CONTEXT));
  }
  return out;
}

function recognizePhoneNumbers(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const re of [PHONE_NANP, PHONE_INTL]) {
    for (const m of matches(re, text)) {
      const n = digitCount(m[0].replace(PHONE_EXT_AT_END, ''));
      if (n >= 10 && n <= 15) out.push(span('PHONE_NUMBER', m, FORMAT_ONLY));
    }
  }
  for (const m of matches(PHONE_LOOSE, text)) {
    const n = digitCount(m[0].replace(PHONE_EXT_AT_END, ''));
    const before = text.slice(Math.max(0, m.index - 30), m.index);
    if (n >= 7 && n <= 15 && (PHONE_CONTEXT.test(before) || (n >= 10 && n <= 11 && NUMBER_CONTEXT.test(before) && !OTHER_NUMBER.test(before)))) {
      out.push(span('PHONE_NUMBER', m, WITH_CONTEXT - 0.1));
    }
  }
  return out;
}

function recognizeDriverLicenses(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(LICENSE, text)) if (hasContextBefore(text, m.index, LICENSE_CONTEXT)) out.push(span('US_DRIVER_LICENSE', m, WITH_CONTEXT));
  return out;
}

function recognizeUrls(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(URL, text)) {
    const s = m[0].replace(URL_TRAILING, '');
    if (/[A-Za-z0-9]\.[A-Za-z]{2,}/.test(s)) out.push(span('DOMAIN_NAME', m, FORMAT_ONLY, s.length));
  }
  return out;
}

function recognizeBareDomains(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of matches(BARE_DOMAIN, text)) out.push(span('DOMAIN_NAME', m, FORMAT_ONLY - 0.05));
  return out;
}

/** A built-in pattern recognizer: its registry name, the entity types it emits, and its matches before overlap resolution. */
export interface PatternRule {
  readonly name: string;
  readonly entities: readonly PatternPiiType[];
  readonly description: string;
  readonly recognize: (text: string) => PiiSpan[];
}

/**
 * The pattern recognizers, in the order their matches are collected (it settles ties in `resolvePatternOverlaps`:
 * among equally scored matches of one length and start, the earlier recognizer's is kept).
 */
export const PATTERN_RULES: readonly PatternRule[] = Object.freeze([
  { name: 'email', entities: ['EMAIL_ADDRESS'], description: 'e-mail addresses', recognize: recognizeEmails },
  { name: 'credit_card', entities: ['CREDIT_CARD'], description: 'card numbers in card-like groups, Luhn-checked', recognize: recognizeCards },
  { name: 'iban', entities: ['IBAN_CODE'], description: 'IBANs, mod-97-checked', recognize: recognizeIbans },
  { name: 'ip_address', entities: ['IP_ADDRESS'], description: 'IPv4 and IPv6 addresses', recognize: recognizeIpAddresses },
  { name: 'us_ssn', entities: ['US_SSN'], description: 'dashed SSNs; bare or spaced ones next to an SSN word', recognize: recognizeSsns },
  { name: 'phone_number', entities: ['PHONE_NUMBER'], description: 'North American and international numbers; other digit groups after a phone word', recognize: recognizePhoneNumbers },
  { name: 'us_driver_license', entities: ['US_DRIVER_LICENSE'], description: "licence numbers after a driver's licence word", recognize: recognizeDriverLicenses },
  { name: 'url', entities: ['DOMAIN_NAME'], description: 'URLs (http(s):// or www.)', recognize: recognizeUrls },
  { name: 'domain_name', entities: ['DOMAIN_NAME'], description: 'bare domain names with a common lower-case top-level domain', recognize: recognizeBareDomains },
].map((r) => Object.freeze(r)) as PatternRule[]);

/**
 * Among overlapping pattern matches keeps the validated / longer one (a card number is not also a phone number):
 * highest score first, then longest, then leftmost; ties keep input order. Output is sorted by start; other fields
 * (a recognizer's name) are kept. A character map of what is already kept makes each overlap check cost the match's
 * own length, not the number of matches kept so far (that was quadratic: 80,000 e-mail addresses took seconds).
 */
export function resolvePatternOverlaps<T extends PiiSpan>(found: readonly T[], textLength: number): T[] {
  const sorted = [...found].sort((x, y) => y.score - x.score || y.end - y.start - (x.end - x.start) || x.start - y.start);
  const taken = new Uint8Array(textLength);
  const kept: T[] = [];
  for (const f of sorted) {
    let free = true;
    for (let i = f.start; i < f.end && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, f.start, f.end);
    kept.push(f);
  }
  return kept.sort((x, y) => x.start - y.start);
}

/** All pattern recognizers' matches in `text`, overlaps resolved. Offsets are UTF-16 code units. */
export function recognizePatterns(text: string): PiiSpan[] {
  return resolvePatternOverlaps(PATTERN_RULES.flatMap((r) => r.recognize(text)), text.length).map((f) => ({ type: f.type, start: f.start, end: f.end, score: f.score }));
}

/** Model span types that may legitimately contain a pattern match (a house number, a URL holding an IP). */
const CONTAINERS = new Set(['STREET_ADDRESS', 'DOMAIN_NAME']);
/**
 * The shipped model's default PII threshold (heads.json pii default_threshold). The span rules that weigh model spans
 * against each other use it: below it a span is noise the Router drops anyway, so it must neither shield a pattern
 * match inside it (an unsure "address" such as "sms 214-219-8348" at 0.17 must not swallow a validated phone number)
 * nor be joined to a confident fragment (pii-refine's mergeFragments).
 */
export const CONFIDENT_SPAN_SCORE = 0.4;

/** How many of `sorted` (in start order) start before `pos`: a binary search, O(log spans). */
export function countStartingBefore(sorted: readonly PiiSpan[], pos: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges pattern matches into model spans. A pattern match replaces every model span it overlaps (it is exact where
 * the model is fuzzy at the edges), except when a longer model span of another, containing type (a STREET_ADDRESS or
 * DOMAIN_NAME holding a house number or an IP) with a score of at least CONFIDENT_SPAN_SCORE covers it entirely; a
 * longer span of the same type ("https://x.com and") is replaced. Output is sorted by start; spans never overlap if the inputs didn't.
 */
export function mergePiiSpans(model: readonly PiiSpan[], patterns: readonly PiiSpan[]): PiiSpan[] {
  // O((M + P) log(M + P)) for M model spans and P pattern matches: one sweep in start order finds the containers, a
  // binary search over the accepted matches finds each model span's overlap (pairwise checks took ~4 s at 20k spans).
  if (patterns.length === 0) return [...model];
  const byStart = (a: PiiSpan, b: PiiSpan): number => a.start - b.start || a.end - b.end;
  const containers = model.filter((m) => CONTAINERS.has(m.type) && m.score >= CONFIDENT_SPAN_SCORE).sort(byStart);
  // per container type: the largest end among the containers started so far, and the smallest start reaching it
  const reach = new Map<string, { end: number; start: number }>();
  let c = 0;
  const accepted: PiiSpan[] = [];
  for (const p of [...patterns].sort(byStart)) {
    for (; c < containers.length && containers[c]!.start <= p.start; c++) {
      const m = containers[c]!;
      const r = reach.get(m.type);
      if (!r || m.end > r.end) reach.set(m.type, { end: m.end, start: m.start });
    }
    let contained = false;
    for (const [type, r] of reach) {
      // started at or before p and ends at or after it, and longer: ends later, or ends with it but starts earlier
      if (type !== p.type && (r.end > p.end || (r.end === p.end && r.start < p.start))) contained = true;
    }
    if (!contained) accepted.push(p);
  }
  // accepted is sorted by start; maxEnd[i] = the largest end among accepted[0..i]
  const maxEnd = new Int32Array(accepted.length);
  accepted.forEach((p, i) => (maxEnd[i] = Math.max(p.end, i > 0 ? maxEnd[i - 1]! : 0)));
  const out = model.filter((m) => {
    // number of accepted matches starting before m ends: one of them overlaps m iff the largest of their ends is past m.start
    const lo = countStartingBefore(accepted, m.end);
    return lo === 0 || maxEnd[lo - 1]! <= m.start;
  });
  for (const p of accepted) out.push(p); // (a spread of 100k+ arguments overflows the stack)
  return out.sort(byStart);
}

/** Entity types that are names: a span of them made only of function words ("no", "me", "here") is never one. */
export const NAME_TYPES: ReadonlySet<string> = new Set(['PERSON', 'ORGANIZATION', 'GPE', 'NRP', 'TITLE']);
/** Lower-case English function words (pronouns, articles, auxiliaries, greetings) that alone never make a name span. */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  ('a an the i me my mine myself you your yours he him his she her hers it its we us our ours they them their theirs this that ' +
    'these those no not nor yes yeah yep ok okay please thanks thank hi hello hey here there where when what who whom whose why how ' +
    'which and or but if so as at by for from in into of off on onto to with without about above below under is are was were be been ' +
    'being am do does did done have has had having can could will would shall should may might must just also too very all any some ' +
    'none one each every both either neither up down out over more most less least now then than only own same again still even ' +
    'ever never always often here\'s it\'s i\'m don\'t can\'t won\'t let lets let\'s get got go went')
    .split(' '),
);

/**
 * Drops name-type spans (PERSON, ORGANIZATION, GPE, NRP, TITLE) whose every word is an English function word: the
 * small model sometimes tags a sentence-initial "no" or a lone "me" as a name in lower-cased chat text. Other types
 * (numbers, e-mails, dates) are left alone.
 */
export function dropFunctionWordSpans(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  return spans.filter((s) => {
    if (!NAME_TYPES.has(s.type)) return true;
    const words = text.slice(s.start, s.end).toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(Boolean);
    return words.length === 0 || !words.every((w) => FUNCTION_WORDS.has(w));
  });
}

/**
 * Cuts name spans (PERSON, ORGANIZATION, GPE, NRP, TITLE) at their first line break: a name never continues on the
 * next line, but in signatures and address blocks the model runs a name into the company or city below it
 * ("Julcsa Kárpáthy⏎Mhealthcoach" → "Julcsa Kárpáthy"). A span with nothing before its first line break is dropped.
 */
export function cutNameSpansAtLineBreaks(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const s of spans) {
    const br = NAME_TYPES.has(s.type) ? text.slice(s.start, s.end).search(/[\r\n]/) : -1;
    if (br < 0) {
      out.push(s);
      continue;
    }
    const head = text.slice(s.start, s.start + br).trimEnd();
    if (/[\p{L}\p{N}]/u.test(head)) out.push({ ...s, end: s.start + head.length });
  }
  return out;
}

/** Name types whose spans the case rules below refine (TITLE is left alone: "dr", "mr." are often lower-case). */
export const CASED_NAME_TYPES: ReadonlySet<string> = new Set(['PERSON', 'ORGANIZATION', 'GPE', 'NRP']);

/** Case of a word's first letter: 'upper', 'lower', or null for words with no cased letter (digits, CJK, punctuation). */
function initialCase(word: string): 'upper' | 'lower' | null {
  const m = /\p{L}/u.exec(word);
  if (!m) return null;
  if (/\p{Lu}|\p{Lt}/u.test(m[0])) return 'upper';
  return /\p{Ll}/u.test(m[0]) ? 'lower' : null;
}

/** The pronoun typed in lower case ("i", "i'm"): a writer who does so does not capitalise names either. */
const LOWER_CASE_I = /^["'(\[]*i(?:['’]\p{L}+)?[^\p{L}\p{N}]*$/u;
/** The pronoun "I" (and "I'm", "I'd", …) is capitalised even by writers who type everything else in lower case. */
const PRONOUN_I = /^["'(\[]*I(?:['’]\p{L}+)?[^\p{L}\p{N}]*$/u;

/**
 * Whether a word starting at `at` opens a sentence, where a capital says nothing: at the start of the text, or after
 * `.`, `!`, `?`, `:`, a quote or a line break (with only spaces between).
 */
export function opensSentence(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && text[i] !== '\n' && /\s/.test(text[i]!)) i--;
  return i < 0 || '.!?:\n"'.includes(text[i]!);
}

/** Whether the writer capitalises: some word other than the pronoun "I" starts with a capital letter mid-sentence. */
export function writerUsesCase(text: string): boolean {
  for (const m of text.matchAll(/\S+/g)) {
    if (PRONOUN_I.test(m[0]) || initialCase(m[0]) !== 'upper') continue;
    if (!opensSentence(text, m.index)) return true;
  }
  return false;
}

/**
 * Whether the writer starts sentences with a capital: every sentence-opening word with a cased letter is capitalised
 * (at least one; the pronoun "I" does not count) and the pronoun is never typed "i". Such a writer capitalises names
 * too, even in a text with no other capital mid-sentence ("My mom just got diagnosed with osteoporosis." — the model's
 * PERSON "osteoporosis" is noise); one who types "Then i met john" does not. O(n).
 */
export function writerCapitalisesSentences(text: string): boolean {
  let openers = 0;
  for (const m of text.matchAll(/\S+/g)) {
    if (LOWER_CASE_I.test(m[0])) return false;
    if (PRONOUN_I.test(m[0]) || !opensSentence(text, m.index)) continue;
    const c = initialCase(m[0]);
    if (c === 'lower') return false;
    if (c === 'upper') openers++;
  }
  return openers > 0;
}

/**
 * Case-aware refinement of name spans (PERSON, ORGANIZATION, GPE, NRP). The shipped tokenizer is uncased, so the
 * model cannot see that "Zachary Kemmer keeps" ends at "Kemmer"; the text can. In a span that holds a capitalised
 * word, lower-case words (and lone punctuation such as " - ") at its edges are trimmed off ("called Erin Dale" → "Erin
 * Dale", "Considine - Kohler - position" → "Considine - Kohler"); a span with no capitalised
 * word is dropped when the writer otherwise capitalises (`writerUsesCase`), since they would have capitalised a name.
 * Texts typed all in lower case keep their spans. Other entity types are untouched; scores are kept.
 */
export function refineNameSpansByCase(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  let usesCase: boolean | undefined; // computed once, only when a span needs it
  const out: PiiSpan[] = [];
  for (const s of spans) {
    if (!CASED_NAME_TYPES.has(s.type)) {
      out.push(s);
      continue;
    }
    const words = [...text.slice(s.start, s.end).matchAll(/\S+/g)].map((m) => ({
      start: s.start + m.index,
      end: s.start + m.index + m[0].length,
      case: initialCase(m[0]),
      // a lone dash or ampersand left at an edge once a lower-case word is cut ("Considine - Kohler - position")
      edgeOnly: !/[\p{L}\p{N}]/u.test(m[0]),
    }));
    if (words.some((w) => w.case === 'upper')) {
      let a = 0;
      let b = words.length - 1;
      while (words[a]!.case === 'lower' || words[a]!.edgeOnly) a++;
      while (words[b]!.case === 'lower' || words[b]!.edgeOnly) b--;
      out.push({ ...s, start: words[a]!.start, end: words[b]!.end });
    } else if (!(words.length > 0 && words.every((w) => w.case === 'lower') && (usesCase ??= writerUsesCase(text) || writerCapitalisesSentences(text)))) {
      out.push(s);
    }
  }
  return out;
}

const STREET_ABBREVIATION_END = /(?:St|Rd|Ave|Apt|Blvd|Dr|Ln|Ct|No)\.$/;

/**
 * Whether `text[from, end)` ends with a street abbreviation and its full stop ("St.", "Blvd.") that starts a word:
 * `/\b(?:St|…)\.$/` on the slice, reading only its last 5 code units and the one before them. O(1).
 */
function endsWithStreetAbbreviation(text: string, from: number, end: number): boolean {
  const lo = Math.max(from, end - 5);
  const m = STREET_ABBREVIATION_END.exec(text.slice(lo, end));
  if (!m) return false;
  const at = lo + m.index;
  return at === from || !/\w/.test(text[at - 1]!);
}

/** A house number: digits with an optional letter or range ("12", "12a", "12-14"). */
const HOUSE_NUMBER = /^\d{1,6}(?:[a-zA-Z]|-\d{1,6})?$/;

/**
 * Completes street addresses that the model cut short at the house number ("5319" of "5319 Rua Giovanna"): a
 * STREET_ADDRESS span that is only a house number grows over the capitalised words that follow it on the same line
 * ("Rua", "Giovanna", "St."), stopping at the first lower-case word, comma, or line break. Model spans inside the grown
 * range (a "Glyn" tagged separately) are absorbed. Nothing changes for texts whose street names are written in lower case.
 */
export function completeStreetNumbers(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  // Linear in the spans and the words read: one pass in start order; spans absorbed by a grown address are skipped
  // rather than spliced out (splicing was quadratic in the number of spans).
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: PiiSpan[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    out.push(s);
    if (s.type !== 'STREET_ADDRESS' || !HOUSE_NUMBER.test(text.slice(s.start, s.end))) continue;
    let end = s.end;
    const word = /[ \t]+([^\s,;:!?()]+)/y;
    for (;;) {
      word.lastIndex = end;
      const m = word.exec(text);
      if (!m || initialCase(m[1]!) !== 'upper') break;
      end = m.index + m[0].length;
    }
    if (end === s.end) continue;
    // Trailing sentence punctuation is not part of the street name ("… Mavis Glen." ends before the full stop).
    while (end > s.end && /[.'"]/.test(text[end - 1]!) && !endsWithStreetAbbreviation(text, s.end, end)) end--;
    let j = i + 1; // sorted by start: the spans inside the grown range directly follow span i
    let cuts = false;
    for (; j < sorted.length && sorted[j]!.start < end; j++) if (sorted[j]!.end > end) cuts = true;
    if (cuts) continue; // would cut another span in two
    out[out.length - 1] = { ...s, end };
    i = j - 1;
  }
  return out;
}

const NUMBER_WORD = /\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|teens?|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b/i;

/**
 * The least a span of each structured type must hold to be what it claims (a phone number has digits, an e-mail
 * address an "@"). Types not listed only need one letter or digit.
 */
const SHAPE: Readonly<Record<string, (s: string) => boolean>> = {
  EMAIL_ADDRESS: (s) => /\S@\S/.test(s),
  DOMAIN_NAME: (s) => /[\p{L}\p{N}]\.[\p{L}]{2,}/u.test(s),
  IP_ADDRESS: (s) => (/\d\.\d/.test(s) && digitCount(s) >= 4) || /[0-9a-f]*:[0-9a-f]*:/i.test(s),
  PHONE_NUMBER: (s) => digitCount(s) >= 6,
  CREDIT_CARD: (s) => digitCount(s) >= 12,
  US_SSN: (s) => digitCount(s) === 9,
  IBAN_CODE: (s) => /^[A-Za-z]{2}\d{2}/.test(s.replace(/\s/g, '')) && s.replace(/[^A-Za-z0-9]/g, '').length >= 15,
  AGE: (s) => /\d/.test(s) || NUMBER_WORD.test(s),
};

/**
 * Drops model spans that cannot be what they claim: spans with no letter or digit at all ("-", "**", "(" in markdown
 * or code), and spans of structured types without their minimal shape (a one-digit "phone number", an "e-mail
 * address" without "@"), and name spans that start inside a word ("ing" of "cc'ing"). The model, trained on short
 * sentences, mistakes markdown and code punctuation and word pieces for entities.
 */
export function dropMalformedSpans(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  return spans.filter((s) => {
    const piece = text.slice(s.start, s.end);
    if (!/[\p{L}\p{N}]/u.test(piece)) return false;
    // a name never starts inside a word: "ing" of "cc'ing", "t mine" of "isn't mine"
    if (CASED_NAME_TYPES.has(s.type) && /^\p{L}/u.test(piece) && /\p{L}['’]?$/u.test(text.slice(Math.max(0, s.start - 2), s.start))) return false;
    const shape = SHAPE[s.type];
    return !shape || shape(piece);
  });
}
