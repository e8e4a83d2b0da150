import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseCompletionCollector, cacheableCompletion, completionJson, completionSse } from './answer.js';

const sse = (chunks: object[], done = true) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
const chunk = (delta: object, finish: string | null = null, index = 0) => ({ id: 'x', object: 'chat.completion.chunk', model: 'm', choices: [{ index, delta, finish_reason: finish }] });

describe('cacheable answers', () => {
  it('stores a plain completion, not a cut-off, tool-call or empty one', () => {
    const ok = { object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] };
    expect(cacheableCompletion(ok)).toMatchObject({ model: 'm', choices: [{ message: { content: 'hi' } }] });
    expect(cacheableCompletion({ ...ok, choices: [{ ...ok.choices[0], finish_reason: 'length' }] })).toBe('finish_reason');
    expect(cacheableCompletion({ ...ok, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 't' }] }, finish_reason: 'stop' }] })).toBe('tool_calls');
    expect(cacheableCompletion({ ...ok, choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'stop' }] })).toBe('no_text');
    expect(cacheableCompletion({ error: { message: 'x' } })).toBe('not_a_completion');
  });

  it('assembles a streamed answer split anywhere, and refuses one without [DONE] or with an error event', () => {
    const text = sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Paris' }), chunk({ content: ' is.' }), chunk({}, 'stop'), { ...chunk({}), choices: [], usage: { total_tokens: 3 } }]);
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 8 }), (cuts) => {
        const c = new SseCompletionCollector(1 << 20);
        const at = [0, ...cuts.sort((a, b) => a - b), text.length];
        const bytes = new TextEncoder().encode(text);
        for (let i = 1; i < at.length; i++) c.push(bytes.subarray(at[i - 1]!, at[i]!));
        expect(c.finish()).toMatchObject({ model: 'm', choices: [{ message: { content: 'Paris is.' }, finish_reason: 'stop' }], usage: { total_tokens: 3 } });
      }),
    );
    const noDone = new SseCompletionCollector(1 << 20);
    noDone.push(sse([chunk({ content: 'a' }), chunk({}, 'stop')], false));
    expect(noDone.finish()).toBe('stream_incomplete');
    const broken = new SseCompletionCollector(1 << 20);
    broken.push(sse([chunk({ content: 'a' }), { error: { message: 'x' } }]));
    expect(broken.finish()).toBe('status');
    const cut = new SseCompletionCollector(1 << 20);
    cut.push(sse([chunk({ content: 'a' }), chunk({}, 'length')]));
    expect(cut.finish()).toBe('finish_reason');
    const tools = new SseCompletionCollector(1 << 20);
    tools.push(sse([chunk({ tool_calls: [{ index: 0, id: 't' }] }), chunk({}, 'stop')]));
    expect(tools.finish()).toBe('tool_calls');
  });

  it('replays a stored answer as SSE that assembles back to the same answer and ends with [DONE]', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }), fc.boolean(), (texts, usage) => {
        const stored = { model: 'm', choices: texts.map((t, index) => ({ index, message: { role: 'assistant', content: t }, finish_reason: 'stop' as const })), ...(usage ? { usage: { total_tokens: 1 } } : {}) };
        const events = completionSse(stored, { includeUsage: true });
        expect(events.at(-1)).toBe('data: [DONE]\n\n');
        const c = new SseCompletionCollector(1 << 20);
        c.push(events.join(''));
        expect(c.finish()).toEqual(stored);
        const json = JSON.parse(completionJson(stored));
        expect(json).toMatchObject({ object: 'chat.completion', model: 'm', choices: stored.choices });
        expect(json.id).toMatch(/^chatcmpl-cache-[0-9a-f]{24}$/);
      }),
    );
  });
});
