import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLinear, fill } from '../../test/linear-growth.js';
import { addDateTimes, recognizeDateTimes } from './pii-datetime.js';
import type { PiiSpan } from './types.js';

const values = (text: string): string[] => recognizeDateTimes(text).map((s) => text.slice(s.start, s.end));

describe('recognizeDateTimes', () => {
  it.each([
    ["I'm flying on March 14th and back on the 28th.", ['March 14th', 'the 28th']],
    ['Can we meet this Saturday at 19:30?', ['this Saturday at 19:30']],
    ['Is Saturday the 14th free?', ['Saturday the 14th']],
    ['The alarm went off at 04:12 and again at 5am', ['04:12', '5am']],
    ['Let us talk tomorrow morning, or next Friday.', ['tomorrow morning', 'next Friday']],
    ['Appointment on 14/05 at 10:00, follow-up 15/05/2025', ['14/05 at 10:00', '15/05/2025']],
    ['Started in June 2021 and left in August.', ['June 2021', 'August']],
    ['Delivery window 9am-5pm on Tuesday', ['9am-5pm on Tuesday']],
    ['Due by 3 March 2019, i.e. 2019-03-03.', ['3 March 2019', '2019-03-03']],
    // a sentence's full stop is not part of a full month name; an abbreviation keeps its period
    ['The report is due on Monday, 9 June.', ['Monday, 9 June']],
    ['We fly out on 14 September. Back on Oct. 2nd.', ['14 September', 'Oct. 2nd']],
    ['Flight on 3 Jan. 2025 at 10am', ['3 Jan. 2025 at 10am']],
  ])('finds the whole expression in %j', (text, want) => {
    expect(values(text)).toEqual(want);
  });

  // issue 23's forms: weekday + clock time, 24-hour times, ordinals, month + day + time, relative days, years
  it.each([
    ['Can we do Monday at 3pm instead?', ['Monday at 3pm']],
    ['Tue 09:30 works, or Fri, 10 May at 9:15', ['Tue 09:30', 'Fri, 10 May at 9:15']],
    ['See you Wed at 2', ['Wed at 2']],
    ['Thursday 14:00 suits, the demo is Thursday 4pm', ['Thursday 14:00', 'Thursday 4pm']],
    ['I land at 17:45 and leave at 0800, the train is at 0645 tomorrow', ['17:45', '0800', '0645 tomorrow']],
    ['Report at 1745 hrs', ['1745 hrs']],
    ["It's on the 3rd of May; we arrive on the 21st of June 2025", ['the 3rd of May', 'the 21st of June 2025']],
    ['Dinner is Saturday the 21st, or Monday 4th of March', ['Saturday the 21st', 'Monday 4th of March']],
    ['March 4 at 10am, then Nov 3rd at 8 pm and June 5th at 11:30', ['March 4 at 10am', 'Nov 3rd at 8 pm', 'June 5th at 11:30']],
    ['on Monday, March 4 at 10am', ['Monday, March 4 at 10am']],
    ["let's meet tomorrow at noon or next saturday at 3pm", ['tomorrow at noon', 'next saturday at 3pm']],
    ['tomorrow night at 9, Sunday morning at 10', ['tomorrow night at 9', 'Sunday morning at 10']],
    ['I called them last week, last July and this coming Friday', ['last week', 'last July', 'this coming Friday']],
    // a bare hour is a time after a word that says so, and like "at 3am" -> "3am" the span leaves the word out
    ['The shop closes at 6, I need it by 6 on Friday and will call after 7.', ['6', '6 on Friday', '7']],
    ["aisha said it starts at 8 but the invite says 9pm, wake me at 3am or at 3 o'clock", ['8', '9pm', '3am', "3 o'clock"]],
    ['my appointment is on Tuesday 4th at 2.30pm, or quarter past 3', ['Tuesday 4th at 2.30pm', 'quarter past 3']],
    ['Deadline: 5pm Friday, meeting at 4:30 pm on Friday', ['5pm Friday', '4:30 pm on Friday']],
    ['founded in 2009, since 2012 to nearly $500 million, in 1990-91.', ['2009', '2012', '1990-91']],
    ['from May 15-24 and on Dec.14th', ['May 15-24', 'Dec.14th']],
    ['in early November 2005, by mid-2019 or late May', ['early November 2005', 'mid-2019', 'late May']],
    ['deployed in the summer of 2017 and again in fall 2019', ['summer of 2017', 'fall 2019']],
    ['A year ago I moved; two weeks ago, 3 days ago', ['A year ago', 'two weeks ago', '3 days ago']],
    ['a partnership from 2009 between two groups, born between 1977-1979', ['2009', '1977-1979']],
    // a leading zero marks a day or a month (fractions never have one); a sentence's full stop ends the date
    ['it says 14/05 but I asked for 15/05. Born 03/14/1962.', ['14/05', '15/05', '03/14/1962']],
    ["On Thanksgiving Day, Christmas Eve at 6pm or New Year's Day", ['Thanksgiving Day', 'Christmas Eve at 6pm', "New Year's Day"]],
  ])('finds the written form in %j', (text, want) => {
    expect(values(text)).toEqual(want);
  });

  it.each([
    ['prices', 'It costs $17.45 or 17,45 EUR, sold at 1500.'],
    ['versions', 'upgrade from python 3.10 to 3.12, v2.3'],
    ['scores and ratios', 'they won 3-1 and then 2:1 on aggregate, a ratio of 16:9'],
    ['flight, reference and phone numbers', 'flight BA 0800 to Paris; call 555 0800 or 0800 123 456; room 1745; order #2030'],
    ['durations', 'it lasted forty years, three weeks later, set the timer for 10 minutes, it took 3 hours, years ago'],
    ['ordinals that count', 'the 5th floor in the 21st century'],
    ['fractions and ratios without a date word', 'add 3/4 cup. Mix 1/2 tsp at a 15/5 ratio'],
    ['holiday names used as things', 'a christmas tree, an easter egg hunt, the Thanksgiving menu'],
    ['counts after a time word', 'he was at 6 years old, after 7 innings, by 6 points, count from 1 to 5'],
    ['arithmetic', 'divide it by 6. Prices rose by 6, divisible by 3 or 4'],
    ['counts after a year word', 'in 2000 cases, of 1990 voters, use port 8080'],
    ['lower-case words that abbreviate weekdays', 'I sat at the back; the sun 2 times; wed 3 times'],
  ])('leaves %s alone', (_kind, text) => {
    expect(values(text)).toEqual([]);
  });

  it('keeps the time after a lower-case word that abbreviates a weekday', () => {
    expect(values('I sat at 3pm with mon amie; sun at noon; Sun at noon')).toEqual(['3pm', 'noon', 'Sun at noon']);
  });

  it('stays linear on long hostile input (property: CPU time at 16 KiB vs 64 KiB for any unit of date pieces)', () => {
    // units that keep many alternatives alive at every position: cues without an hour, weekdays without a time,
    // ordinals without a month, digits that almost make a time or a year
    const pieces = ['at ', 'by ', '6', '0800', ':', '.', '-', 'Mon', 'Tue ', 'the ', '21st', ' of', 'May', ' 2019', 'in ', 'next ', 'at', ' ', ',', 'pm', "o'clock", 'divide ', 'h'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 12 }).map((a) => a.join('')), (unit) => {
        expectLinear((n) => {
          const text = fill(unit, n);
          return () => recognizeDateTimes(text);
        }, 16 * 1024);
      }),
      { numRuns: 8 },
    );
  });

  it.each([
    'Add 3/4 cup of sugar',
    'You may 5 times a day',
    'We march 20 miles',
    'python 3.10.12 on the 5th floor in the 21st century',
    'the sun rose over Maybury',
    'version 12:30:45 of the build',
  ])('leaves %j alone', (text) => {
    expect(values(text)).toEqual([]);
  });
});

describe('dates written out in full (formerly addExplicitDates)', () => {
  it('finds ISO, day/month either way round, dotted with a four-digit year, month names with or without a year', () => {
    const t = 'signed 2024-05-17, born 03/14/1962 or 7/8/90, expires 12.09.2027, meet Sept 9th, on Mar 4, born 5 March 2019, due March 5th, 2019, May 5';
    expect(values(t)).toEqual(['2024-05-17', '03/14/1962', '7/8/90', '12.09.2027', 'Sept 9th', 'Mar 4', '5 March 2019', 'March 5th, 2019', 'May 5']);
    const covered: PiiSpan[] = [{ type: 'DATE_TIME', start: t.indexOf('on Mar 4'), end: t.indexOf('on Mar 4') + 8, score: 0.7 }];
    const shown = addDateTimes(covered, t).map((s) => t.slice(s.start, s.end));
    expect(shown).toContain('on Mar 4');
    expect(shown).not.toContain('Mar 4');
  });
  it('leaves fractions, versions, invalid dates and the verb "may" alone; a month with a year is a date', () => {
    expect(values('add 3/4 cup; python 3.10.12; v1.2.2019; you may 5 times; call 2024-13-45')).toEqual([]);
    expect(values('in March 2019')).toEqual(['March 2019']);
  });
});

describe('addDateTimes', () => {
  it('replaces the pieces the model found and a mistyped month, keeps other types', () => {
    const text = 'Book Alice for this Saturday at 19:30 on March 2nd';
    const model: PiiSpan[] = [
      { type: 'PERSON', start: 5, end: 10, score: 0.9 },
      { type: 'DATE_TIME', start: 20, end: 28, score: 0.6 },
      { type: 'DATE_TIME', start: 32, end: 37, score: 0.5 },
      { type: 'ORGANIZATION', start: 41, end: 46, score: 0.5 },
    ];
    const out = addDateTimes(model, text).map((s) => [s.type, text.slice(s.start, s.end)]);
    expect(out).toEqual([
      ['PERSON', 'Alice'],
      ['DATE_TIME', 'this Saturday at 19:30'],
      ['DATE_TIME', 'March 2nd'],
    ]);
  });

  it('drops a model DATE_TIME span that is a bare number counting something, keeps one that can be a year', () => {
    const text = 'after taking a 2000 deposit in 2016.';
    const model: PiiSpan[] = [
      { type: 'DATE_TIME', start: text.indexOf('2000'), end: text.indexOf('2000') + 4, score: 0.9 },
      { type: 'DATE_TIME', start: text.indexOf('2016'), end: text.indexOf('2016') + 4, score: 0.9 },
    ];
    expect(addDateTimes(model, text).map((s) => text.slice(s.start, s.end))).toEqual(['2016']);
    const counted = 'a table for 4 people';
    expect(addDateTimes([{ type: 'DATE_TIME', start: 12, end: 13, score: 0.9 }], counted)).toEqual([]);
  });

  it('never cuts a span of another type', () => {
    const text = 'Friday Harbor Labs is in Washington';
    const model: PiiSpan[] = [{ type: 'ORGANIZATION', start: 0, end: 18, score: 0.8 }];
    expect(addDateTimes(model, text)).toEqual(model);
  });

  it('returns well-formed, non-overlapping DATE_TIME spans on any text (property)', () => {
    const words = ['on', 'at', 'the', 'March', 'may', '14th', '3', '/', '4', '19:30', '9pm', 'next', 'Friday', 'tomorrow', ' ', ',', 'in', 'June', '2021', 'Alice'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), (parts) => {
        const text = parts.join(' ');
        const out = addDateTimes([], text);
        for (let i = 0; i < out.length; i++) {
          const s = out[i]!;
          expect(s.start).toBeLessThan(s.end);
          expect(s.end).toBeLessThanOrEqual(text.length);
          if (i > 0) expect(out[i - 1]!.end).toBeLessThanOrEqual(s.start);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('splits a model DATE_TIME span that covers several expressions into them (points in time, not ranges)', () => {
    const text = 'Friday at 9pm and Saturday';
    const out = addDateTimes([{ type: 'DATE_TIME', start: 0, end: text.length, score: 0.6 }], text);
    expect(out.map((s) => text.slice(s.start, s.end))).toEqual(['Friday at 9pm', 'Saturday']);
    const range = 'worked there from June 2021 to August 2023';
    const model: PiiSpan[] = [{ type: 'DATE_TIME', start: range.indexOf('June'), end: range.length, score: 0.9 }];
    expect(addDateTimes(model, range).map((s) => range.slice(s.start, s.end))).toEqual(['June 2021', 'August 2023']);
    // one expression inside a longer model span still grows over it
    const one = 'on the evening of March 2nd';
    const grown = addDateTimes([{ type: 'DATE_TIME', start: 3, end: one.length, score: 0.6 }], one);
    expect(grown.map((s) => one.slice(s.start, s.end))).toEqual(['the evening of March 2nd']);
  });
});
