/**
 * Dates and times as people write them in prompts — the DATE_TIME recognizer of the PII post-processing.
 *
 * The model finds a weekday or a clock time but rarely the whole expression ("this Saturday at 19:30" came back as two
 * spans, "Saturday the 14th" as "Saturday", "on March 2nd" as an ORGANIZATION "March"), and misses relative dates
 * ("tomorrow", "next Friday", "last week") and 24-hour times: DATE_TIME recall was 0.31 on hand-written prompts
 * (issue 23). This is a small English date grammar in the spirit of Presidio's DateRecognizer / spaCy's DATE and TIME
 * entities — month and weekday names, ordinals, clock times, relative day words — not a list of any data generator's
 * values. Conventions (those of the OOD suite's hand-written set and of spaCy): a span is the whole expression without a
 * leading preposition ("next Friday", "March 14th, 2024", "this Saturday at 19:30", "9pm", "14/05 at 10:00").
 *
 * Cost: one pass of one regular expression (every quantifier bounded), then one sort and one sweep over the spans:
 * O(n + s log s) for n characters and s spans.
 * @module
 */
import type { PiiSpan } from './types.js';

/** Score of a recognised expression: above the default threshold, below the validated patterns (e-mail, card: 0.9+). */
export const DATE_TIME_SCORE = 0.85;

const MONTH_FULL = '(?:january|february|march|april|may|june|july|august|september|october|november|december)';
// A period belongs to an abbreviated month ("3 Jan. 2025"), never to a full name: "due on Monday, 9 June." ends a sentence.
const MONTH = `(?:${MONTH_FULL}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\\.?)`;
const WEEKDAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?';
const ORD = '(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)';
const DAY = `(?:${ORD}|(?:[12]\\d|3[01]|0?[1-9])(?!\\d))`;
const YEAR = '(?:1[89]\\d\\d|20\\d\\d)(?!\\d)';
const SP = '[ \\t]{1,3}';
const TIME =
  '(?:(?:1[0-2]|0?[1-9])(?::[0-5]\\d)?[ ]?(?:am|pm|a\\.m\\.|p\\.m\\.)|(?:[01]?\\d|2[0-3])[:h][0-5]\\d(?![\\d:])(?:[ ]?(?:am|pm|h|hrs))?|noon|midnight)';
const PART = '(?:morning|afternoon|evening|night|lunchtime)';
const RELATIVE =
  `(?:today|tonight|tomorrow(?:${SP}${PART})?|yesterday(?:${SP}${PART})?|the${SP}day${SP}(?:after|before)${SP}tomorrow|` +
  `(?:this|next|last|coming)${SP}(?:${WEEKDAY}(?:${SP}${PART})?|week(?:end)?|month|year|${PART}|spring|summer|autumn|fall|winter))`;
const CALENDAR_DATE =
  `(?:${MONTH}${SP}${DAY}(?:,?${SP}${YEAR})?|${DAY}${SP}(?:of${SP})?${MONTH}(?:,?${SP}${YEAR})?|${MONTH_FULL},?${SP}${YEAR}|` +
  // day and month either way round (14/05, 03/14/1962); dots only with a four-digit year (not "3.10.12")
  `(?:0?[1-9]|[12]\\d|3[01])/(?:0?[1-9]|[12]\\d|3[01])(?:/(?:\\d{4}|\\d{2}))?(?![\\d/.])|(?:0?[1-9]|[12]\\d|3[01])\\.(?:0?[1-9]|[12]\\d|3[01])\\.\\d{4}(?![\\d.])|` +
  `\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01]))`;
const DAY_REFERENCE =
  `(?:${RELATIVE}|${WEEKDAY}(?:,?${SP}(?:the${SP})?${ORD}|,?${SP}${CALENDAR_DATE}|${SP}${PART})?|${CALENDAR_DATE}|` +
  // "the 28th" only where nothing follows that the ordinal could count ("the 5th floor", "the 21st century")
  `the${SP}${ORD}(?=[ \\t]*(?:[.,;:!?)]|$|\\s+(?:at|of|and|or|to|until|till|instead)\\b)))`;
const AT_TIME = `(?:,?${SP}(?:at|@|from|around|by)${SP}${TIME}(?:[ ]?(?:-|–|to|until)[ ]?${TIME})?)`;
const EXPRESSION = new RegExp(
  `(?<![\\w/.:-])(?:${DAY_REFERENCE}${AT_TIME}?|${TIME}(?:[ ]?(?:-|–|to|until)[ ]?${TIME})?(?:${SP}(?:on${SP})?(?:${RELATIVE}|${WEEKDAY}|${CALENDAR_DATE}))?|` +
    // a month alone only after a preposition of time, and then without the preposition ("in August", "since June 2021")
    `(?<=\\b(?:in|since|until|till|by|during|early|late|mid|from|before|after)${SP})${MONTH_FULL}(?:,?${SP}${YEAR})?)(?![\\w/])`,
  'giu',
);
/** A bare "3/4" is a fraction ("3/4 cup") unless a word of time comes before it or a clock time after it. */
const BARE_DAY_MONTH = /^\d{1,2}\/\d{1,2}$/;
const DATE_CUE_BEFORE = /\b(?:on|by|until|till|from|due|before|after|since|dated?|deadline)[ \t]{1,3}$/i;

/** Every date or time expression in `text`, as DATE_TIME spans (UTF-16 offsets). O(n). */
export function recognizeDateTimes(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  for (const m of text.matchAll(EXPRESSION)) {
    const value = m[0];
    const start = m.index;
    // "you may 5 times", "we march 20 miles": a lower-case "may" or "march" needs an ordinal or a year
    if (/^(?:may|march)[ \t]{1,3}\d{1,2}$/.test(value)) continue;
    if (BARE_DAY_MONTH.test(value) && !DATE_CUE_BEFORE.test(text.slice(Math.max(0, start - 12), start))) continue;
    // "March", "May", "June", "August" written in lower case mid-sentence are verbs or words, not months
    if (/^(?:march|may|june|august)$/.test(value)) continue;
    out.push({ type: 'DATE_TIME', start, end: start + value.length, score: DATE_TIME_SCORE });
  }
  return out;
}

/**
 * Merge the recognised expressions into the model's spans: an expression replaces every span that lies inside it
 * (the model's "Saturday" and "19:30" inside "this Saturday at 19:30", or an ORGANIZATION "March" inside "March 2nd")
 * and grows over a DATE_TIME span it overlaps; it is left out where it would cut a span of another type.
 * O((s + e) log(s + e)) for s spans and e expressions: spans are sorted once, and the sweep passes each span at most
 * once at its front (a span of another type met inside the sweep stops it at once); proven in linear-time.test.ts.
 */
export function addDateTimes(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  const found = recognizeDateTimes(text);
  if (found.length === 0) return [...spans];
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const removed = new Set<PiiSpan>();
  const added: PiiSpan[] = [];
  let first = 0; // the first span that may still overlap the current expression (expressions come in start order)
  let addedEnd = 0; // where the last added expression ends: a later one inside it (grown over a model span) is skipped
  for (const expr of found) {
    if (expr.start < addedEnd) continue;
    // every span is passed here once: those ending before this expression and those already replaced
    while (first < sorted.length && (sorted[first]!.end <= expr.start || removed.has(sorted[first]!))) first++;
    let start = expr.start;
    let end = expr.end;
    const inside: PiiSpan[] = [];
    let blocked = false;
    // spans starting before the expression's end; those ending before its start were skipped above
    for (let k = first; k < sorted.length && sorted[k]!.start < expr.end; k++) {
      const s = sorted[k]!;
      if (s.end <= expr.start || removed.has(s)) continue;
      const within = s.start >= expr.start && s.end <= expr.end;
      if (within || s.type === 'DATE_TIME') {
        inside.push(s);
        start = Math.min(start, s.start);
        end = Math.max(end, s.end);
      } else {
        blocked = true;
        break;
      }
    }
    if (blocked) continue;
    for (const s of inside) removed.add(s);
    const score = Math.max(expr.score, ...inside.filter((s) => s.type === 'DATE_TIME').map((s) => s.score));
    added.push({ type: 'DATE_TIME', start, end, score });
    addedEnd = end;
  }
  return [...sorted.filter((s) => !removed.has(s)), ...added].sort((a, b) => a.start - b.start || a.end - b.end);
}
