import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import type { RouterConfig } from '../config/schema.js';
import type { Signals } from '../signals/types.js';
import { decide } from './engine.js';
import { explainDecision } from './explain.js';

const base = {
  providers: {
    defaults: { default_model: 'small', default_reasoning_effort: 'low' },
    models: [
      { name: 'small', reasoning_family: 'qwen3', provider_model_id: 'Qwen/Qwen3-8B' },
      { name: 'big', reasoning_family: 'qwen3' },
      { name: 'private', pii_types_allowed: ['PERSON', 'EMAIL_ADDRESS'] },
    ],
  },
  routing: {
    signals: {
      domains: [{ name: 'math', mmlu_categories: ['math'] }, { name: 'stem', mmlu_categories: ['physics', 'chemistry'] }, { name: 'other' }],
      keywords: [{ name: 'urgent', keywords: ['urgent', 'asap'] }],
      jailbreak: [{ name: 'jb', threshold: 0.8 }],
      pii: [{ name: 'any_pii', threshold: 0.6 }, { name: 'non_email', pii_types_allowed: ['EMAIL_ADDRESS'] }],
      context: [{ name: 'short', max_tokens: 100 }, { name: 'long', min_tokens: '1K' }],
      exemplars: [{ name: 'support', examples: ['reset password'], threshold: 0.8 }],
    },
    decisions: [] as unknown[],
  },
};

function cfg(decisions: unknown[], extra: Record<string, unknown> = {}): RouterConfig {
  const c = JSON.parse(JSON.stringify(base)) as typeof base & Record<string, unknown>;
  c.routing.decisions = decisions;
  return loadConfigOrThrow({ ...c, ...extra });
}
const route = (name: string, rules: unknown, more: Record<string, unknown> = {}) => ({ name, rules, modelRefs: [{ model: 'big', use_reasoning: true }], ...more });
const cond = (type: string, name: string) => ({ operator: 'AND', conditions: [{ type, name }] });

describe('signal types', () => {
  it('domain: top category above threshold', () => {
    const c = cfg([route('m', cond('domain', 'math')), route('s', cond('domain', 'stem'))]);
    expect(decide(c, { categoryScores: { math: 0.8, physics: 0.2 } }).decision).toBe('m');
    expect(decide(c, { categoryScores: { math: 0.1, chemistry: 0.9 } })).toMatchObject({ decision: 's', category: 'chemistry', confidence: 0.9 });
  });
  it('domain: below threshold the category falls back, and the trace says so', () => {
    const c = cfg([route('m', cond('domain', 'math')), route('o', cond('domain', 'other'))]);
    const d = decide(c, { categoryScores: { math: 0.35, physics: 0.3 } });
    expect(d).toMatchObject({ decision: 'o', category: 'other', fallback: true });
    expect(d.trace.category).toMatchObject({ top: 'math', topScore: 0.35, effective: 'other', fallback: true });
    expect(d.trace.category.reason).toBe('below_threshold');
    expect(explainDecision(d)).toMatch(/top category math scored 0.35 < threshold 0.4: fallback to other/);
  });
  it('keyword: hit with vSR confidence; category is the keyword rule', () => {
    const c = cfg([route('k', cond('keyword', 'urgent'))]);
    const d = decide(c, { keywordHits: ['urgent'], keywordConfidence: { urgent: 0.75 } });
    expect(d).toMatchObject({ decision: 'k', category: 'urgent', confidence: 0.75 });
    expect(decide(c, { keywordHits: [] }).decision).toBe('default');
  });
  it('jailbreak: score >= threshold', () => {
    const c = cfg([route('j', cond('jailbreak', 'jb'))]);
    expect(decide(c, { jailbreak: 0.8 }).decision).toBe('j');
    expect(decide(c, { jailbreak: 0.79 }).decision).toBe('default');
  });
  it('pii: spans above threshold, minus allowed types', () => {
    const c = cfg([route('p', cond('pii', 'non_email'))]);
    expect(decide(c, { pii: [{ type: 'EMAIL_ADDRESS', start: 0, end: 5, score: 0.99 }] }).decision).toBe('default');
    const d = decide(c, { pii: [{ type: 'US_SSN', start: 0, end: 5, score: 0.99 }] });
    expect(d.decision).toBe('p');
    expect(d.trace.signals.find((s) => s.name === 'non_email')!.value).toEqual(['US_SSN']);
    const c2 = cfg([route('p', cond('pii', 'any_pii'))]);
    expect(decide(c2, { pii: [{ type: 'PERSON', start: 0, end: 5, score: 0.55 }] }).decision).toBe('default');
  });
  it('context: half-open token bands', () => {
    const c = cfg([route('s', cond('context', 'short')), route('l', cond('context', 'long'))]);
    expect(decide(c, { tokenCount: 99 }).decision).toBe('s');
    expect(decide(c, { tokenCount: 100 }).decision).toBe('default');
    expect(decide(c, { tokenCount: 1000 }).decision).toBe('l');
    expect(decide(c, {}).decision).toBe('default');
  });
  it('exemplar: similarity >= threshold', () => {
    const c = cfg([route('e', cond('exemplar', 'support'))]);
    expect(decide(c, { exemplarScores: { support: 0.85 } })).toMatchObject({ decision: 'e', category: 'support', confidence: 0.85 });
    expect(decide(c, { exemplarScores: { support: 0.5 } }).decision).toBe('default');
  });
});

describe('rule operators', () => {
  const c = cfg([
    route('nested', {
      operator: 'AND',
      conditions: [
        { type: 'domain', name: 'math' },
        { operator: 'OR', conditions: [{ type: 'keyword', name: 'urgent' }, { type: 'context', name: 'long' }] },
        { operator: 'NOT', conditions: [{ type: 'jailbreak', name: 'jb' }] },
      ],
    }),
  ]);
  const math = { categoryScores: { math: 0.9 } };
  it('AND of OR and NOT', () => {
    expect(decide(c, { ...math, keywordHits: ['urgent'], jailbreak: 0.1 }).decision).toBe('nested');
    expect(decide(c, { ...math, tokenCount: 5000, jailbreak: 0.1 }).decision).toBe('nested');
    expect(decide(c, { ...math, tokenCount: 5, jailbreak: 0.1 }).decision).toBe('default');
    expect(decide(c, { ...math, keywordHits: ['urgent'], jailbreak: 0.9 }).decision).toBe('default');
  });
  it('confidence: AND = min, OR = max matched, NOT = 1 - max', () => {
    const d = decide(c, { ...math, keywordHits: ['urgent'], keywordConfidence: { urgent: 0.625 }, jailbreak: 0.2 });
    const rule = d.trace.decisions[0]!.rule;
    expect(rule.kind === 'group' && rule.children.map((ch) => ch.confidence)).toEqual([0.9, 0.625, 0.8]);
    expect(rule.confidence).toBe(0.625);
  });
});

describe('strategies and defaults', () => {
  it('priority: highest wins, ties by config order', () => {
    const c = cfg([
      route('a', cond('keyword', 'urgent'), { priority: 5 }),
      route('b', cond('keyword', 'urgent'), { priority: 10 }),
      route('c', cond('keyword', 'urgent'), { priority: 10 }),
    ]);
    expect(decide(c, { keywordHits: ['urgent'] }).decision).toBe('b');
  });
  it('confidence: highest rule confidence wins, regardless of priority', () => {
    const c = cfg([route('k', cond('keyword', 'urgent'), { priority: 100 }), route('m', cond('domain', 'math'), { priority: 1 })]);
    // a parsed config re-parses to the same config (idempotent)
    const conf = loadConfigOrThrow({ ...JSON.parse(JSON.stringify(c)), routing: { ...JSON.parse(JSON.stringify(c.routing)), strategy: 'confidence' } });
    const s: Signals = { categoryScores: { math: 0.95 }, keywordHits: ['urgent'], keywordConfidence: { urgent: 0.625 } };
    expect(decide(c, s).decision).toBe('k');
    expect(decide(conf, s).decision).toBe('m');
  });
  it('no match → default model without reasoning', () => {
    const d = decide(cfg([]), {});
    expect(d).toMatchObject({ decision: 'default', model: 'small', provider_model_id: 'Qwen/Qwen3-8B', use_reasoning: false, response_path: 'upstream', fallback: true });
  });
  it('reasoning effort: modelRef → default_reasoning_effort', () => {
    const c = cfg([
      { name: 'hi', rules: cond('keyword', 'urgent'), modelRefs: [{ model: 'big', use_reasoning: true, reasoning_effort: 'high' }] },
      { name: 'lo', rules: cond('domain', 'math'), modelRefs: [{ model: 'big', use_reasoning: true }] },
    ]);
    expect(decide(c, { keywordHits: ['urgent'] })).toMatchObject({ use_reasoning: true, reasoning_effort: 'high', reasoning_family: 'qwen3' });
    expect(decide(c, { categoryScores: { math: 1 } })).toMatchObject({ reasoning_effort: 'low' });
  });
  it('decision without modelRefs uses the default model', () => {
    const c = cfg([{ name: 'x', rules: cond('keyword', 'urgent') }]);
    expect(decide(c, { keywordHits: ['urgent'] })).toMatchObject({ decision: 'x', model: 'small' });
  });
});

describe('blocks and plugins', () => {
  it('prompt_guard blocks even without a matching decision', () => {
    const c = cfg([route('m', cond('domain', 'math'))], { global: { prompt_guard: { enabled: true, threshold: 0.7 } } });
    const d = decide(c, { categoryScores: { math: 0.9 }, jailbreak: 0.75 });
    expect(d).toMatchObject({ decision: 'prompt_guard', response_path: 'blocked', blocked: { reason: 'jailbreak' } });
    expect(d.plugins).toEqual([]);
    expect(decide(c, { categoryScores: { math: 0.9 }, jailbreak: 0.5 }).decision).toBe('m');
  });
  it('a jailbreak decision with fast_response keeps its message', () => {
    const c = cfg([route('block', cond('jailbreak', 'jb'), { priority: 1000, plugins: [{ type: 'fast_response', configuration: { message: 'Nope.' } }] })], {
      global: { prompt_guard: { enabled: true, threshold: 0.7 } },
    });
    expect(decide(c, { jailbreak: 0.9 })).toMatchObject({ decision: 'block', blocked: { reason: 'jailbreak', message: 'Nope.' }, response_path: 'blocked' });
  });
  it('fast_response on a non-security decision', () => {
    const c = cfg([route('hello', cond('keyword', 'urgent'), { plugins: [{ type: 'fast_response', configuration: { message: 'Hi!' } }] })]);
    expect(decide(c, { keywordHits: ['urgent'] })).toMatchObject({ response_path: 'fast_response', blocked: { reason: 'fast_response', message: 'Hi!' } });
  });
  const piiRoute = (action: string) =>
    cfg([
      route('m', cond('domain', 'math'), {
        plugins: [
          { type: 'pii', configuration: { action, pii_types_allowed: ['EMAIL_ADDRESS'] } },
          { type: 'system_prompt', configuration: { system_prompt: 'Be careful.', mode: 'insert' } },
        ],
      }),
    ]);
  const ssn = { categoryScores: { math: 0.9 }, pii: [{ type: 'US_SSN', start: 3, end: 14, score: 0.95 }, { type: 'EMAIL_ADDRESS', start: 20, end: 30, score: 0.95 }] };
  it('pii block stops the plugin chain', () => {
    const d = decide(piiRoute('block'), ssn);
    expect(d).toMatchObject({ blocked: { reason: 'pii' }, pii: { action: 'block', types: ['US_SSN'] }, response_path: 'blocked' });
    expect(d.plugins.map((p) => p.type)).toEqual(['pii']);
  });
  it('pii redact keeps routing and carries the spans to redact', () => {
    const d = decide(piiRoute('redact'), ssn);
    expect(d.blocked).toBeUndefined();
    expect(d.pii).toMatchObject({ action: 'redact', types: ['US_SSN'] });
    expect(d.pii.spans).toEqual([{ type: 'US_SSN', start: 3, end: 14, score: 0.95 }]);
    expect(d.plugins.map((p) => p.type)).toEqual(['pii', 'system_prompt']);
  });
  it('pii allow lets it through; no PII → action none and the system prompt applies', () => {
    expect(decide(piiRoute('allow'), ssn)).toMatchObject({ pii: { action: 'allow' } });
    const d = decide(piiRoute('block'), { categoryScores: { math: 0.9 } });
    expect(d.pii.action).toBe('none');
    expect(d.plugins.map((p) => p.type)).toEqual(['system_prompt']);
  });
  it('model pii policy: picks a modelRef that accepts the PII, else blocks', () => {
    const c = cfg([{ name: 'm', rules: cond('domain', 'math'), modelRefs: [{ model: 'private' }, { model: 'big' }] }]);
    expect(decide(c, { categoryScores: { math: 1 }, pii: [{ type: 'PERSON', start: 0, end: 1, score: 0.9 }] }).model).toBe('private');
    const d = decide(c, { categoryScores: { math: 1 }, pii: [{ type: 'US_SSN', start: 0, end: 1, score: 0.9 }] });
    expect(d.model).toBe('big');
    const c2 = cfg([{ name: 'm', rules: cond('domain', 'math'), modelRefs: [{ model: 'private' }] }]);
    expect(decide(c2, { categoryScores: { math: 1 }, pii: [{ type: 'US_SSN', start: 0, end: 1, score: 0.9 }] })).toMatchObject({ blocked: { reason: 'pii' }, pii: { action: 'block', types: ['US_SSN'] } });
  });
});

describe('passthrough', () => {
  const c = cfg([route('m', cond('domain', 'math'))], { global: { prompt_guard: { enabled: true, threshold: 0.7 } } });
  it('a concrete client model passes through; auto routes', () => {
    expect(decide(c, { categoryScores: { math: 1 } }, { model: 'gpt-4o', messages: [] })).toMatchObject({ decision: 'passthrough', model: 'gpt-4o', passthrough: true, use_reasoning: false });
    expect(decide(c, { categoryScores: { math: 1 } }, { model: 'auto', messages: [] })).toMatchObject({ decision: 'm', passthrough: false });
  });
  it('a routing fast_response does not apply to passthrough requests', () => {
    const f = cfg([route('hello', cond('keyword', 'urgent'), { plugins: [{ type: 'fast_response', configuration: { message: 'Hi' } }] })]);
    expect(decide(f, { keywordHits: ['urgent'] }, { model: 'gpt-4o', messages: [] })).toMatchObject({ decision: 'passthrough', response_path: 'upstream' });
  });
  it('blocks still apply to passthrough requests (enforce_blocks)', () => {
    expect(decide(c, { jailbreak: 0.99 }, { model: 'gpt-4o', messages: [] })).toMatchObject({ blocked: { reason: 'jailbreak' }, passthrough: false });
  });
});

describe('robustness and explainability', () => {
  const c = cfg([route('m', cond('domain', 'math')), route('k', cond('keyword', 'urgent'))]);
  it('tolerates junk signal values', () => {
    const junk = { categoryScores: { math: Number.NaN, x: Infinity }, jailbreak: Number.NaN, pii: [null, { type: 5 }], tokenCount: -1, keywordHits: ['nope'] } as unknown as Signals;
    expect(() => decide(c, junk)).not.toThrow();
    expect(() => decide(c, null as unknown as Signals)).not.toThrow();
  });
  it('the trace and explanation never contain prompt text', () => {
    const prompt = 'my secret prompt about urgent math';
    const d = decide(c, { categoryScores: { math: 0.9 }, keywordHits: ['urgent'], pii: [{ type: 'PERSON', start: 0, end: 2, score: 0.9 }] });
    const text = JSON.stringify(d) + explainDecision(d);
    for (const word of ['secret', 'prompt about']) expect(text).not.toContain(word);
    expect(explainDecision(d)).toMatch(/decision m → model big/);
    void prompt;
  });
  it('is deterministic', () => {
    const s: Signals = { categoryScores: { math: 0.5, physics: 0.5 } };
    expect(JSON.stringify(decide(c, s))).toBe(JSON.stringify(decide(c, s)));
  });
});
