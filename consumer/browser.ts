/**
 * What the browser consumer tests share: a static server for a built app (with a log of what it served) and a run of
 * the app in Debian Chromium with every request to another host aborted and listed.
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './shared.js';

// `.mjs` too: webpack emits ONNX Runtime's pthread script under that name, and a module worker refuses any other type.
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.onnx': 'application/octet-stream' };

/** What the static server answered: the path asked for, the status, and the bytes of the file served. */
export interface Served {
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
}

export interface StaticServer {
  readonly server: Server;
  readonly origin: string;
  /** Every request, in order (page, workers and their chunks, assets). */
  readonly served: Served[];
  close(): void;
}

/** A static server for a built app on 127.0.0.1; `headers` go on every answer (e.g. COOP/COEP). */
export function serve(root: string, headers: Record<string, string> = {}): Promise<StaticServer> {
  const served: Served[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const stat = file.startsWith(root + sep) ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!stat?.isFile()) {
      served.push({ path, status: 404, bytes: 0 });
      res.writeHead(404).end();
      return;
    }
    served.push({ path, status: 200, bytes: stat.size });
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', ...headers });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served, close: () => server.close() }),
    ),
  );
}

/**
 * Opens `path` of the app in Debian Chromium and waits for its first `console.log` (the snippet's output) or a page
 * error. Every request of the page and its workers passes the route below: only the app's own origin (and inline
 * data:/blob:) may load; anything else is aborted and listed in `elsewhere`.
 */
export async function openInChromium(origin: string, path = '/'): Promise<{ lines: string[]; errors: string[]; elsewhere: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const elsewhere: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const lines: string[] = [];
    const errors: string[] = [];
    page.on('console', (m) => (m.type() === 'log' ? lines.push(m.text()) : undefined));
    page.on('pageerror', (e) => errors.push(e.message));
    const printed = page.waitForEvent('console', { predicate: (m) => m.type() === 'log', timeout: 120_000 });
    await page.goto(`${origin}${path}`);
    await Promise.race([printed, page.waitForEvent('pageerror', { timeout: 120_000 }).then((e) => Promise.reject(e))]);
    return { lines, errors, elsewhere };
  } finally {
    await browser.close();
  }
}
