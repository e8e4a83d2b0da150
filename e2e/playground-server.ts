/**
 * Servers the playground specs start themselves (playwright.config.ts has no webServer):
 * a tiny static server over packages/web-demo/dist (with or without cross-origin isolation headers),
 * and `semroute serve` with its built-in mock backend for Send mode. Both on free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'packages/web-demo/dist');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1:<free port>. `isolated` adds COOP/COEP (SharedArrayBuffer → WASM threads). */
export async function startStatic(opts: { root?: string; isolated?: boolean } = {}): Promise<StaticServer> {
  const root = resolve(opts.root ?? DIST);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root}/index.html not found: run \`pnpm --filter @semroute/web-demo build\` first`);
  }
  const isolated = opts.isolated ?? true;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.split('#')[0]!);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // no-cache + a validator, as `semroute serve` answers: a reload revalidates (304) and reuses the HTTP cache,
    // which is also what lets Chromium reuse its compiled code for ORT's .wasm.
    const st = statSync(file);
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': String(st.size),
      'cache-control': 'no-cache',
      etag,
    };
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
      headers['cross-origin-resource-policy'] = 'same-origin';
    }
    if (req.headers['if-none-match'] === etag) {
      delete headers['content-length'];
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export interface SemrouteServer {
  url: string;
  log(): string;
  close(): Promise<void>;
}

/**
 * Starts `semroute serve` with the bundled model, the default config and the built-in mock backend, all on
 * free ports (the default config's example backends point at 127.0.0.1:8802: a copy of it points them at the
 * mock's port), and waits for /ready.
 */
export async function startSemroute(extraArgs: string[] = [], timeoutMs = 90_000): Promise<SemrouteServer> {
  const port = await freePort();
  const mockPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'semroute-e2e-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, readFileSync(join(ROOT, 'packages/core/config/default.yaml'), 'utf8').replaceAll('127.0.0.1:8802', `127.0.0.1:${mockPort}`));
  const bin = join(ROOT, 'packages/node-adapter/bin/semroute.js');
  const args = [bin, 'serve', '--config', config, '--mock', '--host', '127.0.0.1', '--port', String(port), '--mock-port', String(mockPort), '--no-grpc', '--no-watch', ...extraArgs];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`semroute serve exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > timeoutMs) {
      child.kill('SIGTERM');
      throw new Error(`semroute serve not ready after ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    log: () => out,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
