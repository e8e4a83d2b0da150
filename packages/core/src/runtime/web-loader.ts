/**
 * Fetching model files in the browser (inside the worker): streamed with byte progress, kept in the Cache API
 * so a second visit starts without downloading. A cached entry is revalidated with a cheap HEAD request
 * (ETag / Last-Modified / Content-Length) so a replaced model is picked up; offline, the cached copy is used.
 * @module
 */
import { ClassifierError } from '../errors.js';
import { runtimeEnv } from './env.js';
import type { ProgressCallback } from './progress.js';
import { fetchOk } from './artifacts.js';

export const DEFAULT_CACHE_NAME = 'semroute-models-v1';

export interface FetchOptions {
  /** Cache API cache name, or false to bypass the cache. */
  readonly cache: string | false;
  readonly onProgress?: ProgressCallback | undefined;
  /** Name reported in progress events. */
  readonly file: string;
}

const validator = (h: Headers): string => h.get('etag') ?? h.get('last-modified') ?? h.get('content-length') ?? '';

export async function fetchBytes(url: string, o: FetchOptions): Promise<Uint8Array> {
  // The Cache API holds http(s) requests only; data: and blob: URLs (small bundler-inlined assets) are read directly.
  const cacheName = runtimeEnv.HAS_CACHE_API && /^https?:/i.test(url) ? o.cache : false;
  const cache = cacheName !== false ? await caches.open(cacheName).catch(() => null) : null;
  if (cache) {
    const hit = await cache.match(url);
    if (hit) {
      // The cached body is read while the HEAD revalidates it (a warm load's model read is on its critical path).
      const cached = hit.arrayBuffer();
      cached.catch(() => undefined); // awaited below when fresh; a stale copy's read is dropped
      let fresh = true;
      try {
        const head = await fetch(url, { method: 'HEAD', cache: 'no-store' });
        if (head.ok) fresh = validator(head.headers) === validator(hit.headers);
      } catch {
        // offline: the cached copy is what we have
      }
      if (fresh) {
        const bytes = new Uint8Array(await cached);
        o.onProgress?.({ phase: 'cache', file: o.file, loaded: bytes.byteLength, total: bytes.byteLength });
        return bytes;
      }
    }
  }
  const res = await fetchOk(url);
  const total = Number(res.headers.get('content-length') ?? 0) || 0;
  const bytes = await readWithProgress(res, total, o);
  if (cache) {
    const headers = new Headers();
    for (const k of ['etag', 'last-modified', 'content-type']) {
      const v = res.headers.get(k);
      if (v) headers.set(k, v);
    }
    headers.set('content-length', String(bytes.byteLength));
    await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch(() => undefined); // quota: just don't cache
  }
  return bytes;
}

async function readWithProgress(res: Response, total: number, o: FetchOptions): Promise<Uint8Array> {
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    o.onProgress?.({ phase: 'fetch', file: o.file, loaded: b.byteLength, total: total || b.byteLength });
    return b;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let lastReport = -Infinity;
  o.onProgress?.({ phase: 'fetch', file: o.file, loaded: 0, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (loaded - lastReport >= 1 << 20) {
      lastReport = loaded;
      o.onProgress?.({ phase: 'fetch', file: o.file, loaded, total });
    }
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  o.onProgress?.({ phase: 'fetch', file: o.file, loaded, total: total || loaded });
  return out;
}

export async function fetchJson(url: string, o: FetchOptions): Promise<unknown> {
  const bytes = await fetchBytes(url, o);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new ClassifierError(`${o.file} is not valid JSON (${url})`, { cause });
  }
}
