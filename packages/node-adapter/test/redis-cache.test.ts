/**
 * Integration: the response cache shared by two router replicas through a real redis-server (Debian's, no modules)
 * on a loopback port; Redis killed mid-run: requests still succeed and the errors are counted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedServer, chat, post } from './helpers.js';

const REDIS = spawnSync('redis-server', ['--version']).status === 0;
if (!REDIS) throw new Error('redis-server is not installed: `apt-get install -y redis-server` (scripts/bootstrap.mjs installs it for `npm test`)');

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => {});
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 5 s')), 5000);
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    p.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return p;
}

const stop = (p: ChildProcess) =>
  new Promise<void>((r) => {
    if (p.exitCode !== null || p.signalCode !== null) return r();
    p.once('exit', () => r());
    p.kill('SIGKILL');
  });

const store = (port: number, extra = '') => `global:
  stores:
    response_cache:
      enabled: true
      backend_type: redis
      similarity_threshold: 0.8
      max_entries: 3
      redis: {address: "127.0.0.1:${port}", key_prefix: "t${port}:", timeout_ms: 200}
${extra}`;

async function until(f: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('response cache on Redis (two replicas)', () => {
  it('a second replica gets the hit; max_entries holds across replicas', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    cleanup.push(() => stop(redis));
    const a = await cachedServer(cleanup, { store: store(port) });
    const b = await cachedServer(cleanup, { store: store(port) });
    const first = await post(a.url, chat('Solve this integral of x squared step by step'));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-vsr-cache-hit')).toBe('false');
    // b learns of the entry through the Redis stream (its mirror); then it answers from the cache, without its backends.
    expect(await until(async () => /semroute_cache_entries 1\b/.test(await (await fetch(`${b.srv.url}/metrics`)).text()))).toBe(true);
    const hit = await post(b.url, chat('Solve this integral of x squared step by step'));
    expect(hit.headers.get('x-vsr-cache-hit')).toBe('true');
    expect(hit.json.choices[0].message.content).toBe(first.json.choices[0].message.content);
    expect(b.received()).toBe(0);
    // three more prompts on either replica: max_entries 3 evicts the oldest everywhere
    for (const [srv, p] of [[a, 'write a poem about rain'], [b, 'write a poem about snow'], [a, 'write a poem about wind']] as const) {
      expect((await post(srv.url, chat(p))).status).toBe(200);
    }
    // (answers are stored after they are sent: poll)
    const evictions = async () => (await Promise.all([a, b].map(async (s) => (await fetch(`${s.srv.url}/metrics`)).text()))).join('\n');
    expect(await until(async () => /semroute_cache_evictions_total [1-9]/.test(await evictions()))).toBe(true);
    expect(
      await until(async () => (await post(b.url, chat('Solve this integral of x squared step by step'))).headers.get('x-vsr-cache-hit') === 'false'),
    ).toBe(true);
  });

  it('Redis killed mid-run: requests still succeed (cache bypassed, errors counted); it recovers when Redis returns', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    cleanup.push(() => stop(redis));
    const a = await cachedServer(cleanup, { store: store(port) });
    await post(a.url, chat('write a haiku about rain'));
    expect(await until(async () => (await post(a.url, chat('write a haiku about rain'))).headers.get('x-vsr-cache-hit') === 'true')).toBe(true);
    await stop(redis);
    for (const prompt of ['write a haiku about rain', 'write a haiku about fog', 'write a haiku about fog']) {
      const t0 = performance.now();
      const r = await post(a.url, chat(prompt));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-vsr-cache-hit')).toBe('false');
      expect(performance.now() - t0).toBeLessThan(2000);
    }
    const metrics = await (await fetch(`${a.srv.url}/metrics`)).text();
    expect(metrics).toMatch(/semroute_cache_errors_total\{op="(get|put)",code="(disconnected|timeout)"\} [1-9]/);
    expect(metrics).toMatch(/semroute_cache_bypass_total\{decision="poetry_route",reason="backend_error"\} [1-9]/);
    redis = await startRedis(port);
    await post(a.url, chat('write a haiku about dew'));
    expect(await until(async () => (await post(a.url, chat('write a haiku about dew'))).headers.get('x-vsr-cache-hit') === 'true', 5000)).toBe(true);
  });
});
