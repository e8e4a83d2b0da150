import { describe, expect, it } from 'vitest';
import { fnv1a32 } from '../cache/guard.js';
import { loadConfigOrThrow } from '../config/parse.js';
import { Router } from '../router.js';
import type { Classifier, ClassifierSignals, ClassifyOptions } from '../signals/types.js';
import { createFetchHandler, type FetchLike } from './handler.js';

/**
 * A stand-in for the model's pooled head: a hashed bag of words (L2-normalised, 64 dimensions), so texts sharing
 * most words are close. Category by keyword; PII: an e-mail address is a sensitive EMAIL_ADDRESS span, "Paris" a GPE span.
 */
class BagOfWords implements Classifier {
  readonly backend = 'fake';
  heads: (readonly string[] | undefined)[] = [];
  async classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]> {
    this.heads.push(options?.heads);
    return texts.map((t) => {
      const v = new Float32Array(64);
      for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) v[fnv1a32(w) % 64] += 1;
      const n = Math.hypot(...v) || 1;
      const pii = [...t.matchAll(/\S+@\S+/g)].map((m) => ({ type: 'EMAIL_ADDRESS', start: m.index!, end: m.index! + m[0].length, score: 0.99 }));
      for (const m of t.matchAll(/Paris/g)) pii.push({ type: 'GPE', start: m.index!, end: m.index! + 5, score: 0.99 });
      return {
        categoryScores: /integral|equation/.test(t) ? { math: 0.95, other: 0.05 } : { other: 0.9, math: 0.1 },
        jailbreak: 0.01,
        pii,
        tokenCount: Math.ceil(t.length / 4),
        pooled: v.map((x) => x / n),
      };
    });
  }
  async dispose(): Promise<void> {}
}

const CONFIG = `
providers:
  defaults: {default_model: small}
  models:
    - {name: small, backend_refs: [{endpoint: "up.test:1"}]}
    - {name: big, reasoning_family: qwen3, backend_refs: [{endpoint: "up.test:2"}]}
routing:
  signals:
    domains: [{name: math}, {name: other}]
  decisions:
    - name: math_route
      priority: 10
      rules: {operator: OR, conditions: [{type: domain, name: math}]}
      modelRefs: [{model: big, use_reasoning: true}]
      plugins: [{type: response_cache, configuration: {enabled: true}}]
    - name: general
      priority: 5
      rules: {operator: OR, conditions: [{type: domain, name: other}]}
      modelRefs: [{model: small}]
      plugins: [{type: response_cache, configuration: {enabled: true, semantic: {similarity_threshold: 0.8}}}]
global:
  stores:
    response_cache: {enabled: true, similarity_threshold: 0.8, scope_headers: [authorization, x-user-id]}
`;

let answers = 0;
function upstream(opts: { finish?: string; status?: number } = {}): { fetch: FetchLike; calls: number } {
  const u = {
    calls: 0,
    fetch: (async (_url, init) => {
      u.calls++;
      const body = JSON.parse(String(init.body)) as { stream?: boolean; model: string };
      const content = `answer ${++answers}`;
      if (body.stream) {
        const ev = (o: object) => `data: ${JSON.stringify({ id: 'u', object: 'chat.completion.chunk', model: body.model, ...o })}\n\n`;
        const text = ev({ choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] }) + ev({ choices: [{ index: 0, delta: {}, finish_reason: opts.finish ?? 'stop' }] }) + 'data: [DONE]\n\n';
        return new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      }
      const json = { id: 'u', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: opts.finish ?? 'stop' }] };
      return new Response(JSON.stringify(json), { status: opts.status ?? 200, headers: { 'content-type': 'application/json' } });
    }) as FetchLike,
  };
  return u;
}

function setup(config = CONFIG, up = upstream()) {
  const classifier = new BagOfWords();
  const router = new Router({ config: loadConfigOrThrow(config), classifier });
  const handler = createFetchHandler({ router, fetch: (u, i) => up.fetch(u, i) });
  const ask = async (content: string | unknown[], extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const res = await handler(
      new Request('http://edge.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer k1', ...headers },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content }], ...extra }),
      }),
    );
    const text = await res.text();
    return { res, text, hit: res.headers.get('x-vsr-cache-hit'), content: text.startsWith('{') ? (JSON.parse(text).choices?.[0]?.message?.content as string) : undefined };
  };
  return { ask, up, classifier, router };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('response cache in the fetch handler', () => {
  it('serves a repeated prompt and a close rewording from the cache, with the vSR headers; asks for the pooled and PII heads', async () => {
    const { ask, up, classifier } = setup();
    const first = await ask('how do I reverse a list in python');
    expect(first.hit).toBe('false');
    expect(first.res.headers.get('x-vsr-response-path')).toBe('upstream');
    await settle();
    const again = await ask('how do I reverse a list in python');
    expect(again.hit).toBe('true');
    expect(Number(again.res.headers.get('x-vsr-cache-similarity'))).toBeGreaterThan(0.99);
    expect(again.res.headers.get('x-vsr-response-path')).toBe('cache');
    expect(again.res.headers.get('x-vsr-selected-decision')).toBe('general');
    expect(again.content).toBe(first.content);
    const reworded = await ask('In python, how do I reverse the list?');
    expect(reworded.hit).toBe('true');
    expect(reworded.content).toBe(first.content);
    expect(up.calls).toBe(1);
    expect(classifier.heads[0]).toEqual(expect.arrayContaining(['pooled', 'pii']));
  });

  it('does not serve a near miss (another entity or operation) although the embeddings are close', async () => {
    const { ask, up } = setup();
    await ask('how do I reverse a list in python');
    await settle();
    expect((await ask('how do I reverse a string in python')).hit).toBe('false');
    expect((await ask('how do I sort a list in python')).hit).toBe('false');
    expect(up.calls).toBe(3);
  });

  it('a streamed repeat of a non-streamed answer (and the reverse) is a valid SSE stream ending in [DONE]', async () => {
    const { ask } = setup();
    const first = await ask('what is an integral of x squared');
    await settle();
    const streamed = await ask('what is an integral of x squared', { stream: true, stream_options: { include_usage: true } });
    expect(streamed.hit).toBe('true');
    expect(streamed.res.headers.get('content-type')).toBe('text/event-stream');
    const events = streamed.text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const deltas = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as { object: string; choices: { delta: { content?: string } }[] });
    expect(deltas.every((d) => d.object === 'chat.completion.chunk')).toBe(true);
    expect(deltas.map((d) => d.choices[0]?.delta.content ?? '').join('')).toBe(first.content);

    const streamedFirst = await ask('what is an equation of a circle', { stream: true });
    expect(streamedFirst.hit).toBe('false');
    await settle();
    const json = await ask('what is an equation of a circle');
    expect(json.hit).toBe('true');
    expect(json.content).toMatch(/^answer \d+$/);
  });

  it('never crosses scopes (Authorization, user header, body user), decisions or conversation prefixes', async () => {
    const { ask, up } = setup();
    await ask('what is the capital of Paris region');
    await settle();
    expect((await ask('what is the capital of Paris region', {}, { authorization: 'Bearer k2' })).hit).toBe('false');
    expect((await ask('what is the capital of Paris region', {}, { 'x-user-id': 'u2' })).hit).toBe('false');
    expect((await ask('what is the capital of Paris region', { user: 'someone' })).hit).toBe('false');
    expect((await ask('what is the capital of Paris region', { max_tokens: 20 })).hit).toBe('false');
    expect((await ask('what is the capital of Paris region')).hit).toBe('true');
    expect(up.calls).toBe(5);
  });

  it('skips no-store requests, non-default temperature, sensitive PII, images and passthrough', async () => {
    const { ask } = setup();
    const twice = async (content: string | unknown[], extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      await ask(content, extra, headers);
      await settle();
      return ask(content, extra, headers);
    };
    expect((await twice('tell me a joke', {}, { 'cache-control': 'no-store' })).hit).toBe('false');
    expect((await twice('tell me a joke please', { temperature: 0.7 })).hit).toBe('false');
    expect((await twice('tell me a joke again', { temperature: 1 })).hit).toBe('true');
    expect((await twice('write to bob@example.com about the joke')).hit).toBe('false');
    expect((await twice([{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:,' } }])).hit).toBe('false');
    const pass = await twice('tell me a joke', { model: 'small' });
    expect(pass.hit).toBeNull();
  });

  it('does not store errors or cut-off answers; a disabled decision or cache adds no header', async () => {
    const cut = setup(CONFIG, upstream({ finish: 'length' }));
    await cut.ask('long story about a cat');
    await settle();
    expect((await cut.ask('long story about a cat')).hit).toBe('false');
    const failing = setup(CONFIG, upstream({ status: 400 }));
    await failing.ask('long story about a dog');
    await settle();
    expect((await failing.ask('long story about a dog')).hit).toBe('false');
    const off = setup(CONFIG.replace('response_cache: {enabled: true,', 'response_cache: {enabled: false,'));
    await off.ask('hello there');
    await settle();
    expect((await off.ask('hello there')).hit).toBeNull();
    expect(off.up.calls).toBe(2);
  });
});
