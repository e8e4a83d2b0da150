import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SPAN_PATTERN_WIDTH } from '../signals/keyword-pattern.js';
import { customPatternRecognizer } from '../signals/pii-custom-recognizers.js';
import { parseConfig } from './parse.js';

const base = { providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] } };
const withPii = (pii: unknown) => ({ ...base, global: { classifier: { pii } } });

function errorsOf(src: unknown) {
  const r = parseConfig(src);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

describe('global.classifier.pii: recognizer switches and custom recognizers', () => {
  it('default to every built-in and no custom recognizer', () => {
    const r = parseConfig(base);
    if (!r.ok) throw new Error('invalid');
    expect(r.config.global.classifier.pii).toEqual({ threshold: 0.4, recognizers: {}, custom_recognizers: [] });
  });

  it('accept switches by name and custom pattern recognizers, filling their defaults', () => {
    const r = parseConfig(withPii({
      recognizers: { date_time: { enabled: false }, employee_id: {} },
      custom_recognizers: [{ name: 'employee_id', entity: 'EMPLOYEE_ID', patterns: [{ regex: String.raw`\bEMP-\d{6}\b`, score: 0.5 }], context: ['employee'] }],
    }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.config.global.classifier.pii.recognizers).toEqual({ date_time: { enabled: false }, employee_id: { enabled: true } });
    expect(r.config.global.classifier.pii.custom_recognizers[0]).toEqual({
      name: 'employee_id', entity: 'EMPLOYEE_ID', patterns: [{ regex: String.raw`\bEMP-\d{6}\b`, score: 0.5 }], context: ['employee'], context_boost: 0.35, case_sensitive: false,
    });
  });

  it('accept natural_ner, the recognizer a model folder may bring (heads.json pii "ner"), whatever the model', () => {
    const r = parseConfig(withPii({ recognizers: { natural_ner: { enabled: false } } }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.config.global.classifier.pii.recognizers).toEqual({ natural_ner: { enabled: false } });
    const [e] = errorsOf(withPii({ custom_recognizers: [{ name: 'natural_ner', entity: 'X', patterns: [{ regex: 'x', score: 0.5 }] }] }));
    expect(e).toMatchObject({ path: 'global.classifier.pii.custom_recognizers[0].name', message: '"natural_ner" is a built-in PII recognizer' });
    expect(errorsOf(withPii({ recognizers: { natural_nr: {} } }))[0]).toMatchObject({ suggestion: 'natural_ner' });
  });

  it('name an unknown recognizer with the list and a suggestion', () => {
    const [e] = errorsOf(withPii({ recognizers: { emial: { enabled: false } } }));
    expect(e).toMatchObject({ path: 'global.classifier.pii.recognizers.emial', message: 'unknown PII recognizer "emial"', suggestion: 'email' });
    expect(e!.expected).toContain('date_time');
  });

  it('say where a regex is unusable and how to fix it', () => {
    const errors = errorsOf(withPii({ custom_recognizers: [{ name: 'badge', entity: 'BADGE', patterns: [{ regex: 'B-\\d{4}', score: 0.5 }, { regex: '([A-Z]+)+!', score: 0.5 }] }] }));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('global.classifier.pii.custom_recognizers[0].patterns[1].regex');
    expect(errors[0]!.message).toMatch(/^regex not usable: unbounded repetition \(\+ at offset 6\): write a bounded one such as \{1,64\}/);
    expect(errors[0]!.message).toMatch(/always in linear time/);
    expect(errorsOf(withPii({ custom_recognizers: [{ name: 'x', entity: 'X', patterns: [{ regex: '(?<=a)b', score: 0.5 }] }] }))[0]!.message).toMatch(/lookaround/);
  });

  it('refuse a custom name that is taken, a malformed entity or name, no patterns, and a context word that is not a word', () => {
    const paths = (pii: unknown) => errorsOf(withPii(pii)).map((e) => e.path);
    const p = { regex: 'X-\\d{3}', score: 0.5 };
    expect(paths({ custom_recognizers: [{ name: 'email', entity: 'X', patterns: [p] }] })).toEqual(['global.classifier.pii.custom_recognizers[0].name']);
    expect(paths({ custom_recognizers: [{ name: 'x', entity: 'X', patterns: [p] }, { name: 'x', entity: 'Y', patterns: [p] }] })).toEqual(['global.classifier.pii.custom_recognizers[1].name']);
    expect(paths({ custom_recognizers: [{ name: 'x', entity: 'lower', patterns: [p] }] })).toEqual(['global.classifier.pii.custom_recognizers[0].entity']);
    expect(paths({ custom_recognizers: [{ name: 'X Y', entity: 'X', patterns: [p] }] })).toEqual(['global.classifier.pii.custom_recognizers[0].name']);
    expect(paths({ custom_recognizers: [{ name: 'x', entity: 'X', patterns: [] }] })).toEqual(['global.classifier.pii.custom_recognizers[0].patterns']);
    expect(paths({ custom_recognizers: [{ name: 'x', entity: 'X', patterns: [p], context: ['ok', '(a+)+'] }] })).toEqual(['global.classifier.pii.custom_recognizers[0].context[1]']);
    expect(paths({ custom_recognizers: [{ name: 'x', entity: 'X', patterns: [{ regex: 'a', score: 2 }] }] })).toEqual(['global.classifier.pii.custom_recognizers[0].patterns[0].score']);
  });
});

describe('custom recognizer config (properties)', () => {
  const regexChars = fc.constantFrom('a', 'b', '1', '-', '.', '\\d', '\\w', '\\b', '[a-z]', '[^ ]', '(', ')', '(?:', '|', '?', '*', '+', '{2}', '{1,3}', '{2,}', '^', '$', '\\', '[', ']', '{', '(?=', '\\1');
  const regex = fc.array(regexChars, { minLength: 0, maxLength: 12 }).map((parts) => parts.join(''));
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '1', '2', '-', ' ', '.', 'A', '\n', 'é', '😀'), maxLength: 80 });

  it('any regex gives a config or errors under its own path, never an exception; accepted ones find in-bounds, ordered, non-empty, bounded matches', () => {
    fc.assert(
      fc.property(regex, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), text, (re, score, caseSensitive, t) => {
        const r = parseConfig(withPii({ custom_recognizers: [{ name: 'custom', entity: 'CUSTOM', patterns: [{ regex: re, score }], case_sensitive: caseSensitive }] }));
        if (!r.ok) {
          for (const e of r.errors) expect(e.path.startsWith('global.classifier.pii.custom_recognizers[0]')).toBe(true);
          return;
        }
        const spans = customPatternRecognizer(r.config.global.classifier.pii.custom_recognizers[0]!).recognize(t);
        let last = 0;
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end - s.start).toBeLessThanOrEqual(MAX_SPAN_PATTERN_WIDTH);
          expect(s.end).toBeLessThanOrEqual(t.length);
          expect(s.score).toBe(score);
          last = s.end;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('every match a custom pattern finds is one JavaScript finds at the same place (same syntax, same meaning)', () => {
    // Bounded, non-empty regexes built from pieces both engines read alike; JS's leftmost-first match at a start is
    // never longer than our leftmost-longest one, and both start at the same place.
    const atom = fc.constantFrom('a', 'b', '1', '\\d', '[ab]', '[^ ]', '.', '-');
    const piece = fc.tuple(atom, fc.constantFrom('', '?', '{1,3}', '{2}')).map(([a, q]) => a + q);
    const seq = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    const pattern = fc.array(seq, { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|'));
    fc.assert(
      fc.property(pattern, text, (re, t) => {
        const r = parseConfig(withPii({ custom_recognizers: [{ name: 'custom', entity: 'CUSTOM', patterns: [{ regex: re, score: 0.5 }], case_sensitive: true }] }));
        if (!r.ok) {
          // only patterns that can match empty text are refused
          expect(r.errors.map((e) => e.message).join()).toMatch(/empty text/);
          return;
        }
        const ours = customPatternRecognizer(r.config.global.classifier.pii.custom_recognizers[0]!).recognize(t);
        const js = new RegExp(re, 'y');
        for (const s of ours) {
          js.lastIndex = s.start;
          const m = js.exec(t);
          expect(m).not.toBeNull();
          expect(m![0].length).toBeLessThanOrEqual(s.end - s.start);
          expect(new RegExp(`^(?:${re})$`).test(t.slice(s.start, s.end))).toBe(true);
        }
        // and nothing is missed: no JS match starts in a gap between our matches (the search is leftmost)
        let from = 0;
        for (const s of [...ours, { start: t.length + 1, end: t.length + 1 }]) {
          for (let i = from; i < Math.min(s.start, t.length); i++) {
            js.lastIndex = i;
            const m = js.exec(t);
            expect(m === null || m[0].length === 0).toBe(true);
          }
          from = s.end;
        }
      }),
      { numRuns: 400 },
    );
  });
});
