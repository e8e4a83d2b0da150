/**
 * Integration: the semantic response cache in the Node server (memory backend): hits with the vSR headers, SSE
 * replay, scoping, what is not cached, and the Prometheus metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { FakeClassifier, chat, post, sseData, testConfigYaml, tmpFile } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => {});
});

export const CACHE_YAML = `global:
  stores:
    response_cache: {enabled: true, similarity_threshold: 0.8, max_entries: 100}
`;

/** The test config with a response_cache plugin on every routed (non-blocking) decision. */
export function cachedConfigYaml(ports: Parameters<typeof testConfigYaml>[0], store = CACHE_YAML): string {
  const doc = parse(testConfigYaml(ports, store)) as { routing: { decisions: { name: string; plugins?: unknown[] }[] } };
  for (const d of doc.routing.decisions) {
    if (d.name.startsWith('block_')) continue;
    d.plugins = [{ type: 'response_cache', configuration: { enabled: true } }, ...(d.plugins ?? [])];
  }
  return stringify(doc);
}

export async function cachedServer(opts: { mock?: Parameters<typeof startMockBackend>[0]; store?: string } = {}) {
  const m: Record<string, MockBackend> = {};
  for (const k of ['qa', 'qb', 'go', 'mi'] as const) {
    m[k] = await startMockBackend({ name: k, numbered: true, ...opts.mock });
    const mk = m[k]!;
    cleanup.push(() => mk.close());
  }
  const cfg = tmpFile('config.yaml', cachedConfigYaml({ qwenA: m.qa!.port, qwenB: m.qb!.port, gptoss: m.go!.port, mistral: m.mi!.port }, opts.store));
  const srv: RunningServer = await serve({ configPath: cfg, host: '127.0.0.1', port: 0, grpcPort: null, classifier: new FakeClassifier(), logLevel: 'silent', watch: false });
  cleanup.push(() => srv.close(500));
  const received = () => Object.values(m).reduce((n, b) => n + b.received.length, 0);
  return { m, srv, url: `${srv.url}/v1/chat/completions`, received };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('response cache (Node server, memory backend)', () => {
  it('a repeat and a rewording hit (same answer, x-vsr-cache-hit / similarity); a near miss does not', async () => {
    const { url, received, srv } = await cachedServer();
    const first = await post(url, chat('Solve this integral of x squared step by step'));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-vsr-cache-hit')).toBe('false');
    await settle();
    const again = await post(url, chat('Solve this integral of x squared step by step'));
    expect(again.headers.get('x-vsr-cache-hit')).toBe('true');
    expect(Number(again.headers.get('x-vsr-cache-similarity'))).toBeGreaterThan(0.99);
    expect(again.headers.get('x-vsr-response-path')).toBe('cache');
    expect(again.headers.get('x-vsr-selected-decision')).toBe('math_route');
    expect(again.json.choices[0].message.content).toBe(first.json.choices[0].message.content);
    const reworded = await post(url, chat('step by step, solve this integral of x squared'));
    expect(reworded.headers.get('x-vsr-cache-hit')).toBe('true');
    const near = await post(url, chat('Solve this integral of x cubed step by step'));
    expect(near.headers.get('x-vsr-cache-hit')).toBe('false');
    expect(received()).toBe(2);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/semroute_cache_lookups_total\{decision="math_route",outcome="hit"\} 2/);
    expect(metrics).toMatch(/semroute_cache_lookups_total\{decision="math_route",outcome="miss"\} 2/);
    expect(metrics).toMatch(/semroute_cache_entries 2/);
    expect(metrics).toMatch(/semroute_cache_lookup_duration_seconds_count\{outcome="hit"\} 2/);
    expect(metrics).toMatch(/semroute_requests_total\{decision="math_route",model="gpt-oss-20b",response_path="cache",status="200"\} 2/);
  });

  it('a streamed answer is stored when complete and a streamed repeat replays as SSE ending in [DONE]', async () => {
    const { url, received } = await cachedServer();
    const first = await post(url, chat('write a haiku about rain', { stream: true }));
    const text = (t: string) =>
      sseData(t)
        .filter((d) => d !== '[DONE]')
        .map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? '')
        .join('');
    await settle();
    const again = await post(url, chat('write a haiku about rain', { stream: true }));
    expect(again.headers.get('x-vsr-cache-hit')).toBe('true');
    expect(again.headers.get('content-type')).toBe('text/event-stream');
    expect(sseData(again.text).at(-1)).toBe('[DONE]');
    expect(text(again.text)).toBe(text(first.text));
    expect(received()).toBe(1);
  });

  it('a stream cut mid-way is not stored', async () => {
    const { url, received } = await cachedServer({ mock: { cutAfterChunks: 2 } });
    await post(url, chat('write a poem about snow', { stream: true }));
    await settle();
    const again = await post(url, chat('write a poem about snow', { stream: true }));
    expect(again.headers.get('x-vsr-cache-hit')).toBe('false');
    expect(received()).toBe(2);
  });

  it('answers cut at max tokens are not stored; other API keys never see an entry', async () => {
    const cut = await cachedServer({ mock: { finishReason: 'length' } });
    await post(cut.url, chat('write a poem about the sea'));
    await settle();
    expect((await post(cut.url, chat('write a poem about the sea'))).headers.get('x-vsr-cache-hit')).toBe('false');

    const { url, received } = await cachedServer();
    await post(url, chat('write a poem about the sea'), { authorization: 'Bearer alice' });
    await settle();
    expect((await post(url, chat('write a poem about the sea'), { authorization: 'Bearer bob' })).headers.get('x-vsr-cache-hit')).toBe('false');
    expect((await post(url, chat('write a poem about the sea'), { authorization: 'Bearer alice' })).headers.get('x-vsr-cache-hit')).toBe('true');
    expect(received()).toBe(2);
  });
});
