import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import { buildSignals, cosine } from './build.js';

const config = loadConfigOrThrow({
  providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
  routing: {
    signals: {
      keywords: [{ name: 'urgent', keywords: ['urgent', 'asap'] }],
      exemplars: [
        { name: 'support', examples: ['x', 'y'], threshold: 0.8 },
        { name: 'avg', examples: ['x', 'y'], aggregation: 'mean' },
      ],
    },
  },
});

describe('buildSignals', () => {
  it('merges classifier outputs, keyword hits and exemplar scores', () => {
    const s = buildSignals(
      config,
      'urgent: reset my password',
      { categoryScores: { other: 1 }, jailbreak: 0.1, pii: [], tokenCount: 7, pooled: new Float32Array([1, 0]) },
      { support: [[1, 0], [0, 1]], avg: [[1, 0], [0, 1]] },
    );
    expect(s.keywordHits).toEqual(['urgent']);
    expect(s.keywordConfidence).toEqual({ urgent: 0.75 });
    expect(s.exemplarScores).toEqual({ support: 1, avg: 0.5 });
    expect(s.tokenCount).toBe(7);
    expect(s.jailbreak).toBe(0.1);
  });
  it('estimates tokens without a classifier', () => {
    const s = buildSignals(config, 'a'.repeat(40), undefined);
    expect(s).toMatchObject({ tokenCount: 10, tokenCountEstimated: true, keywordHits: [] });
    expect(s.categoryScores).toBeUndefined();
  });
  it('cosine is bounded and safe on degenerate input', () => {
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1);
    expect(cosine([1, 0], [-1, 0])).toBe(-1);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(cosine([1], [1, 2])).toBe(0);
  });
});
