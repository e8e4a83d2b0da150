import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { placeholder, redact } from './redact.js';

describe('redact', () => {
  it('replaces spans with typed placeholders', () => {
    const text = 'Mail john@x.io or call 555-1234.';
    const r = redact(text, [{ type: 'PHONE_NUMBER', start: 23, end: 31, score: 0.9 }, { type: 'EMAIL_ADDRESS', start: 5, end: 14, score: 0.9 }]);
    expect(r.text).toBe('Mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>.');
    for (const s of r.spans) expect(r.text.slice(s.start, s.end)).toBe(placeholder(s.type));
  });
  it('merges overlapping spans, keeping the highest-scoring type', () => {
    const r = redact('Dr. John Smith', [{ type: 'TITLE', start: 0, end: 3, score: 0.6 }, { type: 'PERSON', start: 0, end: 14, score: 0.9 }, { type: 'PERSON', start: 4, end: 8, score: 0.5 }]);
    expect(r.text).toBe('<PERSON>');
    expect(r.spans).toHaveLength(1);
  });
  it('clamps and ignores invalid spans; never splits surrogate pairs', () => {
    expect(redact('abc', [{ type: 'X', start: -5, end: 100, score: 1 }]).text).toBe('<X>');
    expect(redact('abc', [{ type: 'X', start: 2, end: 1, score: 1 }, { type: 'X', start: Number.NaN, end: 2, score: 1 }]).text).toBe('abc');
    const emoji = 'a😀b';
    expect(redact(emoji, [{ type: 'X', start: 2, end: 3, score: 1 }]).text).toBe('a<X>b');
    expect(placeholder('we!rd')).toBe('<we_rd>');
  });
  it('offsets are consistent (property)', () => {
    const spanArb = fc.record({ type: fc.constantFrom('PERSON', 'EMAIL_ADDRESS'), start: fc.integer({ min: -3, max: 40 }), end: fc.integer({ min: -3, max: 45 }), score: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z .@]{0,40}$/), fc.array(spanArb, { maxLength: 6 }), (text, spans) => {
        const r = redact(text, spans);
        // each returned span points at its placeholder, in order, without overlaps
        let prevEnd = 0;
        for (const s of r.spans) {
          expect(r.text.slice(s.start, s.end)).toBe(placeholder(s.type));
          expect(s.start).toBeGreaterThanOrEqual(prevEnd);
          prevEnd = s.end;
        }
        // text outside the input spans is preserved, in order
        const covered = new Array<boolean>(text.length).fill(false);
        for (const s of spans) for (let i = Math.max(0, s.start); i < Math.min(text.length, s.end); i++) covered[i] = true;
        const kept = [...text].filter((_, i) => !covered[i]).join('');
        let outside = '';
        let pos = 0;
        for (const s of r.spans) {
          outside += r.text.slice(pos, s.start);
          pos = s.end;
        }
        outside += r.text.slice(pos);
        expect(outside).toBe(kept);
        // no spans → identity
        expect(redact(text, []).text).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
