/**
 * Integration: upstream faults (killed backend, 5xx, stream cut mid-way, client abort) and config hot reload.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { FakeClassifier, chat, post, sseData, testConfigYaml, tmpFile } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => {});
});

async function setup(mockOpts: Partial<Record<'qa' | 'qb' | 'go' | 'mi', Parameters<typeof startMockBackend>[0]>> = {}) {
  const m: Record<string, MockBackend> = {};
  for (const k of ['qa', 'qb', 'go', 'mi'] as const) {
    m[k] = await startMockBackend({ name: k, ...mockOpts[k] });
    const mk = m[k]!;
    cleanup.push(() => mk.close());
  }
  const cfgText = testConfigYaml({ qwenA: m.qa!.port, qwenB: m.qb!.port, gptoss: m.go!.port, mistral: m.mi!.port }, 'server:\n  connect_timeout_ms: 500\n  first_byte_timeout_ms: 600\n  idle_timeout_ms: 1000\n');
  const cfg = tmpFile('config.yaml', cfgText);
  const srv: RunningServer = await serve({ configPath: cfg, host: '127.0.0.1', port: 0, grpcPort: null, classifier: new FakeClassifier(), logLevel: 'silent', watch: true });
  cleanup.push(() => srv.close(500));
  return { m: m as Record<'qa' | 'qb' | 'go' | 'mi', MockBackend>, srv, url: `${srv.url}/v1/chat/completions`, cfg, cfgText };
}

describe('upstream faults', () => {
  it('a killed backend: retried on the other backend of the same model', async () => {
    const { m, url, srv } = await setup();
    await m.qa.close();
    // Backends are picked by weight (50/50), so a run of requests may all pick qb first: keep sending until one has
    // picked the dead qa and been retried (1 in 2^30 to need more than 30).
    const retried = /semroute_upstream_retries_total\{reason="[a-z_]+"\} [1-9]/;
    let metrics = '';
    for (let i = 0; i < 30 && !retried.test(metrics); i++) {
      const r = await post(url, chat('hello'));
      expect(r.status).toBe(200);
      expect(r.json.mock_echo.backend).toBe('qb');
      metrics = await (await fetch(`${srv.url}/metrics`)).text();
    }
    expect(metrics).toMatch(retried);
  });

  it('5xx before the first byte: retried on another backend', async () => {
    const { m, url } = await setup({ qa: { failureRate: 1 } });
    for (let i = 0; i < 4; i++) {
      const r = await post(url, chat('hello'));
      expect(r.status).toBe(200);
      expect(r.json.mock_echo.backend).toBe('qb');
    }
    expect(m.qa.received.length + m.qb.received.length).toBeGreaterThanOrEqual(4);
  });

  it("the model's only backend down: the decision's next modelRef serves", async () => {
    const { m, url } = await setup();
    await m.go.close();
    const r = await post(url, chat('Solve this integral'));
    expect(r.status).toBe(200);
    expect(['qa', 'qb']).toContain(r.json.mock_echo.backend);
    expect(r.json.mock_echo.model).toBe('qwen3-8b-instruct');
    expect(r.headers.get('x-vsr-selected-model')).toBe('qwen3-8b');
  });

  it('everything down: 502 OpenAI error', async () => {
    const { m, url } = await setup();
    await Promise.all([m.qa.close(), m.qb.close(), m.go.close(), m.mi.close()]);
    const r = await post(url, chat('hello'));
    expect(r.status).toBe(502);
    expect(r.json.error.type).toBe('upstream_error');
    expect(r.headers.get('x-vsr-response-path')).toBe('error');
  });

  it('first-byte timeout counts as a failure and is retried', async () => {
    const { m, url } = await setup({ qa: { latencyMs: 2000 } });
    const t0 = Date.now();
    for (let i = 0; i < 2; i++) {
      const r = await post(url, chat('hello'));
      expect(r.status).toBe(200);
      expect(r.json.mock_echo.backend).toBe('qb');
    }
    expect(Date.now() - t0).toBeLessThan(3000);
    void m;
  });

  it('stream cut mid-way ends with a clean SSE error event', async () => {
    const { url } = await setup({ go: { cutAfterChunks: 2, chunks: 6 } });
    const r = await post(url, chat('integral of x', { stream: true }));
    expect(r.status).toBe(200);
    const events = sseData(r.text);
    expect(events.at(-1)).toBe('[DONE]');
    const err = JSON.parse(events.at(-2)!);
    expect(err.error.code).toBe('upstream_stream_broken');
    // everything before the error is a whole chunk
    for (const e of events.slice(0, -2)) expect(JSON.parse(e).object).toBe('chat.completion.chunk');
  });

  it('idle timeout mid-stream ends the stream with an SSE error event', async () => {
    const { url } = await setup({ go: { chunkDelayMs: 1400, chunks: 3 } });
    const t0 = Date.now();
    const r = await post(url, chat('integral of x', { stream: true }));
    const events = sseData(r.text);
    expect(JSON.parse(events.at(-2)!).error.code).toBe('upstream_stream_broken');
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('client abort aborts the upstream request', async () => {
    const { m, url, srv } = await setup({ go: { chunkDelayMs: 100, chunks: 100 } });
    const ac = new AbortController();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat('integral', { stream: true })), signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    const t0 = Date.now();
    while (m.go.aborted === 0 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 50));
    expect(m.go.aborted).toBe(1);
    expect(srv.app.inflight()).toBe(0);
  });
});

describe('config hot reload', () => {
  it('a valid change is swapped in; an invalid one keeps the old config', async () => {
    const { url, cfg, cfgText, srv } = await setup();
    const before = await post(url, chat('Write a haiku'));
    expect(before.headers.get('x-vsr-selected-model')).toBe('mistral-small');
    writeFileSync(cfg, cfgText.replace('modelRefs: [{model: mistral-small, use_reasoning: true, reasoning_effort: low}]', 'modelRefs: [{model: gpt-oss-20b}]'));
    const waitFor = async (pred: () => Promise<boolean>) => {
      const t0 = Date.now();
      while (!(await pred())) {
        if (Date.now() - t0 > 5000) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor(async () => (await post(url, chat('Write a haiku'))).headers.get('x-vsr-selected-model') === 'gpt-oss-20b');
    writeFileSync(cfg, 'providers: {defaults: {default_model: nope}, models: []}\nrouting: [oops\n');
    await waitFor(async () => /semroute_config_reloads_total\{result="invalid"\} 1/.test(await (await fetch(`${srv.url}/metrics`)).text()));
    const after = await post(url, chat('Write a haiku'));
    expect(after.status).toBe(200);
    expect(after.headers.get('x-vsr-selected-model')).toBe('gpt-oss-20b');
  });
});
