import { describe, expect, it } from 'vitest';
import { chatCompletionsUrl, weightedOrder } from './upstream.js';

describe('chatCompletionsUrl', () => {
  it('builds the endpoint URL from vSR backend_refs', () => {
    expect(chatCompletionsUrl({ endpoint: '127.0.0.1:8000', protocol: 'http' })).toBe('http://127.0.0.1:8000/v1/chat/completions');
    expect(chatCompletionsUrl({ endpoint: 'api.example.com', protocol: 'https' })).toBe('https://api.example.com/v1/chat/completions');
    expect(chatCompletionsUrl({ endpoint: 'https://api.example.com/v1' })).toBe('https://api.example.com/v1/chat/completions');
    expect(chatCompletionsUrl({ endpoint: 'http://h:1/openai/v1/chat/completions' })).toBe('http://h:1/openai/v1/chat/completions');
  });
});

describe('weightedOrder', () => {
  it('is a permutation', () => {
    const refs = [{ n: 'a', weight: 1 }, { n: 'b', weight: 2 }, { n: 'c', weight: 0 }];
    for (let i = 0; i < 50; i++) expect(weightedOrder(refs).map((r) => r.n).sort()).toEqual(['a', 'b', 'c']);
  });
  it('picks first in proportion to weight, zero weight last', () => {
    const refs = [{ n: 'a', weight: 80 }, { n: 'b', weight: 20 }, { n: 'z', weight: 0 }];
    let a = 0;
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 5000; i++) {
      const o = weightedOrder(refs, rnd);
      if (o[0]!.n === 'a') a++;
      expect(o[2]!.n).toBe('z');
    }
    expect(a / 5000).toBeGreaterThan(0.75);
    expect(a / 5000).toBeLessThan(0.85);
  });
});
