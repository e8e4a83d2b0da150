/**
 * The browser's cache backend: the memory backend, persisted in IndexedDB (one database per origin, as the browser
 * scopes IndexedDB; entries keyed by their bucket, which hashes the user key, so users of one origin never share an
 * entry). At open every live entry is read back into memory in eviction order; stores, evictions and clears are
 * written through. DOM-only: imported by the browser entry, never by the isomorphic core.
 * @module
 */
import type { PromptSignature } from './guard.js';
import { MemoryCacheStore } from './memory-store.js';
import type { CacheBackend, CacheCandidate, CacheEntryData, CacheLimits, CacheSize } from './types.js';
import type { QuantizedVector } from './vector.js';

interface StoredEntry {
  id: string;
  bucket: string;
  q: Int8Array;
  scale: number;
  signature: PromptSignature;
  body: string;
  decision: string;
  expiresAt: number;
  /** Store time, or last use under LRU: the eviction order after a reload. */
  usedAt: number;
}

const STORE = 'entries';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * A {@link CacheBackend} persisted in IndexedDB: a {@link MemoryCacheStore} in front (searches never touch the
 * database) with every store, eviction and clear written through. Build it with {@link IndexedDbCacheStore.open}.
 */
export class IndexedDbCacheStore implements CacheBackend {
  readonly kind = 'indexeddb';
  readonly #db: IDBDatabase;
  readonly #memory: MemoryCacheStore;
  readonly #limits: CacheLimits;
  /** Writes in flight (tests and `flush()` wait for them). */
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(db: IDBDatabase, limits: CacheLimits) {
    this.#db = db;
    this.#limits = limits;
    this.#memory = new MemoryCacheStore({ ...limits, idPrefix: `${Date.now().toString(36)}-`, onDrop: (id) => this.#write((s) => s.delete(id)) });
  }

  /** Opens (or creates) the database and loads its live entries. */
  static async open(name: string, limits: CacheLimits): Promise<IndexedDbCacheStore> {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    const db = await request(open);
    const store = new IndexedDbCacheStore(db, limits);
    const all = (await request(db.transaction(STORE, 'readonly').objectStore(STORE).getAll())) as StoredEntry[];
    const now = Date.now();
    for (const e of all.sort((a, b) => a.usedAt - b.usedAt)) {
      if (e.expiresAt <= now) {
        store.#write((s) => s.delete(e.id));
        continue;
      }
      store.#memory.putSync({ bucket: e.bucket, vector: { q: e.q, scale: e.scale }, signature: e.signature, body: e.body, decision: e.decision }, e.id, e.expiresAt);
    }
    return store;
  }

  #write(op: (s: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const p = this.#writes.then(() => request(op(this.#db.transaction(STORE, 'readwrite').objectStore(STORE)))).catch(() => undefined);
    this.#writes = p;
    return p;
  }

  /** Resolves when every write so far has reached IndexedDB. */
  flush(): Promise<unknown> {
    return this.#writes;
  }

  async search(bucket: string, query: QuantizedVector, threshold: number, limit: number): Promise<readonly CacheCandidate[]> {
    return this.#memory.searchSync(bucket, query, threshold, limit);
  }

  async get(id: string): Promise<string | undefined> {
    const body = this.#memory.getSync(id);
    if (body !== undefined && this.#limits.eviction === 'lru') {
      void this.#write((s) => {
        const r = s.get(id);
        r.onsuccess = () => {
          const e = r.result as StoredEntry | undefined;
          if (e) s.put({ ...e, usedAt: Date.now() });
        };
        return r;
      });
    }
    return body;
  }

  async put(entry: CacheEntryData): Promise<{ evicted: number }> {
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const ttl = this.#limits.ttlMs;
    const expiresAt = ttl > 0 ? Date.now() + ttl : Number.POSITIVE_INFINITY;
    const record: StoredEntry = { id, bucket: entry.bucket, q: entry.vector.q, scale: entry.vector.scale, signature: entry.signature, body: entry.body, decision: entry.decision, expiresAt, usedAt: Date.now() };
    // Written first, so that an eviction of this very entry (larger than max_bytes) deletes it after.
    void this.#write((s) => s.put(record));
    const evicted = this.#memory.putSync(entry, id, expiresAt);
    if (!this.#memory.has(id)) void this.#write((s) => s.delete(id));
    return { evicted };
  }

  async clear(): Promise<void> {
    this.#memory.clearSync();
    await this.#write((s) => s.clear());
  }

  /** Entries and bytes held (the in-memory copy, which mirrors the database). */
  size(): CacheSize {
    return this.#memory.size();
  }

  async close(): Promise<void> {
    await this.#writes;
    this.#db.close();
  }
}
