/**
 * Static files hook for the playground (packages/web-demo/dist): GET and HEAD (the browser model cache revalidates
 * with HEAD: ETag / Last-Modified / size), no directory listing, no path escape, cross-origin isolation headers so
 * ORT-web can use WASM threads.
 * @module
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = Object.freeze({
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
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
});

/** packages/web-demo/dist next to this package, if it was built. */
export function defaultStaticDir(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url)); // src/server or dist/server
  const dir = resolve(here, '..', '..', '..', 'web-demo', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/** Serve `urlPath` from `root`; returns false when there is no such file (the caller answers 404). */
export function serveStatic(root: string, urlPath: string, res: ServerResponse, opts: { head?: boolean; ifNoneMatch?: string | undefined } = {}): boolean {
  let rel: string;
  try {
    rel = decodeURIComponent((urlPath.split('?')[0] ?? '/').replace(/\/+$/, '/'));
  } catch {
    return false;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep) && file !== root) return false;
  let st;
  try {
    st = statSync(file);
  } catch {
    return false;
  }
  if (!st.isFile()) return false;
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    etag,
    'last-modified': st.mtime.toUTCString(),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cache-control': rel.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
  };
  if (opts.ifNoneMatch !== undefined && opts.ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    const { 'content-length': _l, ...rest } = headers;
    res.writeHead(304, rest);
    res.end();
    return true;
  }
  res.writeHead(200, headers);
  if (opts.head) {
    res.end();
    return true;
  }
  createReadStream(file).pipe(res);
  return true;
}
