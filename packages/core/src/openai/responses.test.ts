import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import { decide } from '../decision/engine.js';
import { RequestError } from '../errors.js';
import { rewrite } from './rewrite.js';
import {
  ChatStreamToResponses,
  chatToResponse,
  refusalResponse,
  responsesBodyFor,
  responsesToChat,
  validateResponsesRequest,
  type ResponsesRequest,
} from './responses.js';

const who = { id: 'resp_abc', createdAt: 1700000000, model: 'm' };

describe('validateResponsesRequest', () => {
  it('accepts string input and item arrays; names the path of what is wrong', () => {
    expect(validateResponsesRequest({ input: 'hi' }).input).toBe('hi');
    expect(() => validateResponsesRequest({ input: 3 })).toThrow(/input: expected a string or an array/);
    expect(() => validateResponsesRequest({ input: [{ role: 'user', content: [{ type: 'input_text' }] }] })).toThrow(/input\[0\]\.content\[0\]\.text/);
    expect(() => validateResponsesRequest({ input: [{ type: 'web_search_call' }] })).toThrow(/input\[0\]\.type/);
    expect(() => validateResponsesRequest({ input: 'x', previous_response_id: 5 })).toThrow(/previous_response_id/);
    expect(() => validateResponsesRequest({ input: 'x', store: 'yes' })).toThrow(/store/);
  });

  it('either returns the request or throws a RequestError, whatever the JSON (property)', () => {
    const item = fc.oneof(
      fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 3), content: fc.oneof(fc.string(), fc.array(fc.record({ type: fc.constantFrom('input_text', 'input_image', 5), text: fc.oneof(fc.string(), fc.integer()) }))) }, { requiredKeys: [] }),
      fc.record({ type: fc.constantFrom('function_call', 'function_call_output', 'reasoning', 'message', 'other'), call_id: fc.oneof(fc.string(), fc.integer()), name: fc.string() }, { requiredKeys: ['type'] }),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ input: fc.oneof(fc.string(), fc.array(item, { maxLength: 5 }), fc.jsonValue()), model: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] })), (v) => {
        try {
          const r = validateResponsesRequest(v);
          // a valid request always has a chat view
          expect(responsesToChat(r).chat.messages.length).toBeGreaterThanOrEqual(0);
        } catch (e) {
          expect(RequestError.isError(e)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('responsesToChat', () => {
  it('instructions → system, parts at the same indices, function calls and outputs, developer → system, history first', () => {
    const req = validateResponsesRequest({
      model: 'auto',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'dev' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'https://x/img.png' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
        { type: 'reasoning', summary: [] },
      ],
      max_output_tokens: 50,
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 's', schema: { type: 'object' } } },
      stream: true,
    });
    const v = responsesToChat(req, [{ role: 'user', content: 'earlier' }, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer' }] }]);
    expect(v.chat.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'earlier' },
      { role: 'assistant', content: 'answer' },
      { role: 'system', content: 'dev' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://x/img.png' } }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ]);
    expect(v.itemOf).toEqual([-1, 0, 1, 2, 3, 4, 6]);
    expect(v.chat).toMatchObject({
      model: 'auto',
      max_tokens: 50,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' } } },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('refuses tools a chat backend cannot run', () => {
    expect(() => responsesToChat(validateResponsesRequest({ input: 'x', tools: [{ type: 'web_search' }] }))).toThrow(/tools\[0\]\.type/);
  });
});

describe('responsesBodyFor (a backend that speaks Responses)', () => {
  const cfg = loadConfigOrThrow({
    providers: { defaults: { default_model: 'g' }, models: [{ name: 'g', provider_model_id: 'gpt-x', reasoning_family: 'gpt' }, { name: 'q', reasoning_family: 'qwen3' }] },
    routing: {
      signals: { keywords: [{ name: 'go', keywords: ['go'] }, { name: 'qq', keywords: ['qwen'] }] },
      decisions: [
        {
          name: 'd',
          rules: { operator: 'OR', conditions: [{ type: 'keyword', name: 'go' }] },
          modelRefs: [{ model: 'g', use_reasoning: true, reasoning_effort: 'high' }],
          plugins: [
            { type: 'system_prompt', configuration: { mode: 'insert', system_prompt: 'ROUTER' } },
            { type: 'pii', configuration: { action: 'redact' } },
          ],
        },
        { name: 'dq', priority: 5, rules: { operator: 'OR', conditions: [{ type: 'keyword', name: 'qq' }] }, modelRefs: [{ model: 'q', use_reasoning: false }] },
      ],
    },
  });
  const native = (raw: Record<string, unknown>, signals: Parameters<typeof decide>[1]) => {
    const req = validateResponsesRequest(raw);
    const view = responsesToChat(req);
    const rw = rewrite(view.chat, decide(cfg, signals, view.chat), cfg);
    return responsesBodyFor(req, view, rw.body);
  };

  it('takes model, reasoning.effort, instructions and redacted text back onto the items; store false; no previous id', () => {
    const text = 'go mail bob@x.io';
    const b = native(
      { model: 'auto', input: [{ role: 'user', content: [{ type: 'input_text', text }] }], instructions: 'client', reasoning: { summary: 'auto' }, previous_response_id: 'resp_1', metadata: { k: 'v' } },
      { keywordHits: ['go'], pii: [{ type: 'EMAIL_ADDRESS', start: 8, end: 16, score: 0.9 }] },
    );
    expect(b).toEqual({
      model: 'gpt-x',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'go mail <EMAIL_ADDRESS>' }] }],
      instructions: 'ROUTER\n\nclient',
      reasoning: { summary: 'auto', effort: 'high' },
      metadata: { k: 'v' },
      store: false,
    });
  });

  it('adds instructions when the client sent none; qwen3 gets the chat-template switch', () => {
    expect(native({ input: 'go' }, { keywordHits: ['go'] }).instructions).toBe('ROUTER');
    const q = native({ input: 'qwen please' }, { keywordHits: ['qq'] });
    expect(q).toMatchObject({ model: 'q', chat_template_kwargs: { enable_thinking: false }, input: [{ type: 'message', role: 'user', content: 'qwen please' }] });
    expect(q).not.toHaveProperty('instructions');
  });
});

describe('answers', () => {
  const req: ResponsesRequest = { input: 'x', instructions: 'i', temperature: 0.2 };

  it('chatToResponse: text, tool calls, usage, and length → incomplete', () => {
    const r = chatToResponse(req, who, {
      model: 'served',
      choices: [{ message: { role: 'assistant', content: 'hello', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'length' }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, completion_tokens_details: { reasoning_tokens: 2 } },
    });
    expect(r).toMatchObject({ id: 'resp_abc', object: 'response', created_at: 1700000000, model: 'served', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, instructions: 'i', temperature: 0.2 });
    expect(r.output).toEqual([
      { id: 'msg_abc', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hello', annotations: [] }] },
      { id: 'fc_abc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'f', arguments: '{}' },
    ]);
    expect(r.usage).toMatchObject({ input_tokens: 3, output_tokens: 4, total_tokens: 7, output_tokens_details: { reasoning_tokens: 2 } });
  });

  it('ChatStreamToResponses: the event sequence, text deltas, tool-call argument deltas, and the final response', () => {
    const t = new ChatStreamToResponses(req, who);
    let sse = t.start();
    sse += t.push({ model: 'served', choices: [{ delta: { role: 'assistant', content: '' } }] });
    sse += t.push({ choices: [{ delta: { content: 'Hel' } }] });
    sse += t.push({ choices: [{ delta: { content: 'lo' } }] });
    sse += t.push({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_9', function: { name: 'f', arguments: '{"a"' } }] } }] });
    sse += t.push({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }] });
    sse += t.push({ choices: [{ delta: {}, finish_reason: 'tool_calls' }] });
    sse += t.push({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
    sse += t.finish();
    const evs = sse.split('\n\n').filter(Boolean).map((e) => JSON.parse(e.split('\n')[1]!.slice(6)) as Record<string, unknown>);
    expect(evs.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i));
    expect(t.response!.output).toEqual([
      { id: 'msg_abc', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] },
      { id: 'fc_abc_1', type: 'function_call', status: 'completed', call_id: 'call_9', name: 'f', arguments: '{"a":1}' },
    ]);
    expect(t.response).toMatchObject({ model: 'served', status: 'completed', usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } });
  });

  it('an empty stream still ends with a message item and response.completed', () => {
    const t = new ChatStreamToResponses(req, who);
    const sse = t.start() + t.finish();
    expect(sse).toContain('event: response.output_text.done');
    expect(t.response!.output).toHaveLength(1);
  });

  it('refusalResponse: a refusal part for blocks, output text for fast_response, as JSON and as events', () => {
    const b = refusalResponse(req, { ...who, model: 'router' }, 'No.', true);
    expect(b.json).toMatchObject({ model: 'router', status: 'completed', output: [{ type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] }] });
    expect(b.sse).toContain('event: response.refusal.delta');
    expect(b.sse.trim().split('\n\n').at(-1)).toContain('"type":"response.completed"');
    const f = refusalResponse(req, who, 'Hi!', false);
    expect(f.json.output[0]).toMatchObject({ content: [{ type: 'output_text', text: 'Hi!' }] });
    expect(f.sse).toContain('event: response.output_text.delta');
  });
});
