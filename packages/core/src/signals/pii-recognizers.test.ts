import { describe, expect, it } from 'vitest';
import { compileSpanPattern, KeywordPatternError, MAX_SPAN_PATTERN_WIDTH } from './keyword-pattern.js';
import { mergePiiSpans, recognizePatterns } from './pii-patterns.js';
import {
  BUILTIN_PII_RECOGNIZER_NAMES,
  BUILTIN_PII_RECOGNIZERS,
  MODEL_RECOGNIZER,
  PiiRecognizerError,
  RecognizerRegistry,
  type ContextRuleRecognizer,
} from './pii-recognizers.js';
import { customPatternRecognizer, registryFromSettings } from './pii-custom-recognizers.js';
import { refinePiiSpans, SPAN_RULES } from './pii-refine.js';
import type { PiiSpan } from './types.js';

const at = (text: string, piece: string, type: string, score: number): PiiSpan => {
  const start = text.indexOf(piece);
  if (start < 0) throw new Error(`${piece} not in text`);
  return { type, start, end: start + piece.length, score };
};
const plain = (spans: readonly PiiSpan[]) => spans.map(({ type, start, end, score }) => ({ type, start, end, score }));
const found = (text: string, spans: readonly PiiSpan[]) => spans.map((s) => [s.type, text.slice(s.start, s.end), s.recognizer]);

/** Texts with the model spans a PII head might give them: names, places, dates, numbers, addresses, e-mails. */
const CASES: [string, (t: string) => PiiSpan[]][] = [
  ['Please email me at john.smith@example.com or call +1 (415) 555-0132, I am John Smith.', (t) => [at(t, 'John Smith', 'PERSON', 0.35), at(t, 'john.smith@example', 'EMAIL_ADDRESS', 0.8)]],
  ['I live in Kyleton and work at Haag Inc since March 2nd, 2021.', (t) => [at(t, 'Kyleton', 'STREET_ADDRESS', 0.6), at(t, 'Haag', 'PERSON', 0.5), at(t, 'March', 'ORGANIZATION', 0.45)]],
  ['Dr Skye Botsford, 1689 Rue du Faubourg Saint-Honoré Apt. 718; my SSN is 123-45-6789', (t) => [at(t, 'Dr Skye Botsford', 'PERSON', 0.9), at(t, '1689', 'STREET_ADDRESS', 0.7), at(t, 'Rue du Faubourg', 'STREET_ADDRESS', 0.6)]],
  ['my son is 7 years old, we moved to 94110 next Friday at 9pm; card 4111 1111 1111 1111', (t) => [at(t, 'Friday', 'DATE_TIME', 0.5)]],
  ['', () => []],
];

describe('built-in recognizers', () => {
  it('are the model, every span rule and every pattern recognizer, in run order, with unique names', () => {
    // the settings module's static list (config validation reads it without loading the rules) matches the table
    expect(BUILTIN_PII_RECOGNIZERS.map((r) => r.name)).toEqual(BUILTIN_PII_RECOGNIZER_NAMES);
    expect(BUILTIN_PII_RECOGNIZER_NAMES[0]).toBe(MODEL_RECOGNIZER);
    expect(BUILTIN_PII_RECOGNIZERS.filter((r) => r.kind === 'context-rule').map((r) => r.name)).toEqual(SPAN_RULES.map((r) => r.name));
    expect(BUILTIN_PII_RECOGNIZERS.filter((r) => r.kind === 'pattern').map((r) => r.name)).toEqual([
      'email', 'credit_card', 'iban', 'ip_address', 'us_ssn', 'phone_number', 'us_driver_license', 'url', 'domain_name',
    ]);
    expect(new Set(BUILTIN_PII_RECOGNIZER_NAMES).size).toBe(BUILTIN_PII_RECOGNIZER_NAMES.length);
    expect(Object.isFrozen(BUILTIN_PII_RECOGNIZERS)).toBe(true);
    for (const r of BUILTIN_PII_RECOGNIZERS) expect(r.entities.length).toBeGreaterThan(0);
  });

  it('all enabled, give exactly what the post-processing gave before the registry (merge of refined spans and patterns)', () => {
    const registry = RecognizerRegistry.withBuiltins();
    for (const [text, spansOf] of CASES) {
      const model = spansOf(text);
      expect(plain(registry.run(model, text))).toEqual(plain(mergePiiSpans(refinePiiSpans(model, text), recognizePatterns(text))));
    }
  });

  it('name the recognizer that found each span or last changed it', () => {
    const text = CASES[0]![0];
    const out = found(text, RecognizerRegistry.withBuiltins().run(CASES[0]![1](text), text));
    expect(out).toEqual([
      ['EMAIL_ADDRESS', 'john.smith@example.com', 'email'],
      ['PHONE_NUMBER', '+1 (415) 555-0132', 'phone_number'],
      ['PERSON', 'John Smith', 'capitalised_names'], // the model's unsure name, capitalised mid-sentence: +0.1
    ]);
    const t2 = CASES[1]![0];
    expect(found(t2, RecognizerRegistry.withBuiltins().run(CASES[1]![1](t2), t2))).toEqual([
      ['GPE', 'Kyleton', 'names_after_cues'],
      ['ORGANIZATION', 'Haag Inc', 'names_after_cues'], // company_names made it one; the cue after "work at" raised its score last
      ['DATE_TIME', 'March 2nd, 2021', 'date_time'],
    ]);
    // a model span no rule touches keeps `model`
    const t3 = 'ok so Budapest it is';
    expect(found(t3, RecognizerRegistry.withBuiltins().run([at(t3, 'Budapest', 'GPE', 0.8)], t3))).toEqual([['GPE', 'Budapest', 'model']]);
  });
});

describe('RecognizerRegistry', () => {
  it('disable leaves a recognizer out, enable brings it back', () => {
    const text = 'write to ann@example.org today';
    const registry = RecognizerRegistry.withBuiltins().disable('email');
    expect(registry.isEnabled('email')).toBe(false);
    expect(found(text, registry.run([], text))).toEqual([['DATE_TIME', 'today', 'date_time']]);
    registry.enable('email').disable('date_time');
    expect(found(text, registry.run([], text))).toEqual([['EMAIL_ADDRESS', 'ann@example.org', 'email']]);
  });

  it('without the model recognizer, the head\'s spans are ignored; rules and patterns still run', () => {
    const text = 'I am Zoe, zoe@example.com';
    const model = [at(text, 'Zoe', 'PERSON', 0.9)];
    expect(found(text, RecognizerRegistry.withBuiltins().disable(MODEL_RECOGNIZER).run(model, text))).toEqual([['EMAIL_ADDRESS', 'zoe@example.com', 'email']]);
  });

  it('refuses unknown, duplicate and malformed names, listing what exists', () => {
    const registry = RecognizerRegistry.withBuiltins();
    expect(() => registry.disable('emial')).toThrow(PiiRecognizerError);
    expect(() => registry.disable('emial')).toThrow(/unknown PII recognizer "emial"; registered: model, streetless_addresses/);
    expect(() => registry.add(BUILTIN_PII_RECOGNIZERS[1]!)).toThrow(/already registered/);
    expect(() => registry.add({ ...BUILTIN_PII_RECOGNIZERS[1]!, name: 'Bad Name' } as ContextRuleRecognizer)).toThrow(/lower-case letters/);
  });

  it('runs an added context rule after the built-in rules, and names it on what it changes', () => {
    const dropOrganizations: ContextRuleRecognizer = {
      name: 'no_organizations',
      kind: 'context-rule',
      entities: ['ORGANIZATION'],
      description: 'test: drops organisations',
      refine: (spans) => spans.filter((s) => s.type !== 'ORGANIZATION'),
    };
    const text = CASES[1]![0];
    const registry = RecognizerRegistry.withBuiltins().add(dropOrganizations);
    expect(registry.names.at(-1)).toBe('no_organizations');
    expect(found(text, registry.run(CASES[1]![1](text), text)).map((f) => f[0])).toEqual(['GPE', 'DATE_TIME']);
  });

  it('clone copies recognizers and switches without sharing them', () => {
    const a = RecognizerRegistry.withBuiltins().disable('url');
    const b = a.clone().enable('url').disable('iban');
    expect([a.isEnabled('url'), a.isEnabled('iban'), b.isEnabled('url'), b.isEnabled('iban')]).toEqual([false, true, true, false]);
  });
});

describe('custom pattern recognizers', () => {
  const employeeId = customPatternRecognizer({
    name: 'employee_id',
    entity: 'EMPLOYEE_ID',
    patterns: [{ regex: String.raw`\bEMP-\d{6}\b`, score: 0.3 }],
    context: ['employee', 'staff number'],
  });

  it('score their matches, plus the context boost when a context word stands near (Presidio: +0.35)', () => {
    expect(employeeId.recognize('ticket EMP-123456 closed')).toEqual([{ type: 'EMPLOYEE_ID', start: 7, end: 17, score: 0.3 }]);
    expect(employeeId.recognize('my employee ID: emp-123456')[0]!.score).toBeCloseTo(0.65);
    expect(employeeId.recognize('EMP-654321, staff  number')[0]!.score).toBeCloseTo(0.65); // after it, any spacing
    expect(employeeId.recognize('employees EMP-123456')[0]!.score).toBe(0.3); // whole words only
    expect(employeeId.recognize('EMP-1234567')).toEqual([]);
  });

  it('join the pattern matches in the registry: a match above the threshold counts, the higher-scored one wins overlaps', () => {
    const text = 'employee EMP-123456 wrote to emp-123456@corp.com';
    const registry = RecognizerRegistry.withBuiltins().add(employeeId);
    expect(found(text, registry.run([], text))).toEqual([
      ['EMPLOYEE_ID', 'EMP-123456', 'employee_id'],
      ['EMAIL_ADDRESS', 'emp-123456@corp.com', 'email'],
    ]);
  });

  it('come from settings with the built-in switches', () => {
    const registry = registryFromSettings({
      recognizers: { date_time: { enabled: false }, employee_id: { enabled: true } },
      custom_recognizers: [{ name: 'employee_id', entity: 'EMPLOYEE_ID', patterns: [{ regex: 'EMP-\\d{6}', score: 0.8 }] }],
    });
    expect(registry.isEnabled('date_time')).toBe(false);
    expect(registry.names.at(-1)).toBe('employee_id');
    expect(() => registryFromSettings({ recognizers: { nope: { enabled: false } } })).toThrow(/unknown PII recognizer "nope"/);
    expect(() => customPatternRecognizer({ name: 'x', entity: 'X', patterns: [{ regex: 'a+', score: 1 }] })).toThrow(/unbounded repetition \(\+ at offset 1\): write a bounded one such as \{1,64\}/);
  });
});

describe('compileSpanPattern (linear-time span search)', () => {
  const spans = (re: string, text: string) => compileSpanPattern(re, false).find(text).map(([s, e]) => text.slice(s, e));

  it('finds every leftmost-longest, non-overlapping match', () => {
    expect(spans(String.raw`\d{2,4}`, 'a 12345 b 7 c 99')).toEqual(['1234', '99']); // "5" alone is too short
    expect(spans('ab|abcd|bc', 'xabcdbc')).toEqual(['abcd', 'bc']);
    expect(spans(String.raw`\bcat\b`, 'cat concat cat.')).toEqual(['cat', 'cat']);
    expect(spans('(?:a|a){1,8}b', 'aaaaaaaaaaaaab')).toEqual(['aaaaaaaab']);
    expect(spans('x', '')).toEqual([]);
    expect(compileSpanPattern('ABC', true).find('abc ABC')).toEqual([[4, 7]]);
  });

  it('rejects what could make matches unbounded, empty or too long, and unsupported syntax, saying how to fix it', () => {
    const problem = (re: string) => {
      try {
        compileSpanPattern(re, false);
        return 'compiled';
      } catch (err) {
        expect(err).toBeInstanceOf(KeywordPatternError);
        return (err as Error).message;
      }
    };
    expect(problem('[a-z]*@x')).toMatch(/unbounded repetition \(\* at offset 5\): write a bounded one such as \{1,64\}/);
    expect(problem('a{2,}')).toMatch(/unbounded repetition \(\{2,\} at offset 1\)/);
    expect(problem('x?')).toMatch(/can match empty text/);
    expect(problem(`a{${MAX_SPAN_PATTERN_WIDTH + 1}}`)).toMatch(/could be 129 characters long, over the limit of 128/);
    expect(problem('a{1,100}|b{1,100}')).toMatch(/200 character positions .* over the limit of 128/);
    expect(problem('(?=a)a')).toMatch(/lookaround/);
    expect(problem('(a)\\1')).toMatch(/backreferences/);
    expect(problem('[a-')).toMatch(/missing \]|at offset/);
  });
});
