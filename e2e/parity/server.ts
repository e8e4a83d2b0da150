/**
 * Static server for the parity harness, on a free loopback port. Paths under /coi/ are served with
 * cross-origin isolation headers (COOP/COEP), the same files without the prefix are served without them.
 *   /            → build dir (index.html, app.js, worker.js)
 *   /ort/        → onnxruntime-web/dist (wasm + glue)
 *   /models/semroute-mini/ → the model under test ($SEMROUTE_MODEL_DIR or <repo>/models/semroute-mini)
 *   /models/semroute-plus/ → <repo>/models/semroute-plus (the server model with its domain tower; its index.js too)
 *   /fixtures/   → e2e/fixtures
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require_ = createRequire(join(ROOT, 'packages/core/package.json'));
export const ORT_DIST = dirname(require_.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json',
};

/** The model under test: $SEMROUTE_MODEL_DIR or the bundled models/semroute-mini. */
export const MODEL_DIR = resolve(process.env.SEMROUTE_MODEL_DIR ?? join(ROOT, 'models/semroute-mini'));

/** The server model: semroute-mini's graph plus a domain tower under towers/use-lite/ (package @semroute/model-plus). */
export const PLUS_DIR = join(ROOT, 'models/semroute-plus');

export interface ServerOptions {
  /** Served as /models/semroute-mini/ (default {@link MODEL_DIR}). */
  readonly modelDir?: string;
  /** Called with each request's method and path (the /coi/ prefix removed), before it is answered. */
  readonly onRequest?: (method: string, path: string) => void;
  /** More folders, by URL prefix (`/models/x/` → a directory), e.g. a test model made for the run. */
  readonly mounts?: Readonly<Record<string, string>>;
}

export async function startServer(buildDir: string, o: ServerOptions = {}): Promise<{ url: string; server: Server }> {
  const mounts: Array<[string, string]> = [
    ['/ort/', ORT_DIST],
    ['/models/semroute-mini/', o.modelDir ?? MODEL_DIR],
    ['/models/semroute-plus/', PLUS_DIR],
    ['/fixtures/', join(ROOT, 'e2e/fixtures')],
    ...Object.entries(o.mounts ?? {}),
    ['/', buildDir],
  ];
  const server = createServer((req, res) => {
    let path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const isolated = path.startsWith('/coi/');
    if (isolated) path = path.slice(4);
    o.onRequest?.(req.method ?? 'GET', path);
    if (isolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-cache');
    if (path === '/' || path === '') path = '/index.html';
    const mount = mounts.find(([p]) => path.startsWith(p))!;
    const rel = normalize(path.slice(mount[0].length));
    const file = join(mount[1], rel);
    if (rel.startsWith('..') || !(file + sep).startsWith(mount[1] + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    const st = statSync(file);
    res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(st.size));
    res.setHeader('Last-Modified', st.mtime.toUTCString());
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
