import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadConfigOrThrow } from '../config/parse.js';
import type { RouterConfig } from '../config/schema.js';
import { decide } from '../decision/engine.js';
import type { Signals } from '../signals/types.js';
import { HEADERS } from '../headers.js';
import { applySystemPrompt, rewrite } from './rewrite.js';
import type { ChatCompletionRequest } from './types.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

/** One decision `go` (keyword `go`) routing to `model` with reasoning `on`. */
function setup(family: string | undefined, on: boolean, extra: { dialect?: 'openai' | 'vllm'; effort?: string; plugins?: unknown[] } = {}): RouterConfig {
  return loadConfigOrThrow({
    providers: {
      defaults: { default_model: 'x', default_reasoning_effort: 'medium' },
      models: [{ name: 'x', provider_model_id: 'org/x-1', ...(family ? { reasoning_family: family } : {}), ...(extra.dialect ? { api_dialect: extra.dialect } : {}) }],
    },
    routing: {
      signals: { keywords: [{ name: 'go', keywords: ['go'] }] },
      decisions: [
        {
          name: 'd',
          rules: { operator: 'OR', conditions: [{ type: 'keyword', name: 'go' }] },
          modelRefs: [{ model: 'x', use_reasoning: on, ...(extra.effort ? { reasoning_effort: extra.effort } : {}) }],
          plugins: extra.plugins ?? [],
        },
      ],
    },
  });
}
const hit: Signals = { keywordHits: ['go'] };
const req = (extra: Record<string, unknown> = {}): ChatCompletionRequest =>
  deepFreeze({ model: 'auto', messages: [{ role: 'user', content: 'go' }], temperature: 0.3, ...extra }) as ChatCompletionRequest;
const body = (cfg: RouterConfig, r = req()) => rewrite(r, decide(cfg, hit, r), cfg).body as Record<string, unknown>;

describe('reasoning families', () => {
  it('qwen3: chat_template_kwargs.enable_thinking true/false (explicit off)', () => {
    expect(body(setup('qwen3', true)).chat_template_kwargs).toEqual({ enable_thinking: true });
    expect(body(setup('qwen3', false)).chat_template_kwargs).toEqual({ enable_thinking: false });
  });
  it('deepseek: chat_template_kwargs.thinking, merged with client kwargs', () => {
    expect(body(setup('deepseek', true), req({ chat_template_kwargs: { foo: 1 } })).chat_template_kwargs).toEqual({ foo: 1, thinking: true });
  });
  it('gpt-oss: vLLM dialect → chat_template_kwargs.reasoning_effort; OpenAI dialect → top-level', () => {
    const v = body(setup('gpt-oss', true, { effort: 'high' }));
    expect(v.chat_template_kwargs).toEqual({ reasoning_effort: 'high' });
    expect(v.reasoning_effort).toBeUndefined();
    const o = body(setup('gpt-oss', true, { dialect: 'openai' }));
    expect(o.reasoning_effort).toBe('medium');
    expect(o.chat_template_kwargs).toBeUndefined();
    expect(body(setup('gpt-oss', false))).not.toHaveProperty('chat_template_kwargs');
  });
  it('gpt: nested reasoning.effort, keeping other reasoning fields', () => {
    expect(body(setup('gpt', true, { effort: 'low' }), req({ reasoning: { summary: 'auto' } })).reasoning).toEqual({ summary: 'auto', effort: 'low' });
  });
  it('mistral (top_level_reasoning_effort): top-level reasoning_effort only when on', () => {
    expect(body(setup('mistral', true)).reasoning_effort).toBe('medium');
    expect(body(setup('mistral', false))).not.toHaveProperty('reasoning_effort');
  });
  it('no family: no reasoning fields', () => {
    const b = body(setup(undefined, true));
    expect(b).not.toHaveProperty('chat_template_kwargs');
    expect(b).not.toHaveProperty('reasoning_effort');
  });
});

describe('rewrite', () => {
  it('replaces model with provider_model_id and sets vSR headers', () => {
    const cfg = setup('qwen3', true);
    const r = req();
    const out = rewrite(r, decide(cfg, { ...hit, keywordConfidence: { go: 0.75 } }, r), cfg, { debug: true });
    expect(out.body.model).toBe('org/x-1');
    expect(out.headers).toMatchObject({
      [HEADERS.SELECTED_MODEL]: 'x',
      [HEADERS.SELECTED_DECISION]: 'd',
      [HEADERS.SELECTED_CONFIDENCE]: '0.7500',
      [HEADERS.SELECTED_CATEGORY]: 'go',
      [HEADERS.SELECTED_REASONING]: 'on',
      [HEADERS.RESPONSE_PATH]: 'upstream',
      [HEADERS.ENVOY_SELECTED_MODEL]: 'x',
      [HEADERS.MATCHED_KEYWORDS]: 'go',
    });
    expect(out.upstreamHeaders[HEADERS.ENVOY_SELECTED_MODEL]).toBe('x');
  });
  it('passes a concrete client model through untouched', () => {
    const cfg = setup('qwen3', true);
    const r = req({ model: 'gpt-4o' });
    const out = rewrite(r, decide(cfg, hit, r), cfg);
    expect(out.body).toEqual(r);
    expect(out.headers[HEADERS.SELECTED_MODEL]).toBe('gpt-4o');
  });
  it('applies header_mutation to upstream headers', () => {
    const cfg = setup(undefined, false, { plugins: [{ type: 'header_mutation', configuration: { add: [{ name: 'X-Tenant', value: 't1' }], delete: ['X-Debug'] } }] });
    const r = req();
    const out = rewrite(r, decide(cfg, hit, r), cfg);
    expect(out.upstreamHeaders['x-tenant']).toBe('t1');
    expect(out.removeUpstreamHeaders).toEqual(['x-debug']);
  });
  it('redacts PII in user messages (string and part content) without touching others', () => {
    const cfg = setup(undefined, false, { plugins: [{ type: 'pii', configuration: { action: 'redact' } }] });
    const r = deepFreeze({
      model: 'auto',
      messages: [
        { role: 'system', content: 'mail admin@x.io' },
        { role: 'user', content: [{ type: 'text', text: 'I am Bob' }, { type: 'image_url', image_url: { url: 'u' } }] },
        { role: 'user', content: 'go mail bob@x.io' },
      ],
    }) as ChatCompletionRequest;
    // classified text: "go mail bob@x.io\n\nI am Bob"
    const spans = [{ type: 'EMAIL_ADDRESS', start: 8, end: 16, score: 0.9 }, { type: 'PERSON', start: 23, end: 26, score: 0.9 }];
    const d = decide(cfg, { keywordHits: ['go'], pii: spans }, r);
    const out = rewrite(r, d, cfg);
    expect(out.body.messages[2]!.content).toBe('go mail <EMAIL_ADDRESS>');
    expect(out.body.messages[1]!.content).toEqual([{ type: 'text', text: 'I am <PERSON>' }, { type: 'image_url', image_url: { url: 'u' } }]);
    expect(out.body.messages[0]!.content).toBe('mail admin@x.io');
  });
  it('leaves a blocked request body alone', () => {
    const cfg = setup(undefined, false, { plugins: [{ type: 'fast_response', configuration: { message: 'x' } }] });
    const r = req();
    const out = rewrite(r, decide(cfg, hit, r), cfg);
    expect(out.body).toEqual(r);
    expect(out.headers[HEADERS.RESPONSE_PATH]).toBe('fast_response');
    expect(out.headers[HEADERS.FAST_RESPONSE]).toBe('true');
  });
});

describe('system prompt modes', () => {
  const msgs = [{ role: 'system', content: 'client' }, { role: 'user', content: 'q' }];
  it('insert / replace / append on an existing system message', () => {
    expect(applySystemPrompt(msgs, 'router', 'insert')[0]!.content).toBe('router\n\nclient');
    expect(applySystemPrompt(msgs, 'router', 'append')[0]!.content).toBe('client\n\nrouter');
    expect(applySystemPrompt(msgs, 'router', 'replace')[0]!.content).toBe('router');
    expect(msgs[0]!.content).toBe('client');
  });
  it('adds a system message when there is none; handles part arrays', () => {
    expect(applySystemPrompt([{ role: 'user', content: 'q' }], 'router', 'append')).toEqual([{ role: 'system', content: 'router' }, { role: 'user', content: 'q' }]);
    const parts = applySystemPrompt([{ role: 'system', content: [{ type: 'text', text: 'c' }] }], 'r', 'insert');
    expect(parts[0]!.content).toEqual([{ type: 'text', text: 'r' }, { type: 'text', text: 'c' }]);
  });
});

describe('rewrite() properties', () => {
  const OWNED = new Set(['model', 'messages', 'chat_template_kwargs', 'reasoning_effort', 'reasoning']);
  const configs = [setup('qwen3', true), setup('gpt-oss', true, { dialect: 'openai' }), setup('gpt', true), setup(undefined, false, { plugins: [{ type: 'system_prompt', configuration: { system_prompt: 'S', mode: 'insert' } }] })];
  it('never drops or changes fields it does not own, never mutates its input', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        fc.constantFrom(...configs),
        fc.constantFrom('auto', 'gpt-4o'),
        (extra, cfg, model) => {
          const r = deepFreeze({ ...extra, model, messages: [{ role: 'user', content: 'go', name: 'u' }] }) as ChatCompletionRequest;
          const snapshot = JSON.stringify(r);
          const out = rewrite(r, decide(cfg, hit, r), cfg);
          expect(JSON.stringify(r)).toBe(snapshot);
          for (const k of Object.keys(r)) {
            expect(out.body).toHaveProperty([k]);
            if (!OWNED.has(k)) expect(out.body[k]).toEqual(r[k]);
          }
          const user = out.body.messages.find((m) => m.role === 'user')!;
          expect(user).toEqual(r.messages[0]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
