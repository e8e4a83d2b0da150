/**
 * Safe defaults: `serve()` listens on loopback for HTTP and gRPC unless told otherwise, so a router on a laptop is not
 * open to its network; `host: 0.0.0.0` (what the container images set) listens everywhere.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { serve } from '../src/serve.js';
import { DEFAULT_SETTINGS } from '../src/settings.js';
import { FakeClassifier, testConfigYaml, tmpFile } from './helpers.js';

/** Resolves true when a TCP connection to host:port opens, false when it is refused or times out. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2_000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** An IPv4 address of this machine that is not loopback (undefined on a machine with none). */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const cfg = () => tmpFile('c.yaml', testConfigYaml({ qwenA: 9, qwenB: 9, gptoss: 9, mistral: 9 }));
const start = (host?: string) =>
  serve({ configPath: cfg(), ...(host ? { host } : {}), port: 0, grpcPort: 0, classifier: new FakeClassifier(), logLevel: 'silent', watch: false });

describe('listening address', () => {
  it('defaults to 127.0.0.1', () => {
    expect(DEFAULT_SETTINGS.host).toBe('127.0.0.1');
  });

  it('HTTP and gRPC listen on loopback only by default', async () => {
    const srv = await start();
    try {
      expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(srv.app.fastify.server.address()).toMatchObject({ address: '127.0.0.1' });
      expect(await reachable('127.0.0.1', srv.port)).toBe(true);
      expect(await reachable('127.0.0.1', srv.extProc!.port)).toBe(true);
      if (lanAddress) {
        expect(await reachable(lanAddress, srv.port)).toBe(false);
        expect(await reachable(lanAddress, srv.extProc!.port)).toBe(false);
      }
    } finally {
      await srv.close(200);
    }
  });

  it('the config file`s server.host is honoured, and host 0.0.0.0 listens on every interface', async () => {
    const fromFile = await serve({
      configPath: tmpFile('c.yaml', `server:\n  host: 0.0.0.0\n${testConfigYaml({ qwenA: 9, qwenB: 9, gptoss: 9, mistral: 9 })}`),
      port: 0,
      grpcPort: 0,
      classifier: new FakeClassifier(),
      logLevel: 'silent',
      watch: false,
    });
    try {
      expect(fromFile.app.fastify.server.address()).toMatchObject({ address: '0.0.0.0' });
      expect(fromFile.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      if (lanAddress) {
        expect(await reachable(lanAddress, fromFile.port)).toBe(true);
        expect(await reachable(lanAddress, fromFile.extProc!.port)).toBe(true);
      }
    } finally {
      await fromFile.close(200);
    }
  });
});
