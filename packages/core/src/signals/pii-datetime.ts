/**
 * Dates and times as people write them in prompts — the DATE_TIME recognizer of the PII post-processing.
 *
 * The model finds a weekday or a clock time but rarely the whole expression ("this Saturday at 19:30" came back as two
 * spans, "Saturday the 14th" as "Saturday", "on March 2nd" as an ORGANIZATION "March"), and misses relative dates
 * ("tomorrow", "next Friday", "last week") and 24-hour times: DATE_TIME recall was 0.31 on hand-written prompts
 * (issue 23). This is a small English date grammar in the spirit of Presidio's DateRecognizer / spaCy's DATE and TIME
 * entities — month and weekday names (abbreviated ones only with a date or time after them), ordinals, clock times
 * (12- and 24-hour, "0800" after a time word, "half past 4"), relative day words ("a year ago"), years after a
 * preposition of time, seasons and parts of a year ("summer of 2017", "early November 2005") —
 * not a list of any data generator's values. Conventions (those of the OOD suite's hand-written set and of spaCy): a
 * span is the whole expression without a leading preposition ("next Friday", "March 14th, 2024", "this Saturday at
 * 19:30", "Tue 09:30", "the 3rd of May", "9pm" of "at 9pm", "6" of "by 6", "14/05 at 10:00"); points in time only: a
 * range is two expressions, and durations ("forty years", "three weeks later") are none. Numbers that are not times stay out: prices, versions ("3.10"), scores ("3-1"), ratios, flight,
 * reference and phone numbers, counts after a time word ("by 6 points", "in 2000 cases").
 *
 * Cost: one forward pass of one regular expression (every quantifier and lookbehind bounded), then one sort and one
 * sweep over the spans: O(n + s log s) for n characters and s spans (a property test in pii-datetime.test.ts compares
 * CPU time at two sizes for random hostile inputs).
 * @module
 */
import { countStartingBefore } from './pii-patterns.js';
import type { PiiSpan } from './types.js';

/** Score of a recognised expression: above the default threshold, below the validated patterns (e-mail, card: 0.9+). */
export const DATE_TIME_SCORE = 0.85;

const MONTH_FULL = '(?:january|february|march|april|may|june|july|august|september|october|november|december)';
// A period belongs to an abbreviated month ("3 Jan. 2025"), never to a full name: "due on Monday, 9 June." ends a sentence.
const MONTH = `(?:${MONTH_FULL}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\\.?)`;
const WEEKDAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?';
// An abbreviated weekday counts only with a date or a time after it ("Tue 09:30", "Fri, 10 May", "Wed at 2"); in lower
// case "sat", "sun", "wed" and "mon" are words ("I sat at 3pm"), dropped in recognizeDateTimes.
const WEEKDAY_SHORT = '(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\\.?';
const ORD = '(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)';
const DAY_NUMBER = '(?:[12]\\d|3[01]|0?[1-9])(?!\\d)';
const DAY = `(?:${ORD}|${DAY_NUMBER})`;
const YEAR = '(?:1[89]\\d\\d|20\\d\\d)(?!\\d)';
const SP = '[ \\t]{1,3}';
const HOUR12 = '(?:1[0-2]|0?[1-9])';
const RANGE = '(?:[ ]?(?:-|–|to|until)[ ]?)';
const TIME =
  // 3pm, 10:15 a.m., 2.30pm (a dot only with am/pm: "3.10" is a version), 17:45, 14h30, 3 o'clock, half past 4, noon
  `(?:${HOUR12}(?:[:.][0-5]\\d)?[ ]?(?:am|pm|a\\.m\\.|p\\.m\\.)|(?:[01]?\\d|2[0-3])[:h][0-5]\\d(?![\\d:])(?:[ ]?(?:am|pm|h|hrs))?|` +
  `${HOUR12}[ ]?o[’']?clock|(?:half|quarter)${SP}(?:past|to)${SP}(?:${HOUR12}(?!\\d)|noon|midnight)|noon|midnight|midday)`;
/**
 * A bare hour ("by 6" -> "6", "at 8" -> "8") is a time only after a word that says so (a cue before it, or a day
 * before "at": "Wed at 2") and only where nothing follows that it could count ("at 6 years old", "by 6 points", "after
 * 7 innings"): the end of a clause, a time word, or a joining word. A four-digit 24-hour time ("at 0800" -> "0800")
 * needs the cue and a leading zero ("at 1500" is as often a price or a height) or a word of hours after it ("1745 hrs").
 * Like "at 3am" -> "3am", the span leaves the cue out.
 */
const HOUR_END =
  `(?=[ \\t]*(?:[.,;!?)\\n]|$)|${SP}(?:sharp|latest|on|tomorrow|tonight|today|this|next|and|or|but|then|please|so|if|` +
  `in${SP}the${SP}(?:morning|afternoon|evening)|${WEEKDAY})\\b)`;
// "at 3 o'clock" is "3 o'clock" (a TIME)
const BARE_HOUR = `${HOUR12}(?![\\d:.,]?\\d|[ ]?o[’']?clock)${HOUR_END}`;
const FOUR_DIGIT_TIME = `(?:0\\d[0-5]\\d(?:[ ]?(?:hrs|hours|h)\\b)?|(?:[01]\\d|2[0-3])[0-5]\\d[ ]?(?:hrs|hours|h)\\b)(?![ \\t]?\\d)`;
const TIME_CUE = '(?:at|by|around|after|before|until|till|from)';
// "by" after a verb of change or arithmetic (up to two words between) is a difference, not a deadline ("divide it by 6.",
// "prices rose by 6.")
const NOT_ARITHMETIC =
  `(?<!\\b(?:divided?|divisible|multipl(?:y|ied)|increased?|decreased?|reduced?|rose|fell|grew|raised?|dropped|cut|up|down|off|times)(?:${SP}\\w{1,20}){0,2}${SP}by${SP})`;
const CUED_TIME = `(?:${NOT_ARITHMETIC}(?<=\\b${TIME_CUE}${SP})${BARE_HOUR}|(?<=\\b${TIME_CUE}${SP}|@[ ]?)${FOUR_DIGIT_TIME})`;
const PART = '(?:morning|afternoon|evening|night|lunchtime)';
// Named days with "Day" or "Eve": "Thanksgiving Day", "Christmas Eve", "New Year's Day" (a bare "christmas" or
// "easter" is as often a thing: "christmas tree", "easter egg")
const HOLIDAY_DAY =
  `(?:(?:thanksgiving|christmas|boxing|new${SP}year[’']?s|independence|labou?r|memorial|veterans|remembrance|valentine[’']?s|mother[’']?s|father[’']?s)${SP}(?:day|eve)|easter${SP}(?:sunday|monday))`;
const RELATIVE =
  `(?:today|tonight|tomorrow(?:${SP}${PART})?|yesterday(?:${SP}${PART})?|the${SP}day${SP}(?:after|before)${SP}tomorrow|${HOLIDAY_DAY}|` +
  `(?:this${SP}coming|this|next|last|coming)${SP}(?:${WEEKDAY}(?:${SP}${PART})?|week(?:end)?|month|year|${PART}|spring|summer|autumn|fall|winter|${MONTH_FULL}))`;
// A month and a day, with an optional range of days ("May 15-24") and year; "Dec.14th" has no space after the period.
const MONTH_DAY = `${MONTH}(?:${SP}|(?<=\\.))${DAY}(?:${RANGE}${DAY_NUMBER})?(?:,?${SP}${YEAR})?`;
const CALENDAR_DATE =
  `(?:${MONTH_DAY}|(?:the${SP}${ORD}${SP}of${SP}|${DAY}${SP}(?:of${SP})?)${MONTH}(?:,?${SP}${YEAR})?|${MONTH_FULL},?${SP}${YEAR}|` +
  // day and month either way round (14/05, 03/14/1962), a sentence's full stop after them; dots only with a four-digit
  // year (not "3.10.12")
  `(?:0?[1-9]|[12]\\d|3[01])/(?:0?[1-9]|[12]\\d|3[01])(?:/(?:\\d{4}|\\d{2}))?(?![\\d/]|\\.\\d)|(?:0?[1-9]|[12]\\d|3[01])\\.(?:0?[1-9]|[12]\\d|3[01])\\.\\d{4}(?!\\d|\\.\\d)|` +
  `\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01]))`;
// after a weekday: "Saturday the 21st", "Monday 4th of March", "Monday, 9 June", "Fri, 10 May"
const WEEKDAY_DATE = `(?:,?${SP}(?:the${SP})?${ORD}(?:${SP}of${SP}${MONTH}(?:,?${SP}${YEAR})?)?|,?${SP}${CALENDAR_DATE})`;
const DAY_REFERENCE =
  `(?:${RELATIVE}|${WEEKDAY}(?:${WEEKDAY_DATE}|${SP}${PART})?|${WEEKDAY_SHORT}${WEEKDAY_DATE}|${CALENDAR_DATE}|` +
  // "the 28th" only where nothing follows that the ordinal could count ("the 5th floor", "the 21st century")
  `the${SP}${ORD}(?=[ \\t]*(?:[.,;:!?)]|$|\\s+(?:at|of|and|or|to|until|till|instead)\\b)))`;
// a time after a day: "Monday at 3pm", "Thursday 4pm", "tomorrow at noon", "Wed at 2", "March 4 at 10am"
const AT_TIME = `(?:,?${SP}(?:(?:at|@|from|around|by)${SP}(?:${TIME}|${BARE_HOUR}|${FOUR_DIGIT_TIME})|${TIME})(?:${RANGE}${TIME})?)`;
const DAY_AFTER_TIME = `(?:,?${SP}(?:on${SP})?(?:${RELATIVE}|${WEEKDAY}|${CALENDAR_DATE}))`;
/**
 * A year alone after a preposition of time ("in 2009", "since 2012", "of 1980-88"); whether a number follows it
 * ("in 2000 cases") is checked in recognizeDateTimes.
 */
const CUED_YEAR = `(?<=\\b(?:in|since|from|until|till|by|of|during|before|after|around|circa|between)${SP})(?<year>${YEAR}(?:[-–](?:\\d\\d(?!\\d)|${YEAR}))?)`;
const EXPRESSION = new RegExp(
  `(?<![\\w/.:-])(?:${DAY_REFERENCE}${AT_TIME}?|${WEEKDAY_SHORT}${AT_TIME}|` +
    `(?:${TIME}|${CUED_TIME})(?:${RANGE}${TIME})?${DAY_AFTER_TIME}?|` +
    // "early November 2005", "mid-2019", "late May"; "summer of 2017", "fall 2019"; "a year ago", "two weeks ago"
    `(?:early|late|mid)(?:${SP}|-)(?:${MONTH_FULL}(?:,?${SP}${YEAR})?|${YEAR})|(?:spring|summer|autumn|fall|winter)(?:${SP}of)?${SP}${YEAR}|` +
    `(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|a${SP}few|several|[1-9]\\d?)${SP}(?:day|week|month|year|decade)s?${SP}ago|` +
    // a month alone only after a preposition of time, and then without the preposition ("in August", "since June 2021")
    `(?<=\\b(?:in|since|until|till|by|during|early|late|mid|from|before|after)${SP})${MONTH_FULL}(?:,?${SP}${YEAR})?|${CUED_YEAR})(?![\\w/])`,
  'giu',
);
/**
 * A bare "3/4" is a fraction ("3/4 cup") unless a word of time comes before it, a clock time after it, or a leading
 * zero shows a day or a month ("15/05", "03/12": fractions are never written with one).
 */
const BARE_DAY_MONTH = /^(?:[1-9]|[1-3]\d)\/(?:[1-9]|1[0-2])$/;
const DATE_CUE_BEFORE = /\b(?:on|by|until|till|from|due|before|after|since|dated?|deadline)[ \t]{1,3}$/i;
/** "sat", "sun", "wed", "mon" in lower case are words ("I sat at 3pm"); "Sat", "tue", "fri" are weekdays. */
const LOWER_CASE_WORD_WEEKDAY = /^(?:sat|sun|wed|mon)\b/;
/**
 * After a year alone, a word that starts a new phrase ("in 2009, the", "since 2012 to nearly", "in 2017.") keeps it a
 * year; a content word after it makes it a count ("in 2000 cases", "of 1990 voters").
 */
const AFTER_YEAR = /^(?:[ \t]*(?:[^\w\s]|$)|[ \t]+(?:[A-Z]|(?:and|or|to|when|we|i|he|she|they|it|the|a|an|my|our|his|her|their|after|before|at|on|in|for|with|as|but|so|then|until|while|because|which|that|was|were|is|are|had|has|have|by|under|from|of|there|this|will|would|between|into|through|during|against|among|within|over|since|about|across|along|around|until|till|onwards?|where|who|when|if|though|although|also|not|never|only)\b))/;

/** Every date or time expression in `text`, as DATE_TIME spans (UTF-16 offsets). O(n). */
export function recognizeDateTimes(text: string): PiiSpan[] {
  const out: PiiSpan[] = [];
  const expression = new RegExp(EXPRESSION); // its own lastIndex: this function may run re-entrantly
  for (let m = expression.exec(text); m !== null; m = expression.exec(text)) {
    const value = m[0];
    const start = m.index;
    const word = LOWER_CASE_WORD_WEEKDAY.exec(value);
    if (word) {
      // "I sat at 3pm": the word is no weekday, but the time after it may still be one; scanning on from just after
      // the word keeps the whole scan one forward pass
      expression.lastIndex = start + word[0].length;
      continue;
    }
    // "you may 5 times", "we march 20 miles": a lower-case "may" or "march" needs an ordinal or a year
    if (/^(?:may|march)[ \t]{1,3}\d{1,2}(?:[ ]?(?:-|–|to|until)[ ]?\d{1,2})?$/.test(value)) continue;
    if (BARE_DAY_MONTH.test(value) && !DATE_CUE_BEFORE.test(text.slice(Math.max(0, start - 12), start))) continue;
    // "March", "May", "June", "August" written in lower case mid-sentence are verbs or words, not months
    if (/^(?:march|may|june|august)$/.test(value)) continue;
    if (m.groups?.['year'] !== undefined && !AFTER_YEAR.test(text.slice(start + value.length, start + value.length + 12))) continue;
    out.push({ type: 'DATE_TIME', start, end: start + value.length, score: DATE_TIME_SCORE });
  }
  return out;
}

/**
 * A model DATE_TIME span that is a bare number with a content word after it is a count or an amount, not a year ("a
 * 2000 deposit", "for 4 people"); "in 2009 between", "2016." stay (the test of a year after a preposition).
 */
function isCount(span: PiiSpan, text: string): boolean {
  return span.type === 'DATE_TIME' && /^\d{1,4}$/.test(text.slice(span.start, span.end)) && !AFTER_YEAR.test(text.slice(span.end, span.end + 12));
}

/**
 * The model's DATE_TIME spans that hold two or more whole expressions ("June 2021 to August 2023", "12 August until
 * 26 August", "Friday at 9pm and Saturday"): DATE_TIME marks points in time, so the expressions stand alone and the
 * span joining them goes. `sorted` in start order, `found` in start order and non-overlapping: one binary search per
 * span, O(s log e).
 */
function modelRanges(sorted: readonly PiiSpan[], found: readonly PiiSpan[]): PiiSpan[] {
  const ranges: PiiSpan[] = [];
  for (const s of sorted) {
    if (s.type !== 'DATE_TIME') continue;
    const lo = countStartingBefore(found, s.start);
    if (lo + 1 < found.length && found[lo + 1]!.end <= s.end) ranges.push(s);
  }
  return ranges;
}

/**
 * Merge the recognised expressions into the model's spans: an expression replaces every span that lies inside it
 * (the model's "Saturday" and "19:30" inside "this Saturday at 19:30", or an ORGANIZATION "March" inside "March 2nd")
 * and grows over a DATE_TIME span it overlaps; it is left out where it would cut a span of another type. A model
 * DATE_TIME span holding two or more expressions is dropped for them (`modelRanges`), and so is one that is a bare
 * number counting something (`isCount`).
 * O((s + e) log(s + e)) for s spans and e expressions: spans are sorted once, and the sweep passes each span at most
 * once at its front (a span of another type met inside the sweep stops it at once); proven in linear-time.test.ts.
 */
export function addDateTimes(spans: readonly PiiSpan[], text: string): PiiSpan[] {
  const found = recognizeDateTimes(text);
  const kept = spans.filter((s) => !isCount(s, text));
  if (found.length === 0) return kept;
  const sorted = kept.sort((a, b) => a.start - b.start || b.end - a.end);
  const removed = new Set<PiiSpan>(modelRanges(sorted, found));
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
