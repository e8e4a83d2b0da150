import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamTail, inputMessages, outputMessages, summarizeJson, summarizeSse } from './genai.js';

const RUNS = 300;
const chunk = (model: string, id: string, delta: object, finish: string | null, extra: object = {}) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;

describe('summarizeJson', () => {
  it('reads model, id, finish reasons per choice index and usage', () => {
    const s = summarizeJson(
      JSON.stringify({
        id: 'chatcmpl-1',
        model: 'qwen3-8b-instruct',
        choices: [
          { index: 1, finish_reason: 'length' },
          { index: 0, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 34 },
      }),
    );
    expect(s).toEqual({ id: 'chatcmpl-1', model: 'qwen3-8b-instruct', finishReasons: ['stop', 'length'], inputTokens: 12, outputTokens: 34 });
  });

  it('anything malformed gives fewer fields, never an exception', () => {
    expect(summarizeJson('')).toEqual({ finishReasons: [] });
    expect(summarizeJson('{"usage": {"prompt_tokens": -1, "completion_tokens": 1.5}, "choices": "x"}')).toEqual({ finishReasons: [] });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const s = summarizeJson(text);
        expect(Array.isArray(s.finishReasons)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('summarizeSse', () => {
  it('the last chunk wins; usage from the final chunk; [DONE] and comments ignored; CRLF accepted', () => {
    const text =
      chunk('m', 'c1', { role: 'assistant' }, null) +
      ': keep-alive\n\n' +
      chunk('m', 'c1', { content: 'hi' }, null).replace(/\n/g, '\r\n') +
      chunk('m', 'c1', {}, 'stop') +
      `data: ${JSON.stringify({ id: 'c1', model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n` +
      'data: [DONE]\n\n';
    expect(summarizeSse(text)).toEqual({ id: 'c1', model: 'm', finishReasons: ['stop'], inputTokens: 3, outputTokens: 2 });
  });

  it('a tail that starts mid-event skips the cut event (property: any cut point of a generated stream)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 20 }),
        fc.nat({ max: 20 }),
        fc.nat({ max: 500 }),
        fc.nat({ max: 500 }),
        (pieces, cutAt, inTok, outTok) => {
          const events = pieces.map((p) => chunk('the-model', 'id-7', { content: p }, null));
          const last = chunk('the-model', 'id-7', {}, 'stop') + `data: ${JSON.stringify({ id: 'id-7', model: 'the-model', choices: [], usage: { prompt_tokens: inTok, completion_tokens: outTok } })}\n\ndata: [DONE]\n\n`;
          const whole = events.join('') + last;
          // Cut anywhere before the final two events: what is left still tells the whole summary.
          const cut = Math.min(cutAt * 7, events.join('').length);
          expect(summarizeSse(whole.slice(cut))).toEqual({ id: 'id-7', model: 'the-model', finishReasons: ['stop'], inputTokens: inTok, outputTokens: outTok });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        summarizeSse(text);
        summarizeSse(`data: ${text}\n\n`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Responses API answers', () => {
  const response = { id: 'resp_1', object: 'response', model: 'gpt-x', status: 'completed', output: [], usage: { input_tokens: 7, output_tokens: 9 } };
  it('the response object (JSON) and the response.completed event of a stream', () => {
    expect(summarizeJson(JSON.stringify(response))).toEqual({ id: 'resp_1', model: 'gpt-x', finishReasons: [], inputTokens: 7, outputTokens: 9 });
    const sse =
      `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { ...response, status: 'in_progress', usage: null } })}\n\n` +
      `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: 'hi' })}\n\n` +
      `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response })}\n\n`;
    expect(summarizeSse(sse)).toEqual({ id: 'resp_1', model: 'gpt-x', finishReasons: [], inputTokens: 7, outputTokens: 9 });
  });

  it('input capture: instructions as a system message, a string input, message items with input_text parts', () => {
    expect(JSON.parse(inputMessages(JSON.stringify({ model: 'm', instructions: 'be brief', input: 'hello' }))!)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
      { role: 'user', parts: [{ type: 'text', content: 'hello' }] },
    ]);
    const items = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] }, { type: 'function_call_output', call_id: 'c', output: 'x' }];
    expect(JSON.parse(inputMessages(JSON.stringify({ model: 'm', input: items }))!)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'q' }] }]);
  });
});

describe('StreamTail', () => {
  it('keeps a suffix of the stream of at least `limit` bytes and less than `limit` + one chunk (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 60 }), fc.integer({ min: 1, max: 256 }), (chunks, limit) => {
        const tail = new StreamTail(limit);
        for (const c of chunks) tail.push(c);
        const all = Buffer.concat(chunks);
        const kept = tail.bytes();
        expect(all.subarray(all.length - kept.length).equals(kept)).toBe(true);
        expect(kept.length).toBeGreaterThanOrEqual(Math.min(limit, all.length));
        expect(kept.length).toBeLessThan(limit + 64 + 1);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('message capture (opt-in) in the GenAI conventions shape', () => {
  it('input: roles and text parts; images by kind only; tool calls kept', () => {
    const body = JSON.stringify({
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] },
      ],
    });
    expect(JSON.parse(inputMessages(body)!)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
      { role: 'user', parts: [{ type: 'text', content: 'what is this?' }, { type: 'image_url' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'lookup', arguments: '{"q":1}' }] },
    ]);
    expect(inputMessages('not json')).toBeUndefined();
  });

  it('output: one message per choice with its finish reason', () => {
    const text = JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'done' }, finish_reason: 'stop' }] });
    expect(JSON.parse(outputMessages(text)!)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'done' }], finish_reason: 'stop' }]);
    expect(outputMessages('{"choices": 3}')).toBeUndefined();
  });
});
