import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatConfigIssues } from '../config/issues.js';
import { parseConfig } from '../config/parse.js';
import type { ChatMessage } from '../openai/types.js';
import type { Signals } from '../signals/types.js';
import { decide } from './engine.js';
import { explainDecision } from './explain.js';

const NAMES = ['a', 'b', 'c', 'd'];
const CATS = ['math', 'law', 'other', 'physics'];
const PII = ['EMAIL_ADDRESS', 'PERSON', 'US_SSN'];

/** Random valid configs (every cross reference resolves). */
const configArb = fc
  .record({
    modelCount: fc.integer({ min: 1, max: 4 }),
    families: fc.array(fc.constantFrom(undefined, 'qwen3', 'deepseek', 'gpt-oss', 'gpt', 'mistral'), { minLength: 4, maxLength: 4 }),
    piiAllowed: fc.array(fc.option(fc.subarray(PII), { nil: undefined }), { minLength: 4, maxLength: 4 }),
    domains: fc.subarray(CATS, { minLength: 1 }),
    keywords: fc.subarray(NAMES, { minLength: 1 }),
    strategy: fc.constantFrom('priority', 'confidence'),
    guard: fc.record({ enabled: fc.boolean(), threshold: fc.double({ min: 0, max: 1, noNaN: true }) }),
    domainThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
    decisions: fc.array(
      fc.record({
        priority: fc.integer({ min: -5, max: 5 }),
        refs: fc.array(fc.record({ m: fc.nat(3), r: fc.boolean(), e: fc.constantFrom(undefined, 'low', 'high') }), { maxLength: 3 }),
        tree: fc.nat(),
        plugins: fc.subarray(['pii_block', 'pii_redact', 'fast', 'sys', 'hdr']),
      }),
      { maxLength: 8 },
    ),
    seeds: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  })
  .map((r) => {
    const models = Array.from({ length: r.modelCount }, (_, i) => ({
      name: `m${i}`,
      ...(r.families[i] ? { reasoning_family: r.families[i] } : {}),
      ...(r.piiAllowed[i] ? { pii_types_allowed: r.piiAllowed[i] } : {}),
    }));
    const signalsCfg = {
      domains: r.domains.map((c) => ({ name: c, mmlu_categories: [c] })),
      keywords: r.keywords.map((k) => ({ name: k, keywords: [`kw${k}`] })),
      jailbreak: [{ name: 'jb', threshold: 0.7 }],
      pii: [{ name: 'pii', pii_types_allowed: ['EMAIL_ADDRESS'] }],
      context: [{ name: 'short', max_tokens: 50 }],
      exemplars: [{ name: 'ex', examples: ['x'], threshold: 0.5 }],
    };
    const leaves = [
      ...r.domains.map((n) => ({ type: 'domain', name: n })),
      ...r.keywords.map((n) => ({ type: 'keyword', name: n })),
      { type: 'jailbreak', name: 'jb' },
      { type: 'pii', name: 'pii' },
      { type: 'context', name: 'short' },
      { type: 'exemplar', name: 'ex' },
    ];
    let s = 0;
    const next = (): number => r.seeds[s++ % r.seeds.length]!;
    const tree = (depth: number): unknown => {
      const n = next();
      if (depth > 2 || n % 3 === 0) return leaves[n % leaves.length];
      const kids = Array.from({ length: 1 + (n % 3) }, () => tree(depth + 1));
      return { operator: ['AND', 'OR', 'NOT'][n % 3], conditions: kids };
    };
    const decisions = r.decisions.map((d, i) => ({
      name: `d${i}`,
      priority: d.priority,
      rules: { operator: 'OR', conditions: [tree(0)] },
      modelRefs: d.refs.map((ref) => ({ model: `m${ref.m % r.modelCount}`, use_reasoning: ref.r, ...(ref.e ? { reasoning_effort: ref.e } : {}) })),
      plugins: d.plugins
        .filter((p) => !(p === 'pii_redact' && d.plugins.includes('pii_block')))
        .map((p) =>
          p === 'pii_block'
            ? { type: 'pii', configuration: { action: 'block' } }
            : p === 'pii_redact'
              ? { type: 'pii', configuration: { action: 'redact', pii_types_allowed: ['PERSON'] } }
              : p === 'fast'
                ? { type: 'fast_response', configuration: { message: 'no' } }
                : p === 'sys'
                  ? { type: 'system_prompt', configuration: { system_prompt: 'S', mode: 'append' } }
                  : { type: 'header_mutation', configuration: { add: [{ name: 'x-a', value: '1' }] } },
        ),
    }));
    return {
      providers: { defaults: { default_model: 'm0' }, models },
      routing: { strategy: r.strategy, signals: signalsCfg, decisions },
      global: { prompt_guard: r.guard, classifier: { domain: { threshold: r.domainThreshold } } },
    };
  });

const num = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(Number.NaN, Infinity, -1, 2));
const signalsArb: fc.Arbitrary<Signals> = fc.record(
  {
    categoryScores: fc.dictionary(fc.constantFrom(...CATS, 'biology'), num),
    jailbreak: num,
    pii: fc.array(fc.record({ type: fc.constantFrom(...PII), start: fc.nat(50), end: fc.nat(60), score: num })),
    keywordHits: fc.subarray(NAMES),
    keywordConfidence: fc.dictionary(fc.constantFrom(...NAMES), num),
    exemplarScores: fc.dictionary(fc.constant('ex'), fc.double({ min: -1, max: 1, noNaN: true })),
    tokenCount: fc.oneof(fc.nat(200), fc.constant(-3)),
  },
  { requiredKeys: [] },
);
const requestArb = fc.option(fc.record({ model: fc.constantFrom('auto', 'MoM', 'gpt-4o', 'm0'), messages: fc.constant<ChatMessage[]>([]) }), { nil: undefined });

describe('decide() properties', () => {
  it('is total and deterministic on random valid configs and signals', () => {
    fc.assert(
      fc.property(configArb, signalsArb, requestArb, (raw, signals, request) => {
        const r = parseConfig(raw);
        if (!r.ok) throw new Error(formatConfigIssues(r.errors));
        const cfg = r.config;
        const d1 = decide(cfg, signals, request);
        const d2 = decide(cfg, signals, request);
        expect(JSON.stringify(d2)).toBe(JSON.stringify(d1));
        // invariants
        const names = cfg.providers.models.map((m) => m.name);
        expect([...names, request?.model]).toContain(d1.model);
        expect(d1.response_path === 'upstream').toBe(d1.blocked === undefined);
        expect(d1.confidence).toBeGreaterThanOrEqual(-1);
        expect(d1.confidence).toBeLessThanOrEqual(1);
        expect(d1.trace.decisions).toHaveLength(cfg.routing.decisions.length);
        if (d1.use_reasoning) expect(d1.reasoning_effort).toBeDefined();
        const winner = cfg.routing.decisions.find((d) => d.name === d1.decision);
        if (winner && cfg.routing.strategy === 'priority') {
          const matched = d1.trace.decisions.filter((e) => e.matched);
          expect(winner.priority).toBe(Math.max(...matched.map((m) => m.priority)));
        }
        expect(typeof explainDecision(d1)).toBe('string');
      }),
      { numRuns: 400 },
    );
  });
});
