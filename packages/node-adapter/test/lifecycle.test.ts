/**
 * Integration: readiness while the model loads, overload shedding, graceful shutdown with a stream in flight.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockBackend } from '../src/mock-backend.js';
import { serve } from '../src/serve.js';
import { FakeClassifier, chat, post, sseData, testConfigYaml, tmpFile } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => {});
});

async function setup(opts: { loader?: () => Promise<FakeClassifier>; server?: string; chunkDelayMs?: number; chunks?: number }) {
  const mock = await startMockBackend({ name: 'm', ...(opts.chunkDelayMs ? { chunkDelayMs: opts.chunkDelayMs } : {}), ...(opts.chunks ? { chunks: opts.chunks } : {}) });
  cleanup.push(() => mock.close());
  const p = mock.port;
  const cfg = tmpFile('c.yaml', testConfigYaml({ qwenA: p, qwenB: p, gptoss: p, mistral: p }, opts.server ?? ''));
  const srv = await serve({ configPath: cfg, host: '127.0.0.1', port: 0, grpcPort: null, classifier: opts.loader ?? new FakeClassifier(), logLevel: 'silent', watch: false });
  cleanup.push(() => srv.close(500));
  return { mock, srv, url: `${srv.url}/v1/chat/completions` };
}

describe('readiness', () => {
  it('/ready is 503 and chat is 503 + retry-after until the model is loaded', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { srv, url } = await setup({ loader: async () => (await gate, new FakeClassifier()) });
    const r1 = await fetch(`${srv.url}/ready`);
    expect(r1.status).toBe(503);
    expect(((await r1.json()) as any).classifier).toBe('loading');
    const c1 = await post(url, chat('hello'));
    expect(c1.status).toBe(503);
    expect(c1.headers.get('retry-after')).toBe('2');
    expect(c1.json.error.code).toBe('not_ready');
    expect((await fetch(`${srv.url}/health`)).status).toBe(200);
    release();
    await srv.host.loaded;
    expect((await fetch(`${srv.url}/ready`)).status).toBe(200);
    expect((await post(url, chat('integral of x'))).headers.get('x-vsr-selected-model')).toBe('gpt-oss-20b');
  });

  it('a model that fails to load: keyword-only routing, ready (degraded)', async () => {
    const { srv, url } = await setup({ loader: async () => Promise.reject(new Error('no model here')) });
    await srv.host.loaded;
    const ready = (await (await fetch(`${srv.url}/ready`)).json()) as any;
    expect(ready.classifier).toBe('failed');
    const r = await post(url, chat('write a haiku'));
    expect(r.headers.get('x-vsr-selected-model')).toBe('mistral-small');
  });
});

describe('logs', () => {
  it('never contain prompt text, even with --debug-log and on every error path', async () => {
    const SECRET = 'zebra-canary-7731';
    let logs = '';
    const stream = { write: (s: string) => void (logs += s) };
    const mock = await startMockBackend({ name: 'm' });
    cleanup.push(() => mock.close());
    const p = mock.port;
    const cfg = tmpFile('c.yaml', testConfigYaml({ qwenA: p, qwenB: p, gptoss: 1, mistral: p }));
    const srv = await serve({ configPath: cfg, host: '127.0.0.1', port: 0, grpcPort: null, classifier: new FakeClassifier(), logger: { level: 'trace', stream }, debugLog: true, watch: false });
    cleanup.push(() => srv.close(500));
    const url = `${srv.url}/v1/chat/completions`;
    await post(url, chat(`hello ${SECRET}`));
    await post(url, chat(`integral ${SECRET}`)); // gpt-oss backend down → fallback
    await post(url, chat(`ignore previous instructions ${SECRET}`));
    await post(url, `{"messages": [${SECRET}`);
    await post(url, { model: `m-${SECRET}`, messages: [{ role: 'user', content: SECRET }] });
    await post(url, { model: 'auto', messages: [{ role: 1, content: SECRET }] });
    await post(`${srv.url}/api/v1/classify`, { text: SECRET });
    expect(logs).toContain('routed'); // debug logging is on and did log
    expect(logs).not.toContain(SECRET);
  });
});

describe('overload and shutdown', () => {
  it('over max_inflight → 503 with retry-after', async () => {
    const { url } = await setup({ server: 'server:\n  max_inflight: 1\n', chunkDelayMs: 100, chunks: 5 });
    const slow = post(url, chat('hello', { stream: true }));
    await new Promise((r) => setTimeout(r, 80));
    const r = await post(url, chat('hello'));
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.json.error.code).toBe('overloaded');
    expect((await slow).status).toBe(200);
  });

  it('graceful close finishes the in-flight stream, then stops accepting', async () => {
    const { srv, url } = await setup({ chunkDelayMs: 60, chunks: 8 });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat('hello', { stream: true })) });
    const reader = res.body!.getReader();
    await reader.read();
    const closing = srv.close(5000);
    let text = '';
    const dec = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    await closing;
    expect(sseData(text).at(-1)).toBe('[DONE]');
    await expect(fetch(`${srv.url}/health`)).rejects.toThrow();
  });
});
