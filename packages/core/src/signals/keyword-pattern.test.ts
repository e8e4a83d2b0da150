import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectLinearSteps } from '../../test/linear-growth.js';
import { compileKeyword, isRegexKeyword, keywordProblem, regexKeywordSteps } from './keyword-pattern.js';

const t = (kw: string, text: string, cs = false): boolean => compileKeyword(kw, cs).test(text, text.toLowerCase());

describe('literal keywords', () => {
  it('match whole words, case-insensitively by default', () => {
    expect(t('urgent', 'This is URGENT please')).toBe(true);
    expect(t('urgent', 'insurgents')).toBe(false);
    expect(t('urgent', 'urgent!')).toBe(true);
    expect(t('credit card', 'my Credit  card')).toBe(false);
    expect(t('credit card', 'my credit card')).toBe(true);
    expect(t('URGENT', 'urgent', true)).toBe(false);
    expect(t('URGENT', 'so URGENT', true)).toBe(true);
  });
  it('treat C++, why? and e.g. as literals', () => {
    expect(isRegexKeyword('C++')).toBe(false);
    expect(isRegexKeyword('why?')).toBe(false);
    expect(t('C++', 'I write c++ daily')).toBe(true);
    expect(t('why?', 'but why? really')).toBe(true);
    expect(t('e.g.', 'see e.g. this')).toBe(true);
  });
  it('find a later whole-word occurrence after a partial one', () => {
    expect(t('cat', 'concatenate the cat')).toBe(true);
  });
  it('work for non-Latin scripts', () => {
    expect(t('紧急', '这是紧急情况')).toBe(true);
    expect(t('срочно', 'Очень СРОЧНО!')).toBe(true);
  });
});

describe('regex keywords (linear-time subset)', () => {
  const email = '\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\b';
  it('supports classes, quantifiers, groups, alternation, anchors and escapes', () => {
    expect(t(email, 'send to user.name@domain.com today')).toBe(true);
    expect(t(email, 'no address here')).toBe(false);
    expect(t('[A-Za-z]:\\\\', 'at C:\\Program Files')).toBe(true);
    expect(t('^(hi|hello)\\b', 'hello there')).toBe(true);
    expect(t('^(hi|hello)\\b', 'oh hello')).toBe(false);
    expect(t('\\d{3}-\\d{2}-\\d{4}', 'ssn 123-45-6789')).toBe(true);
    expect(t('colou?r$', 'the colour')).toBe(true);
    expect(t('(?i)SECRET', 'a secret')).toBe(true);
    expect(t('re:a.c', 'abc')).toBe(true);
    expect(t('(?:ab){2,3}x', 'ababx')).toBe(true);
    expect(t('(?:ab){2,3}x', 'abx')).toBe(false);
    expect(t('[^\\s]+@x', 'a@x')).toBe(true);
  });
  it('is case-insensitive for classes too unless case_sensitive', () => {
    expect(t('[A-Z]{3}', 'abc')).toBe(true);
    expect(t('[A-Z]{3}', 'abc', true)).toBe(false);
  });
  it('rejects backreferences, lookaround and oversize repeats', () => {
    expect(keywordProblem('(a)\\1')).toMatch(/backreferences/);
    expect(keywordProblem('(?=a)b')).toMatch(/lookaround/);
    expect(keywordProblem('(?<!a)b')).toMatch(/lookaround/);
    expect(keywordProblem('a{5000}')).toMatch(/repetition/);
    expect(keywordProblem('(ab')).toMatch(/missing \)/);
    expect(keywordProblem('[ab')).toMatch(/missing ]/);
    expect(keywordProblem('\\q')).toMatch(/unknown escape/);
    expect(keywordProblem('plain words')).toBeUndefined();
  });
  it('runs catastrophic-backtracking patterns in linear time (Pike VM steps at 50k and 200k characters)', () => {
    // A backtracking engine takes exponential ((a+)+$, (a|a)*b, (a|aa)+$) or polynomial ((.*a){20}$) time on a long
    // run of a's that none of them matches; the VM's work is counted, so the comparison is exact on any machine.
    const hostile = (n: number) => `${'a'.repeat(n)}!`;
    for (const p of ['(a+)+$', '(a|a)*b', '(a|aa)+$', '(.*a){20}$']) {
      expect(t(p, hostile(50_000))).toBe(false);
      expectLinearSteps((n) => regexKeywordSteps(p, hostile(n)), 50_000);
    }
  });
  it('counts the steps of the same search that test() runs', () => {
    const text = `a${'b'.repeat(100)}`;
    expect(regexKeywordSteps('re:a', text)).toBeLessThan(10); // stops at the first match
    expect(regexKeywordSteps('re:c', text)).toBeGreaterThan(text.length); // scans every position
    expect(() => regexKeywordSteps('plain words', 'text')).toThrow(/not a regex keyword/);
  });
  it('agrees with RegExp on random patterns (property)', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\b', ' ', '\\s', '\\w');
    const pattern: fc.Arbitrary<string> = fc.letrec<{ p: string }>((tie) => ({
      p: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('p'), tie('p')).map(([a, b]) => a + b),
        fc.tuple(tie('p'), tie('p')).map(([a, b]) => `(?:${a}|${b})`),
        fc.tuple(tie('p'), fc.constantFrom('*', '+', '?', '{1,2}', '{2}')).map(([a, q]) => `(?:${a})${q}`),
        fc.tuple(fc.constantFrom('^', ''), tie('p'), fc.constantFrom('$', '')).map(([a, b, c]) => a + b + c),
      ),
    })).p;
    fc.assert(
      fc.property(pattern, fc.stringMatching(/^[ab ]{0,12}$/), (p, s) => {
        const src = `(${p})`;
        expect(compileKeyword(src, true).test(s, s.toLowerCase())).toBe(new RegExp(src).test(s));
      }),
      { numRuns: 500 },
    );
  });
});
