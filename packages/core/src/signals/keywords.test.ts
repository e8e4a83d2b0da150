import { describe, expect, it } from 'vitest';
import { expectLinear, fill } from '../../test/linear-growth.js';
import { loadConfigOrThrow } from '../config/parse.js';
import { matchKeywords, matchKeywordsDetailed } from './keywords.js';

const config = loadConfigOrThrow({
  providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
  routing: {
    signals: {
      keywords: [
        { name: 'urgent', operator: 'OR', keywords: ['urgent', 'asap', 'emergency', 'immediate'] },
        { name: 'both', operator: 'AND', keywords: ['ssn', 'credit card'] },
        { name: 'polite', operator: 'NOR', keywords: ['stupid', 'idiot'] },
        { name: 'Exact', operator: 'OR', keywords: ['NASA'], case_sensitive: true },
      ],
    },
  },
});

describe('matchKeywords', () => {
  it('applies OR / AND / NOR and case sensitivity', () => {
    expect(matchKeywords('this is urgent, NASA needs my SSN and credit card', config)).toEqual(['urgent', 'both', 'polite', 'Exact']);
    expect(matchKeywords('you idiot, nasa', config)).toEqual([]);
  });
  it('reports vSR-compatible confidences', () => {
    const m = Object.fromEntries(matchKeywordsDetailed('urgent emergency', config).map((x) => [x.name, x]));
    expect(m.urgent).toMatchObject({ matched: true, hits: 2, total: 4, confidence: 0.75 });
    expect(m.both).toMatchObject({ matched: false, confidence: 0 });
    expect(m.polite).toMatchObject({ matched: true, confidence: 1 });
  });
  it('is linear: CPU time for 1 MiB vs 4 MiB of text with many rules', () => {
    expectLinear((n) => {
      const text = fill('lorem ipsum dolor ', n);
      return () => matchKeywords(text, config);
    });
  });
});
