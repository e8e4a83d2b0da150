import { describe, expect, it } from 'vitest';
import { fnv1a32 } from './guard.js';
import { loadConfigOrThrow } from '../config/parse.js';
import { Router } from '../router.js';
import type { Classifier, ClassifierSignals, ClassifyOptions } from '../signals/types.js';
import { memoryDeviceCache } from './device-cache.js';

class BagOfWords implements Classifier {
  readonly backend = 'fake';
  // Like the model: the pooled embedding only when asked for (the config here would not ask for it).
  async classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]> {
    const pooled = !options?.heads || options.heads.includes('pooled');
    return texts.map((t) => {
      const v = new Float32Array(32);
      for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) v[fnv1a32(w) % 32] += 1;
      const n = Math.hypot(...v) || 1;
      return { categoryScores: { other: 0.9 }, jailbreak: 0.01, pii: [], ...(pooled ? { pooled: v.map((x) => x / n) } : {}) };
    });
  }
  async dispose(): Promise<void> {}
}

// The cache is off in the config and no decision has the plugin: the device cache still applies (opt-out only).
const config = loadConfigOrThrow(`
providers: {defaults: {default_model: m}, models: [{name: m}]}
routing:
  signals: {domains: [{name: other}]}
  decisions:
    - {name: general, rules: {operator: OR, conditions: [{type: domain, name: other}]}, modelRefs: [{model: m}]}
`);
const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'auto', messages: [{ role: 'user' as const, content }], ...extra });
const answer = (content: string, finish = 'stop') => ({ object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }] });

describe('router.cache (device cache)', () => {
  it('lookup → store → hit for the same and a reworded prompt, per user key; clear forgets', async () => {
    const cache = memoryDeviceCache(new Router({ config, classifier: new BagOfWords() }), { userKey: 'alice' });
    const req = ask('how do I reverse a list in python');
    const miss = await cache.lookup(req);
    expect(miss.hit).toBe(false);
    expect(miss.route.decision.decision).toBe('general');
    expect(await cache.store(req, answer('use reversed()'))).toBe(true);
    const hit = await cache.lookup(ask('In python, how do I reverse the list?'));
    expect(hit).toMatchObject({ hit: true, completion: { choices: [{ message: { content: 'use reversed()' } }] } });
    expect(hit.similarity).toBeGreaterThan(0.8);
    expect((await cache.lookup(ask('how do I reverse a list in python'), { userKey: 'bob' })).hit).toBe(false);
    expect((await cache.lookup(ask('how do I reverse a string in python'))).hit).toBe(false);
    await cache.clear();
    expect((await cache.lookup(req)).hit).toBe(false);
  });

  it('keeps the size limit and refuses what the server would not cache', async () => {
    const cache = memoryDeviceCache(new Router({ config, classifier: new BagOfWords() }), { maxEntries: 2 });
    for (const w of ['alpha', 'beta', 'gamma']) expect(await cache.store(ask(`tell me about ${w}`), answer(w))).toBe(true);
    expect((await cache.stats()).entries).toBe(2);
    expect((await cache.lookup(ask('tell me about alpha'))).hit).toBe(false);
    expect((await cache.lookup(ask('tell me about gamma'))).hit).toBe(true);
    expect(await cache.store(ask('cut short'), answer('x', 'length'))).toBe(false);
    expect((await cache.lookup(ask('sampled', { temperature: 0.9 }))).reason).toBe('temperature');
    expect(() => memoryDeviceCache(new Router({ config }), { maxBytes: -1 })).toThrow(/maxBytes must be a non-negative number/);
  });
});
