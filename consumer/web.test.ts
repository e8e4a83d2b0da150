/**
 * Browser and edge: `npm i @semroute/core @semroute/model-mini` in a fresh folder outside the workspace (no
 * onnxruntime-node anywhere in it). The README's browser snippet is the module of a minimal Vite app, built with Vite
 * and opened in Debian Chromium: it routes a prompt with the model files Vite emitted from the package, and makes no
 * request to any other host; the same from the Vite dev server. The README's edge snippet runs in Deno and Bun against
 * the same install.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type StaticServer, openInChromium, serve } from './browser.js';
import { TOOLS, duBytes, findDirs, npmInstall, differsFromReadme, readmeSnippet, run } from './shared.js';

const work = inject('consumerWork');
const tarballs = inject('tarballs');
const app = join(work, 'web-app');

/** A TCP port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers HTTP 200, or rejects after `ms`. */
async function waitForHttp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('browser and edge consumer (npm i @semroute/core @semroute/model-mini)', () => {
  beforeAll(() => {
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'web-app', private: true, type: 'module' }));
    npmInstall(app, [tarballs['@semroute/core']!, tarballs['@semroute/model-mini']!]);
    console.log(`browser/edge consumer install: ${(duBytes(join(app, 'node_modules')) / 2 ** 20).toFixed(0)} MiB in node_modules`);
  });

  it('contains no onnxruntime-node at all', () => {
    expect(findDirs(join(app, 'node_modules'), 'onnxruntime-node')).toEqual([]);
    expect(run('npm', ['ls', '--all', '--parseable'], app)).not.toMatch(/onnxruntime-node/);
  });

  describe("the README's browser snippet in a minimal Vite app, in Chromium", () => {
    let server: StaticServer | undefined;
    beforeAll(() => {
      writeFileSync(join(app, 'index.html'), '<!doctype html>\n<html><body><script type="module" src="/src/main.js"></script></body></html>\n');
      writeFileSync(join(app, 'src', 'main.js'), readmeSnippet('browser'));
    });
    afterAll(() => server?.close());

    it('builds with Vite (model files emitted as assets from the package) and routes offline, same origin only', async () => {
      run(process.execPath, [TOOLS.vite(), 'build', '--logLevel', 'warn'], app);
      const assets = readdirSync(join(app, 'dist', 'assets'));
      expect(assets.some((f) => /^model_quantized-.*\.onnx$/.test(f))).toBe(true);
      server = await serve(join(app, 'dist'));
      const page = await openInChromium(server.origin);
      expect(page.errors).toEqual([]);
      expect(page.lines).toHaveLength(1);
      expect(differsFromReadme(page.lines[0]!)).toEqual([]);
      expect(page.elsewhere).toEqual([]);
    });

    it('routes from the Vite dev server too, with no Vite config', async () => {
      const port = await freePort();
      const dev = spawn(process.execPath, [TOOLS.vite(), '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--logLevel', 'warn'], { cwd: app, stdio: 'ignore' });
      try {
        const origin = `http://127.0.0.1:${port}`;
        await waitForHttp(origin, 60_000);
        const page = await openInChromium(origin);
        expect(page.errors).toEqual([]);
        expect(page.lines).toHaveLength(1);
        expect(differsFromReadme(page.lines[0]!)).toEqual([]);
        expect(page.elsewhere).toEqual([]);
      } finally {
        dev.kill();
      }
    });
  });

  it.each(['deno', 'bun'] as const)("runs the README's edge snippet verbatim in %s", (runtime) => {
    writeFileSync(join(app, 'edge.mjs'), readmeSnippet('edge'));
    const args = runtime === 'deno' ? ['run', '--allow-read', '--allow-env', 'edge.mjs'] : ['edge.mjs'];
    const out = run(TOOLS[runtime](), args, app, { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(work, 'deno-cache') });
    expect(differsFromReadme(out)).toEqual([]);
  });
});
