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

/** Stored responses in Redis: one key per response (`<key_prefix><id>`, JSON, `EX ttl_seconds`). */
export class RedisResponseStore implements ResponseStore {
  readonly #client: ReturnType<typeof createClient>;
  readonly #prefix: string;
  #ready: Promise<unknown> | undefined;

  constructor(cfg: ResponseApiConfig['redis']) {
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

  async get(id: string): Promise<StoredResponse | undefined> {
    await this.#connected();
    const v = await this.#client.get(this.#prefix + id);
    return typeof v === 'string' ? (JSON.parse(v) as StoredResponse) : undefined;
  }

  async put(id: string, value: StoredResponse, ttlSeconds: number): Promise<void> {
    await this.#connected();
    await this.#client.set(this.#prefix + id, JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
  }

  async delete(id: string): Promise<boolean> {
    await this.#connected();
    return (await this.#client.del(this.#prefix + id)) > 0;
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) await this.#client.close();
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
