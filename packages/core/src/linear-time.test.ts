/**
 * Bounded work per stage (issue 19): every stage of classification is linear in its input, proven on inputs built to
 * be its worst case (many overlapping matches, many spans, one enormous word, no spaces, astral and stacked combining
 * characters). Each case measures a stage's CPU time at one size and at four times that size and requires the cost to
 * grow at most 6× (linear: 4×, quadratic: 16×), with the helpers of test/linear-growth.ts: CPU time, not wall-clock
 * time, so other jobs on a shared machine barely move the ratio; up to five measurements, one showing linear growth
 * passes. Sizes are compared, never wall-clock ceilings. Speed itself is measured by bench/linear.bench.ts, not here.
 * Stages that run per screened character (span rules, keyword patterns, the tokenizer's non-ASCII path; the classifier
 * screens at most `global.screening.max_chars`) are compared at smaller sizes (noted per case) to keep the suite fast;
 * the rest at 1 MiB vs 4 MiB.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { expectLinear, fill } from '../test/linear-growth.js';
import { defaultConfig } from './config/default-config.js';
import { parseConfig } from './config/parse.js';
import { decide } from './decision/engine.js';
import { decodePiiChunkVote, parseBioLabels } from './runtime/postprocess.js';
import { ModelTokenizer } from './runtime/tokenizer.js';
import { assignTokensToWindows, piiWindows, summaryRanges, DEFAULT_WINDOWS } from './runtime/windows.js';
import { mergePiiSpans, recognizePatterns } from './signals/pii-patterns.js';
import { customPatternRecognizer } from './signals/pii-custom-recognizers.js';
import { naturalNerRecognizer, parseNerFile } from './signals/pii-ner.js';
import { randomNerFile } from '../test/ner-files.js';
import { RecognizerRegistry } from './signals/pii-recognizers.js';
import { refinePiiSpans } from './signals/pii-refine.js';
import { matchKeywordsDetailed } from './signals/keywords.js';
import type { PiiSpan } from './signals/types.js';

const MiB = 1 << 20;

const here = dirname(fileURLToPath(import.meta.url));
const MODEL = join(here, '../../../models/semroute-mini');
const tokenizer = new ModelTokenizer(
  JSON.parse(readFileSync(join(MODEL, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(join(MODEL, 'tokenizer_config.json'), 'utf8')),
);

/** Worst cases for text scanners: one enormous word, no spaces, many overlapping candidates, astral and combining characters. */
const TEXTS: Record<string, string> = {
  'one enormous word': 'a',
  'no spaces, punctuation only': '.-',
  'astral characters': '😀𝔘',
  'stacked combining marks': 'a\u0301\u0302\u0303\u0304',
  'e-mail addresses': 'a123@example.com ',
  'digit groups': '1 2 3 4 5 6 7 8 9 0 ',
  'dotted numbers': '1.1.1.1.',
  'IPv6-like colons': 'fe80::1:',
  'URLs without spaces': 'www.a',
  'capitalised titles and names': 'Senior Engineer Jane ',
  'initials and full stops': 'J. K. ',
};

describe('linear growth per stage', () => {
  describe('tokenize (with offsets)', () => {
    for (const name of ['one enormous word', 'no spaces, punctuation only', 'e-mail addresses', 'capitalised titles and names']) {
      it(name, () => expectLinear((n) => {
        const text = fill(TEXTS[name]!, n);
        return () => tokenizer.encode(text, true);
      }));
    }
    // Non-ASCII text takes the library path (several seconds per MiB here): 64 KiB vs 256 KiB keeps the suite fast.
    for (const name of ['astral characters', 'stacked combining marks']) {
      it(`${name} (64 KiB vs 256 KiB)`, () => expectLinear((n) => {
        const text = fill(TEXTS[name]!, n);
        return () => tokenizer.encode(text, true);
      }, MiB / 16));
    }
  });

  it('windows: summary ranges, PII windows and token ownership (1 Mi vs 4 Mi tokens)', () => {
    expectLinear((n) => () => assignTokensToWindows(n, [...summaryRanges(n, DEFAULT_WINDOWS), ...piiWindows(n, DEFAULT_WINDOWS)].slice(1)));
  });

  it('PII decoding (64 Ki vs 256 Ki tokens): Viterbi + chunk vote over alternating labels, one chunk', () => {
    const labels = parseBioLabels(['O', 'B-PERSON', 'I-PERSON', 'B-EMAIL_ADDRESS', 'I-EMAIL_ADDRESS']);
    expectLinear((n) => {
      const text = 'a'.repeat(n); // no whitespace: every token in one chunk
      const offsets = new Int32Array(2 * n);
      const logits = new Float32Array(n * labels.length);
      for (let t = 0; t < n; t++) {
        offsets[2 * t] = t;
        offsets[2 * t + 1] = t + 1;
        logits[t * labels.length + (t % labels.length)] = 5;
      }
      const continuation = new Uint8Array(n).map((_, t) => t % 3 === 1 ? 1 : 0);
      return () => decodePiiChunkVote(logits, offsets, n, text, { labels, temperature: 1, chunkVote: true, viterbi: true, continuation });
    }, 64 * 1024);
  });

  describe('PII pattern recognizers', () => {
    for (const name of Object.keys(TEXTS)) {
      it(name, () => expectLinear((n) => {
        const text = fill(TEXTS[name]!, n);
        return () => recognizePatterns(text);
      }));
    }
  });

  describe('PII span rules (refinePiiSpans) and merging (128 KiB vs 512 KiB)', () => {
    const everyWord = (text: string, type: string): PiiSpan[] =>
      [...text.matchAll(/\S+/g)].map((m) => ({ type, start: m.index, end: m.index + m[0].length, score: 0.5 }));
    const cases: [string, string, (text: string) => PiiSpan[]][] = [
      ['a name span on every word of titles and names', 'Senior Engineer Jane ', (t) => everyWord(t, 'PERSON')],
      ['an address span on every word of house numbers and streets', '12 Main St ', (t) => everyWord(t, 'STREET_ADDRESS')],
      ['one name span over all initials', 'J. K. ', (t) => [{ type: 'PERSON', start: 0, end: t.length, score: 0.5 }]],
      ['one name span over all honorifics', 'Mr. Mr and ', (t) => [{ type: 'PERSON', start: 0, end: t.length, score: 0.5 }]],
      ['one address span over one enormous word of full stops', '12 Abc' + '.'.repeat(64), (t) => [{ type: 'STREET_ADDRESS', start: 0, end: 2, score: 0.5 }, { type: 'PERSON', start: 3, end: t.length, score: 0.5 }]],
      ['a span on every word of cue phrases', 'I live in Paris and work at Acme Inc. ', (t) => everyWord(t, 'GPE')],
      ['date and time expressions, a DATE_TIME span on every word', 'next Friday at 9pm, the 28th; 3/4 cup on March 2nd ', (t) => everyWord(t, 'DATE_TIME')],
      ['bare numbers and ranges the model called DATE_TIME, a span on every word', 'a 2000 deposit for 4 people from June 2021 to August 2023 at 8 ', (t) => everyWord(t, 'DATE_TIME')],
      ['date and time expressions nested in one DATE_TIME span over all, with a span on every word', 'on 14/05 at 10:00 or tomorrow ', (t) => [{ type: 'DATE_TIME', start: 0, end: t.length, score: 0.5 }, ...everyWord(t, 'DATE_TIME')]],
    ];
    for (const [name, unit, spans] of cases) {
      it(name, () => expectLinear((n) => {
        const text = fill(unit, n);
        const s = spans(text);
        return () => refinePiiSpans(s, text);
      }, MiB / 8));
    }
    it('mergePiiSpans: a model span per word against a pattern match per e-mail address', () => {
      expectLinear((n) => {
        const text = fill('a123@example.com 12 Main St ', n);
        const model = everyWord(text, 'STREET_ADDRESS').map((s) => ({ ...s, score: 0.9 }));
        const patterns = recognizePatterns(text);
        return () => mergePiiSpans(model, patterns);
      }, MiB / 8);
    });
  });

  describe('natural_ner: tokens, hashed features, logits, Viterbi and span replacement (64 KiB vs 256 KiB)', () => {
    // The random-weight test fixture: spans on many tokens. Line breaks and sentence ends make the "first" feature look
    // back over gaps; one enormous word is truncated to 24 code points for its features, shaped in one pass.
    const ner = naturalNerRecognizer(parseNerFile(readFileSync(join(here, '../test/fixtures/ner/random-ner.bin'))));
    const units: Record<string, string> = {
      ...Object.fromEntries(['one enormous word', 'no spaces, punctuation only', 'astral characters', 'stacked combining marks', 'capitalised titles and names'].map((k) => [k, TEXTS[k]!])),
      'sentences and line breaks': 'Maria Lopez. \n\n Acme Inc! ',
      'runs of spaces between words': 'Ab  \u00a0\u2009 ',
      // growNerNames: " of" + capitalised words after organisations, capitalised runs up to an organisation word
      'organisation names that grow': 'University of Halle Bank of the Arts and Crafts Acme Air Defense Inc. ',
    };
    for (const [name, unit] of Object.entries(units)) {
      it(name, () => expectLinear((n) => {
        const text = fill(unit, n);
        const model = [...text.matchAll(/\S+/g)].map((m) => ({ type: 'PERSON', start: m.index, end: m.index + m[0].length, score: 0.5 }));
        return () => ner.refine(model, text);
      }, MiB / 16));
    }
    // merge "score": every NER span meets the spans it overlaps; nested spans (one over all, one per word, scoring above
    // most NER spans) must not be rescanned per NER span
    for (const merge of ['score', 'fill']) {
      it(`merge ${merge}: a span over all and one per word under every NER span`, () => {
        const scored = naturalNerRecognizer(parseNerFile(randomNerFile({ merge, threshold: 0 })));
        expectLinear((n) => {
          const text = fill('Maria Lopez from Acme in Zurich. ', n);
          const model = [{ type: 'PERSON', start: 0, end: text.length, score: 0.99 }, ...[...text.matchAll(/\S+/g)].map((m) => ({ type: 'GPE', start: m.index, end: m.index + m[0].length, score: 0.9 }))];
          return () => scored.refine(model, text);
        }, MiB / 16);
      });
    }
  });

  describe('custom PII pattern recognizers from config (16 KiB vs 64 KiB)', () => {
    // Patterns a backtracking engine takes exponential or polynomial time on (ambiguous alternation under repetition,
    // nested repetition, long threads that never match), a context word on each match, on the worst-case texts.
    const custom = (name: string, regex: string) =>
      customPatternRecognizer({ name, entity: 'CUSTOM', patterns: [{ regex, score: 0.3 }], context: ['id', 'number', 'staff member'] });
    const registry = new RecognizerRegistry([
      custom('ambiguous', '(?:a|a){1,8}b'),
      custom('nested', String.raw`\d{1,3}(?:[ -]?\d{1,3}){1,20}`),
      custom('longest', 'a{1,120}'),
      custom('never_ends', '[^ ]{1,120}x'), // a thread from every start, alive 120 characters: the most work per character
      custom('words', String.raw`\b\w{1,20}@\w{1,20}\.\w{2,6}\b`),
    ]);
    for (const name of ['one enormous word', 'digit groups', 'e-mail addresses', 'no spaces, punctuation only', 'astral characters']) {
      it(name, () => expectLinear((n) => {
        const text = fill(TEXTS[name]!, n);
        return () => registry.run([], text);
      }, MiB / 64));
    }
  });

  describe('keyword matching (128 KiB vs 512 KiB)', () => {
    const config = parseConfig({
      providers: { models: [{ name: 'm' }], defaults: { default_model: 'm' } },
      routing: {
        signals: {
          keywords: [
            { name: 'literal', operator: 'OR', keywords: ['aa', 'a b', 'zzz'] },
            { name: 'pattern', operator: 'AND', keywords: ['re:a+b', '(a|aa)+c', '\\bx{1,50}y'] },
          ],
        },
      },
    });
    if (!config.ok) throw new Error('test config invalid');
    for (const name of ['one enormous word', 'astral characters', 'digit groups']) {
      it(name, () => expectLinear((n) => {
        const text = fill(TEXTS[name]!, n);
        return () => matchKeywordsDetailed(text, config.config);
      }, MiB / 8));
    }
  });

  it('decision: one PII span per word (1 Mi vs 4 Mi spans)', () => {
    const config = defaultConfig();
    expectLinear((n) => {
      const pii: PiiSpan[] = Array.from({ length: n / 8 }, (_, i) => ({ type: i % 2 ? 'PERSON' : 'EMAIL_ADDRESS', start: 8 * i, end: 8 * i + 5, score: 0.9 }));
      return () => decide(config, { pii, jailbreak: 0.1, categoryScores: { math: 0.9 } });
    });
  });
});
