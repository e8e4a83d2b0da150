import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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

  it('never returns overlapping spans when a model DATE_TIME span covers several expressions', () => {
    const text = 'Friday at 9pm and Saturday';
    const out = addDateTimes([{ type: 'DATE_TIME', start: 0, end: text.length, score: 0.6 }], text);
    expect(out.map((s) => text.slice(s.start, s.end))).toEqual([text]);
  });
});
