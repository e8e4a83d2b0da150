import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import { rewrite } from '../openai/rewrite.js';
import { decide } from './engine.js';
import { retargetDecision } from './retarget.js';

const config = loadConfigOrThrow({
  providers: {
    defaults: { default_model: 'small', default_reasoning_effort: 'low' },
    models: [
      { name: 'big', reasoning_family: 'gpt-oss', provider_model_id: 'org/big' },
      { name: 'mid', reasoning_family: 'qwen3', provider_model_id: 'org/mid' },
      { name: 'small', reasoning_family: 'deepseek' },
    ],
  },
  routing: {
    signals: { domains: [{ name: 'math' }] },
    decisions: [
      {
        name: 'math',
        rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'math' }] },
        modelRefs: [{ model: 'big', use_reasoning: true, reasoning_effort: 'high' }, { model: 'mid', use_reasoning: true }],
        plugins: [{ type: 'system_prompt', configuration: { system_prompt: 'Be exact.' } }],
      },
    ],
  },
});
const request = { model: 'auto', messages: [{ role: 'user' as const, content: 'integral' }] };
const d = decide(config, { categoryScores: { math: 0.9 } }, request);

describe('retargetDecision', () => {
  it('takes reasoning from the decision’s modelRef for that model (effort → default_reasoning_effort)', () => {
    expect(d).toMatchObject({ model: 'big', use_reasoning: true, reasoning_effort: 'high' });
    const mid = retargetDecision(d, 'mid', config);
    expect(mid).toMatchObject({ model: 'mid', provider_model_id: 'org/mid', use_reasoning: true, reasoning_effort: 'low', reasoning_family: 'qwen3', decision: 'math', category: 'math' });
    expect(mid.plugins).toEqual(d.plugins);
    expect(mid.trace.selection).toMatchObject({ chosen: 'mid', reason: 'fallback from big: next modelRef' });
    const body = rewrite(request, mid, config).body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'org/mid', chat_template_kwargs: { enable_thinking: true } });
    expect(body.messages).toHaveLength(2);
  });

  it('a model outside the modelRefs (the default model) gets reasoning off and its own family', () => {
    const small = retargetDecision(d, 'small', config);
    expect(small).toMatchObject({ model: 'small', provider_model_id: 'small', use_reasoning: false, reasoning_family: 'deepseek' });
    expect(small.reasoning_effort).toBeUndefined();
    expect(rewrite(request, small, config).body).toMatchObject({ model: 'small', chat_template_kwargs: { thinking: false } });
  });

  it('is pure: the input decision is unchanged; the same model returns it as is', () => {
    const before = JSON.stringify(d);
    retargetDecision(d, 'mid', config);
    expect(JSON.stringify(d)).toBe(before);
    expect(retargetDecision(d, 'big', config)).toBe(d);
    const unknown = retargetDecision(d, 'nope', config);
    expect(unknown).toMatchObject({ model: 'nope', provider_model_id: 'nope', use_reasoning: false });
    expect(unknown.reasoning_family).toBeUndefined();
  });
});
