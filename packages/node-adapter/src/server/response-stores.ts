/**
 * The Responses API store of the Node server: the core's memory store, or Redis (node-redis) so that replicas
 * share stored responses (`global.services.response_api.store_backend: redis`). One store per distinct store
 * config; a hot reload that changes the backend or address opens a new one and closes the old.
 * @module
 */
import { createClient } from 'redis';
import type { ResponseApiConfig } from '@semroute/core';
import { MemoryResponseStore, type ResponseStore, type StoredResponse } from '@semroute/core/http';

/** `host:port`, `redis://…` or `rediss://…` → a node-redis URL. */
export function redisUrl(address: string): string {
  return /^rediss?:\/\//.test(address) ? address : `redis://${address}`;
}

/** How long one store call may take before it fails (Redis down or unreachable: node-redis would wait for it). */
export const REDIS_STORE_TIMEOUT_MS = 2_000;

/**
 * Stored responses in Redis: one key per response (`<key_prefix><id>`, JSON, `EX ttl_seconds`). Every call fails
 * after {@link REDIS_STORE_TIMEOUT_MS} while Redis is unreachable (the client keeps reconnecting in the background).
 */
export class RedisResponseStore implements ResponseStore {
  readonly #client: ReturnType<typeof createClient>;
  readonly #prefix: string;
  #ready: Promise<unknown> | undefined;

  constructor(
    cfg: ResponseApiConfig['redis'],
    readonly timeoutMs = REDIS_STORE_TIMEOUT_MS,
  ) {
    const password = cfg.password_env ? process.env[cfg.password_env] : undefined;
    this.#client = createClient({
      url: redisUrl(cfg.address),
      database: cfg.db,
      ...(password ? { password } : {}),
      // fail a request quickly when Redis is down instead of queueing it until it comes back
      disableOfflineQueue: true,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) },
    });
    // Connection errors surface on the calls that need Redis; the client reconnects by itself.
    this.#client.on('error', () => undefined);
    this.#prefix = cfg.key_prefix;
  }

  #connected(): Promise<unknown> {
    this.#ready ??= this.#client.connect().catch((e: unknown) => {
      this.#ready = undefined;
      throw e;
    });
    return this.#ready;
  }

  /** One Redis call, connected first, failing after `timeoutMs`. */
  async #call<T>(f: () => Promise<T>): Promise<T> {
    const work = this.#connected().then(f);
    work.catch(() => undefined); // a failure after the timeout already answered must not go unhandled
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get(id: string): Promise<StoredResponse | undefined> {
    return this.#call(async () => {
      const v = await this.#client.get(this.#prefix + id);
      return typeof v === 'string' ? (JSON.parse(v) as StoredResponse) : undefined;
    });
  }

  put(id: string, value: StoredResponse, ttlSeconds: number): Promise<void> {
    return this.#call(async () => {
      await this.#client.set(this.#prefix + id, JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#call(async () => (await this.#client.del(this.#prefix + id)) > 0);
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close();
    else if (this.#client.isOpen) this.#client.destroy(); // still reconnecting: nothing to flush
  }
}

/** Keeps the store that matches the live config. */
export class ResponseStores {
  #key = '';
  #store: ResponseStore | undefined;

  for(api: ResponseApiConfig): ResponseStore {
    const key = api.store_backend === 'redis' ? JSON.stringify(['redis', api.redis]) : JSON.stringify(['memory', api.max_responses]);
    if (this.#store && key === this.#key) return this.#store;
    const old = this.#store;
    this.#store = api.store_backend === 'redis' ? new RedisResponseStore(api.redis) : new MemoryResponseStore(api.max_responses);
    this.#key = key;
    void old?.close?.().catch(() => undefined);
    return this.#store;
  }

  async close(): Promise<void> {
    const s = this.#store;
    this.#store = undefined;
    await s?.close?.();
  }
}
