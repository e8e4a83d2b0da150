import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import { decide } from '../decision/engine.js';
import { HEADERS } from '../headers.js';
import { blockedResponse } from './blocked.js';

const raw = (status?: number) => ({
  providers: { defaults: { default_model: 'm' }, models: [{ name: 'm' }] },
  routing: {
    signals: { keywords: [{ name: 'hi', keywords: ['hello'] }] },
    decisions: [{ name: 'greet', rules: { operator: 'OR', conditions: [{ type: 'keyword', name: 'hi' }] }, plugins: [{ type: 'fast_response', configuration: { message: 'Hello!' } }] }],
  },
  global: { prompt_guard: { enabled: true, threshold: 0.7 }, ...(status ? { blocked_response: { status } } : {}) },
});

describe('blockedResponse', () => {
  it('jailbreak block: chat.completion with content_filter, model router, status 200 by default', () => {
    const cfg = loadConfigOrThrow(raw());
    const d = decide(cfg, { jailbreak: 0.9 });
    const r = blockedResponse(d, { messages: [] }, cfg, { now: 1700000000 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      object: 'chat.completion',
      created: 1700000000,
      model: 'router',
      choices: [{ index: 0, message: { role: 'assistant', content: 'I cannot process this request.' }, finish_reason: 'content_filter' }],
    });
    expect(r.headers[HEADERS.RESPONSE_PATH]).toBe('blocked');
    expect(r.headers['content-type']).toBe('application/json');
    expect(blockedResponse(d, { messages: [] }, cfg, { now: 1700000000 }).json).toEqual(r.json);
  });
  it('status 403 when configured', () => {
    const cfg = loadConfigOrThrow(raw(403));
    expect(blockedResponse(decide(cfg, { jailbreak: 0.9 }), undefined, cfg).status).toBe(403);
  });
  it('streams as SSE chunks ending in [DONE]', () => {
    const cfg = loadConfigOrThrow(raw());
    const r = blockedResponse(decide(cfg, { keywordHits: ['hi'] }), { messages: [], stream: true }, cfg, { now: 1 });
    expect(r.headers['content-type']).toBe('text/event-stream');
    expect(r.headers[HEADERS.FAST_RESPONSE]).toBe('true');
    expect(r.sse).toHaveLength(3);
    expect(r.sse.every((f) => f.startsWith('data: ') && f.endsWith('\n\n'))).toBe(true);
    expect(r.sse[2]).toBe('data: [DONE]\n\n');
    const first = JSON.parse(r.sse[0]!.slice(6)) as { object: string; choices: { delta: { content: string } }[] };
    expect(first.object).toBe('chat.completion.chunk');
    expect(first.choices[0]!.delta.content).toBe('Hello!');
    const last = JSON.parse(r.sse[1]!.slice(6)) as { choices: { finish_reason: string }[] };
    expect(last.choices[0]!.finish_reason).toBe('stop');
  });
});
