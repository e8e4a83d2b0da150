/**
 * Integration: the semantic response cache in the Node server (memory backend): hits with the vSR headers, SSE
 * replay, scoping, what is not cached, and the Prometheus metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cachedServer, chat, post, sseData } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => {});
});

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('response cache (Node server, memory backend)', () => {
  it('a repeat and a rewording hit (same answer, x-vsr-cache-hit / similarity); a near miss does not', async () => {
    const { url, received, srv } = await cachedServer(cleanup);
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
    const { url, received } = await cachedServer(cleanup);
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
    const { url, received } = await cachedServer(cleanup, { mock: { cutAfterChunks: 2 } });
    await post(url, chat('write a poem about snow', { stream: true }));
    await settle();
    const again = await post(url, chat('write a poem about snow', { stream: true }));
    expect(again.headers.get('x-vsr-cache-hit')).toBe('false');
    expect(received()).toBe(2);
  });

  it('answers cut at max tokens are not stored; other API keys never see an entry', async () => {
    const cut = await cachedServer(cleanup, { mock: { finishReason: 'length' } });
    await post(cut.url, chat('write a poem about the sea'));
    await settle();
    expect((await post(cut.url, chat('write a poem about the sea'))).headers.get('x-vsr-cache-hit')).toBe('false');

    const { url, received } = await cachedServer(cleanup);
    await post(url, chat('write a poem about the sea'), { authorization: 'Bearer alice' });
    await settle();
    expect((await post(url, chat('write a poem about the sea'), { authorization: 'Bearer bob' })).headers.get('x-vsr-cache-hit')).toBe('false');
    expect((await post(url, chat('write a poem about the sea'), { authorization: 'Bearer alice' })).headers.get('x-vsr-cache-hit')).toBe('true');
    expect(received()).toBe(2);
  });
});
