import { describe, expect, it } from 'vitest';
import { buildPrompt, MMLU_PRO_CATEGORIES, type McQuestion } from './dataset.js';
import { expectedFigures, loadProfile } from './profile.js';
import { LETTERS } from './dataset.js';
import { readReasoningState, simulateAnswer, startSimulatedModel } from './simulated-model.js';

function synthetic(perCategory: number): McQuestion[] {
  return MMLU_PRO_CATEGORIES.flatMap((category) =>
    Array.from({ length: perCategory }, (_, i) => ({
      question_id: `${category}-${i}`,
      question: `Synthetic ${category} question ${i}: which option holds?`,
      options: Array.from({ length: 10 }, (_, k) => `option ${k}`),
      answer: LETTERS[(i * 7) % 10]!,
      category,
    })),
  );
}

const profile = loadProfile();

describe('reasoning switches per family', () => {
  it('reads each family the way its server does', () => {
    expect(readReasoningState('qwen3', {})).toEqual({ on: true });
    expect(readReasoningState('qwen3', { chat_template_kwargs: { enable_thinking: false } })).toEqual({ on: false });
    expect(readReasoningState('deepseek', {})).toEqual({ on: false });
    expect(readReasoningState('deepseek', { chat_template_kwargs: { thinking: true } })).toEqual({ on: true });
    expect(readReasoningState('gpt-oss', { chat_template_kwargs: { reasoning_effort: 'high' } })).toEqual({ on: true, effort: 'high' });
    expect(readReasoningState('gpt', { reasoning: { effort: 'low' } })).toEqual({ on: true, effort: 'low' });
    expect(readReasoningState('mistral', {})).toEqual({ on: false });
  });
});

describe('simulateAnswer', () => {
  const qs = synthetic(600);
  const index = new Map(qs.map((q) => [q.question, q]));
  const body = (q: McQuestion, on: boolean) => ({ model: 'm', messages: [{ role: 'user', content: buildPrompt(q) }], chat_template_kwargs: { enable_thinking: on } });

  it('is deterministic per seed and question', () => {
    const q = qs[5]!;
    expect(simulateAnswer(profile, index, body(q, true), { seed: 3 })).toEqual(simulateAnswer(profile, index, body(q, true), { seed: 3 }));
  });

  it('answers with the profile accuracy and token means per category', () => {
    for (const category of ['business', 'math', 'computer science']) {
      for (const on of [false, true]) {
        const rs = qs.filter((q) => q.category === category).map((q) => simulateAnswer(profile, index, body(q, on), { seed: 1 }));
        const acc = rs.filter((r) => r.correct).length / rs.length;
        const tok = rs.reduce((s, r) => s + r.completionTokens, 0) / rs.length;
        const fig = expectedFigures(profile, category, on);
        expect(Math.abs(acc - fig.accuracy)).toBeLessThan(0.06);
        expect(Math.abs(tok / fig.tokens - 1)).toBeLessThan(0.12);
        for (const r of rs) {
          if (r.correct) expect(r.letter).toBe(r.question!.answer);
          if (r.unanswered) expect(r.letter).toBeNull();
          expect(r.reasoningTokens > 0).toBe(on);
        }
      }
    }
  });
});

describe('simulated model over HTTP', () => {
  it('streams reasoning and content, with usage when asked', async () => {
    const qs = synthetic(2);
    const sim = await startSimulatedModel(profile, { questions: qs, timeScale: 0 });
    try {
      const res = await fetch(`${sim.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'x', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: buildPrompt(qs[0]!) }] }),
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const text = await res.text();
      expect(text).toContain('reasoning_content');
      expect(text).toContain('"usage"');
      expect(text.trim().endsWith('data: [DONE]')).toBe(true);
      const plain = await fetch(`${sim.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: buildPrompt(qs[1]!) }], chat_template_kwargs: { enable_thinking: false } }),
      });
      const j = (await plain.json()) as { usage: { completion_tokens: number }; choices: { message: { content: string; reasoning_content?: string } }[] };
      expect(j.usage.completion_tokens).toBeGreaterThan(0);
      expect(j.choices[0]!.message.reasoning_content).toBeUndefined();
      expect((await fetch(`${sim.url}/models`)).status).toBe(200);
      expect((await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{nope' })).status).toBe(400);
    } finally {
      await sim.close();
    }
  });
});
