import { defaultConfig, parseConfig } from '@semroute/core';
import { describe, expect, it } from 'vitest';
import { writeTunedConfig } from './config-writer.js';
import { buildPrompt, extractAnswer, LETTERS, MMLU_PRO_CATEGORIES, type McQuestion } from './dataset.js';
import { expectedFigures, loadProfile, type SimProfile } from './profile.js';
import type { EvalRecord } from './records.js';
import { configSetting } from './routing.js';
import { simulateAnswer } from './simulated-model.js';
import { tunePolicy, type Setting } from './tune.js';

function synthetic(perCategory: number): McQuestion[] {
  return MMLU_PRO_CATEGORIES.flatMap((category) =>
    Array.from({ length: perCategory }, (_, i) => ({
      question_id: `${category}-${i}`,
      question: `Synthetic ${category} question ${i}: which option holds?`,
      options: Array.from({ length: 10 }, (_, k) => `option ${k}`),
      answer: LETTERS[(i * 3) % 10]!,
      category,
    })),
  );
}

/** Records as `semroute eval` would write them, produced in-process from the simulated model (no HTTP). */
function simulateRecords(profile: SimProfile, qs: readonly McQuestion[], modes: { mode: string; body: Record<string, unknown>; setting: Setting }[]): EvalRecord[] {
  const index = new Map(qs.map((q) => [q.question, q]));
  const out: EvalRecord[] = [];
  for (const q of qs) {
    for (const { mode, body, setting } of modes) {
      const a = simulateAnswer(profile, index, { ...body, messages: [{ role: 'user', content: buildPrompt(q) }] }, { seed: 11 });
      const ex = extractAnswer(a.content, q.options.length);
      out.push({
        id: `${mode}|${q.question_id}`, mode, question_id: q.question_id, category: q.category, routed_category: null, decision: null,
        model: 'sim', reasoning: setting.use_reasoning, effort: setting.effort, status: 'ok', gold: q.answer, extracted: ex.letter,
        extraction: ex.method, correct: ex.letter === q.answer, finish_reason: a.finishReason, latency_ms: a.totalMs, ttft_ms: a.ttftMs,
        prompt_tokens: a.promptTokens, completion_tokens: a.completionTokens, reasoning_tokens: a.reasoningTokens, tokens_estimated: false,
        reasoning_tokens_source: 'usage', attempts: 1, ts: '',
      });
    }
  }
  return out;
}

const profile = loadProfile();
const config = defaultConfig();
const defaults = (c: string) => configSetting(config, 'qwen3', c);
const qwenModes = [
  { mode: 'direct-off', body: { chat_template_kwargs: { enable_thinking: false } }, setting: { use_reasoning: false, effort: null } },
  { mode: 'direct-on', body: { chat_template_kwargs: { enable_thinking: true } }, setting: { use_reasoning: true, effort: null } },
];

describe('tunePolicy on the shipped profile', () => {
  const records = simulateRecords(profile, synthetic(900), qwenModes);

  it('recovers the profile’s accuracy-optimal policy where the gap is material', () => {
    const r = tunePolicy(records, defaults, { objective: 'accuracy' });
    for (const ch of r.choices) {
      const c = profile.categories[ch.category]!;
      const optimalOn = c.on.accuracy > c.off.accuracy;
      if (Math.abs(c.on.accuracy - c.off.accuracy) >= 0.05) expect({ category: ch.category, on: ch.chosen.setting.use_reasoning }).toEqual({ category: ch.category, on: optimalOn });
      else expect(ch.chosen.setting).toEqual(ch.default.setting); // too close to call: keeps the default
    }
    const changed = r.choices.filter((c) => c.changed).map((c) => c.category).sort();
    expect(changed).toEqual(['biology', 'computer science']);
    expect(r.predicted.tuned.accuracy).toBeGreaterThan(r.predicted.default.accuracy);
  });

  it('meets a token budget by raising λ, and the cost objective spends fewer tokens', () => {
    const acc = tunePolicy(records, defaults, { objective: 'accuracy' });
    const budget = tunePolicy(records, defaults, { objective: 'accuracy', maxTokensPerQuery: 500 });
    expect(budget.budget.met).toBe(true);
    expect(budget.predicted.tuned.mean_tokens).toBeLessThanOrEqual(500);
    expect(budget.lambda_effective).toBeGreaterThan(0);
    const cost = tunePolicy(records, defaults, { objective: 'cost' });
    expect(cost.predicted.tuned.mean_tokens).toBeLessThan(acc.predicted.tuned.mean_tokens);
    const impossible = tunePolicy(records, defaults, { maxTokensPerQuery: 10 });
    expect(impossible.budget.met).toBe(false);
  });

  it('keeps the default where a category has too few samples', () => {
    const few = records.filter((r) => r.category !== 'biology' || Number(r.question_id.split('-')[1]) < 20);
    const r = tunePolicy(few, defaults, { objective: 'accuracy' });
    const bio = r.choices.find((c) => c.category === 'biology')!;
    expect(bio.changed).toBe(false);
    expect(bio.reason).toMatch(/only 20 paired samples/);
  });

  it('writes a config that passes parseConfig and says why', () => {
    const r = tunePolicy(records, defaults, { objective: 'accuracy' });
    const text = writeTunedConfig(r, { model: { name: 'Qwen/Qwen3-30B-A3B', family: 'qwen3', endpoint: 'http://gpu-box:8000/v1' } });
    const parsed = parseConfig(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(configSetting(parsed.config, 'qwen3', 'biology').use_reasoning).toBe(true);
    expect(configSetting(parsed.config, 'qwen3', 'computer science').use_reasoning).toBe(false);
    expect(configSetting(parsed.config, 'qwen3', 'math').use_reasoning).toBe(true);
    expect(parsed.config.providers.models.map((m) => m.name)).toEqual(['Qwen/Qwen3-30B-A3B']);
    expect(parsed.config.providers.models[0]!.backend_refs[0]!.endpoint).toBe('gpu-box:8000');
    expect(text).toMatch(/# tune \[biology\] CHANGED from reasoning off to reasoning on: /);
    expect(text).toMatch(/# tune \[law\]: kept default/);
    expect(text).toMatch(/predicted \(routing by true category\): accuracy/);
  });

  it('refuses results without both reasoning settings', () => {
    expect(() => tunePolicy(records.filter((r) => r.mode === 'direct-on'), defaults)).toThrow(/both off and on/);
  });
});

describe('tunePolicy with effort levels (gpt-oss)', () => {
  it('chooses an effort per category from direct-on:EFFORT runs', () => {
    const gpt: SimProfile = { ...profile, family: 'gpt-oss' };
    const modes = ['low', 'medium', 'high'].map((e) => ({ mode: `direct-on:${e}`, body: { chat_template_kwargs: { reasoning_effort: e } }, setting: { use_reasoning: true, effort: e } }));
    // gpt-oss always reasons; "off" comes from a family with an off switch, modelled here by a separate off run.
    const records = [
      ...simulateRecords({ ...gpt, family: 'qwen3' }, synthetic(700), [qwenModes[0]!]),
      ...simulateRecords(gpt, synthetic(700), modes),
    ];
    const r = tunePolicy(records, () => ({ use_reasoning: true, effort: 'medium' }), { objective: 'balanced' });
    for (const ch of r.choices) expect(ch.options.map((o) => o.mode).sort()).toEqual(['direct-off', 'direct-on:high', 'direct-on:low', 'direct-on:medium']);
    // Where reasoning helps a lot (engineering +9 pp), some reasoning stays; where it hurts (law), it is switched off.
    expect(r.choices.find((c) => c.category === 'law')!.chosen.setting.use_reasoning).toBe(false);
    const high = expectedFigures(gpt, 'physics', true, 'high');
    expect(high.tokens).toBeGreaterThan(expectedFigures(gpt, 'physics', true, 'low').tokens);
  }, 60_000);
});
