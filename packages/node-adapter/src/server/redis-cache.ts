/**
 * The response cache's Redis backend: several router replicas share one cache through a plain Redis (no modules).
 *
 * Layout (all keys under `key_prefix`):
 * - `e:<id>` — a hash per entry: the answer (`body`), its bucket, int8 vector (`vec`, base64) + `scale`, the prompt's
 *   hashed word signature (`sig`) and decision; it expires with `ttl_seconds` (PEXPIRE).
 * - `order` — a sorted set of entry ids scored by last use (LRU) or store time (FIFO); past `max_entries` the lowest
 *   scores are removed, which bounds the entries across all replicas.
 * - `log` — a stream of `put` (id, bucket, vector, signature, expiry) and `del` (id) events, trimmed to about
 *   2 × `max_entries`.
 *
 * Each replica keeps a local mirror of the vectors and signatures (no answers), built from the stream at start and
 * kept current by a blocking `XREAD` on its own connection; a lookup scans the mirror in process (no Redis round trip)
 * and fetches only the chosen answer (`HGET`). A mirror entry whose hash has expired or been evicted is a miss and is
 * dropped. Redis down: the commands fail fast (no offline queue, `timeout_ms`), the cache counts an error and the
 * request goes upstream; the reader reconnects and resumes from the last event it saw.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  MemoryCacheStore,
  type CacheBackend,
  type CacheCandidate,
  type CacheEntryData,
  type CacheSize,
  type PromptSignature,
  type QuantizedVector,
  type ResponseCacheConfig,
} from '@semroute/core';

export interface RedisCacheOptions {
  /** Reads `redis.password_env` (default: `process.env`). */
  readonly getSecret?: (name: string) => string | undefined;
  /** Called on a failed background operation (the log reader); names and codes only. */
  readonly onError?: (op: string, code: string) => void;
}

/** `host:port`, `redis://…` or `rediss://…` → ioredis options. */
export function redisOptions(cfg: ResponseCacheConfig, getSecret: (name: string) => string | undefined): RedisOptions {
  const r = cfg.redis;
  const address = /^rediss?:\/\//.test(r.address) ? new URL(r.address) : new URL(`redis://${r.address}`);
  const password = r.password_env ? getSecret(r.password_env) : undefined;
  return {
    host: address.hostname.replace(/^\[|\]$/g, ''),
    port: address.port ? Number(address.port) : 6379,
    db: r.db,
    ...(password ? { password } : address.password ? { password: decodeURIComponent(address.password) } : {}),
    ...(address.username ? { username: decodeURIComponent(address.username) } : {}),
    ...(address.protocol === 'rediss:' ? { tls: {} } : {}),
    lazyConnect: false,
    // Fail fast while disconnected: a request must never wait for Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1000, r.timeout_ms * 4),
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

const b64 = (q: Int8Array) => Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
const fromB64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Int8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') return code.toLowerCase();
  const name = e instanceof Error ? e.message : '';
  if (/timed? ?out/i.test(name)) return 'timeout';
  if (/offline queue|not connected|connection is closed|isn't writeable|ECONNREFUSED/i.test(name)) return 'disconnected';
  return 'error';
}

/** A `CacheBackend` over Redis with a local mirror of the vectors (see the module comment). */
export class RedisCacheBackend implements CacheBackend {
  readonly kind = 'redis';
  readonly #cfg: ResponseCacheConfig;
  readonly #prefix: string;
  readonly #client: Redis;
  readonly #reader: Redis;
  readonly #mirror: MemoryCacheStore;
  readonly #onError: (op: string, code: string) => void;
  #lastId = '0-0';
  #everReady = false;
  #closed = false;
  #readerLoop: Promise<void> | undefined;
  #synced: Promise<void>;
  #markSynced!: () => void;

  constructor(cfg: ResponseCacheConfig, opts: RedisCacheOptions = {}) {
    this.#cfg = cfg;
    this.#prefix = cfg.redis.key_prefix;
    this.#onError = opts.onError ?? (() => undefined);
    const base = redisOptions(cfg, opts.getSecret ?? ((n) => process.env[n]));
    this.#client = new Redis({ ...base, commandTimeout: cfg.redis.timeout_ms });
    // The reader blocks in XREAD: no command timeout, and it may queue its one command while reconnecting.
    this.#reader = new Redis({ ...base, enableOfflineQueue: true, maxRetriesPerRequest: null });
    for (const c of [this.#client, this.#reader]) c.on('error', () => undefined); // counted where a call fails
    this.#client.once('ready', () => (this.#everReady = true));
    this.#mirror = new MemoryCacheStore({ maxEntries: cfg.max_entries, maxBytes: Number.MAX_SAFE_INTEGER, ttlMs: cfg.ttl_seconds * 1000, eviction: cfg.eviction_policy, idPrefix: 'mirror-' });
    this.#synced = new Promise((resolve) => (this.#markSynced = resolve));
    this.#readerLoop = this.#follow();
  }

  /** Resolves once the mirror has read the whole log (tests, warm-up). */
  synced(): Promise<void> {
    return this.#synced;
  }

  #key(suffix: string): string {
    return `${this.#prefix}${suffix}`;
  }

  async search(bucket: string, query: QuantizedVector, threshold: number, limit: number): Promise<readonly CacheCandidate[]> {
    return this.#mirror.searchSync(bucket, query, threshold, limit);
  }

  /**
   * While the first connection is being made, a call waits for it (at most `timeout_ms`); later, while Redis is down,
   * calls fail at once (no request waits on a reconnecting Redis).
   */
  async #connected(): Promise<void> {
    if (this.#everReady || this.#client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#client.off('ready', ok);
        reject(Object.assign(new Error('redis: not connected'), { code: 'disconnected' }));
      }, this.#cfg.redis.timeout_ms);
      const ok = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#client.once('ready', ok);
    });
  }

  async get(id: string): Promise<string | undefined> {
    await this.#connected();
    const body = await this.#client.hget(this.#key(`e:${id}`), 'body').catch(rethrow);
    if (body === null) {
      this.#mirror.delete(id);
      return undefined;
    }
    if (this.#cfg.eviction_policy === 'lru') {
      this.#mirror.getSync(id);
      // Best effort: a failed touch only makes the LRU order slightly stale.
      this.#client.zadd(this.#key('order'), 'XX', Date.now(), id).catch(() => undefined);
    }
    return body;
  }

  async put(entry: CacheEntryData): Promise<{ evicted: number }> {
    await this.#connected();
    const id = randomUUID();
    const ttlMs = this.#cfg.ttl_seconds * 1000;
    const expiresAt = ttlMs > 0 ? Date.now() + ttlMs : 0;
    const vec = b64(entry.vector.q);
    const sig = JSON.stringify(entry.signature);
    const key = this.#key(`e:${id}`);
    const m = this.#client.multi();
    m.hset(key, { body: entry.body, bucket: entry.bucket, vec, scale: String(entry.vector.scale), sig, decision: entry.decision });
    if (ttlMs > 0) m.pexpire(key, ttlMs);
    m.zadd(this.#key('order'), Date.now(), id);
    m.xadd(this.#key('log'), 'MAXLEN', '~', String(this.#cfg.max_entries * 2), '*', 'op', 'put', 'id', id, 'bucket', entry.bucket, 'vec', vec, 'scale', String(entry.vector.scale), 'sig', sig, 'exp', String(expiresAt));
    m.zcard(this.#key('order'));
    const res = await m.exec().catch(rethrow);
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('redis transaction aborted');
    this.#apply(id, entry.bucket, entry.vector, entry.signature, expiresAt);
    const count = Number(res[res.length - 1]![1]);
    return { evicted: count > this.#cfg.max_entries ? await this.#evict(count - this.#cfg.max_entries) : 0 };
  }

  /** Removes the `n` lowest-scored entries (least recently used / oldest) and tells the other replicas. */
  async #evict(n: number): Promise<number> {
    const popped = (await this.#client.zpopmin(this.#key('order'), n)).filter((_, i) => i % 2 === 0);
    if (popped.length === 0) return 0;
    const m = this.#client.multi();
    m.unlink(...popped.map((id) => this.#key(`e:${id}`)));
    for (const id of popped) m.xadd(this.#key('log'), 'MAXLEN', '~', String(this.#cfg.max_entries * 2), '*', 'op', 'del', 'id', id);
    await m.exec();
    for (const id of popped) this.#mirror.delete(id);
    return popped.length;
  }

  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.#client.scan(cursor, 'MATCH', `${this.#prefix}e:*`, 'COUNT', 500);
      if (keys.length) await this.#client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await this.#client.unlink(this.#key('order'));
    await this.#client.xadd(this.#key('log'), 'MAXLEN', '~', String(this.#cfg.max_entries * 2), '*', 'op', 'clear');
    this.#mirror.clearSync();
  }

  size(): CacheSize {
    return this.#mirror.size();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reader.disconnect();
    this.#client.disconnect();
    // The reader loop ends when its pending XREAD fails on the closed connection; nothing to wait for.
    void this.#readerLoop?.catch(() => undefined);
  }

  #apply(id: string, bucket: string, vector: QuantizedVector, signature: PromptSignature, expiresAt: number): void {
    if (expiresAt > 0 && expiresAt <= Date.now()) return;
    this.#mirror.putSync({ bucket, vector, signature, body: '', decision: '' }, id, expiresAt > 0 ? expiresAt : Number.POSITIVE_INFINITY);
  }

  #event(fields: string[]): void {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    if (f.op === 'put' && f.id && f.bucket && f.vec && f.sig) {
      if (this.#mirror.has(f.id)) return;
      let signature: PromptSignature;
      try {
        signature = JSON.parse(f.sig) as PromptSignature;
      } catch {
        return;
      }
      this.#apply(f.id, f.bucket, { q: fromB64(f.vec), scale: Number(f.scale) }, signature, Number(f.exp) || 0);
    } else if (f.op === 'del' && f.id) this.#mirror.delete(f.id);
    else if (f.op === 'clear') this.#mirror.clearSync();
  }

  /** Reads the log from the start, then follows it with a blocking XREAD until closed. */
  async #follow(): Promise<void> {
    let first = true;
    while (!this.#closed) {
      try {
        const res = await this.#reader.xread('COUNT', 1000, 'BLOCK', first ? 1 : 2000, 'STREAMS', this.#key('log'), this.#lastId);
        const events = res?.[0]?.[1] ?? [];
        for (const [id, fields] of events) {
          this.#lastId = id;
          this.#event(fields);
        }
        if (first && events.length < 1000) {
          first = false;
          this.#markSynced();
        }
      } catch (e) {
        if (this.#closed) return;
        this.#onError('follow', errorCode(e));
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

/** Rethrows a Redis failure with a bounded `code` (disconnected, timeout, …) for the error metric's label. */
function rethrow(e: unknown): never {
  throw Object.assign(new Error(`redis: ${errorCode(e)}`), { code: errorCode(e) });
}

export { errorCode as redisErrorCode };
