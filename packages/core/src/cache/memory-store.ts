/**
 * The in-process cache backend: bounded in entries and bytes, TTL, LRU or FIFO eviction across all buckets, and a
 * flat int8 scan per bucket ({@link VectorBucket}). Isomorphic (Node, edge isolates, browsers); every call is
 * synchronous underneath, wrapped in promises only to share the {@link CacheBackend} contract.
 * @module
 */
import type { PromptSignature } from './guard.js';
import type { CacheBackend, CacheCandidate, CacheEntryData, CacheLimits, CacheSize } from './types.js';
import { VectorBucket, type QuantizedVector } from './vector.js';

interface Entry {
  readonly bucket: string;
  readonly signature: PromptSignature;
  readonly body: string;
  readonly bytes: number;
  readonly expiresAt: number;
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Fixed bytes counted per entry besides its answer: the vector, signature and bookkeeping. */
const ENTRY_OVERHEAD = 512;

/** The limits of a {@link MemoryCacheStore} plus hooks used by the stores built on it (IndexedDB, Redis mirror). */
export interface MemoryStoreOptions extends CacheLimits {
  /** Milliseconds since the epoch (tests). Default: `Date.now`. */
  readonly now?: () => number;
  /** Prefix of generated entry ids. */
  readonly idPrefix?: string;
  /** Called for every entry that leaves the store other than by `delete()`/`clear()` (evicted, or found expired). */
  readonly onDrop?: (id: string) => void;
}

/**
 * The in-process {@link CacheBackend}: entries in a `Map` (eviction order) and one packed int8 vector bucket per
 * bucket, bounded by `maxEntries` and `maxBytes` (each entry counts its answer's UTF-8 bytes plus 512 bytes of
 * overhead; an answer larger than `maxBytes` is not stored). The `…Sync` methods are the same operations without a
 * promise, for callers that hold it in the same thread.
 */
export class MemoryCacheStore implements CacheBackend {
  readonly kind = 'memory';
  #limits: CacheLimits;
  readonly #now: () => number;
  readonly #idPrefix: string;
  readonly #onDrop: ((id: string) => void) | undefined;
  // Map iteration order is the eviction order: insertion (FIFO), or insertion refreshed on every hit (LRU).
  readonly #entries = new Map<string, Entry>();
  readonly #buckets = new Map<string, VectorBucket<string>>();
  #bytes = 0;
  #seq = 0;

  constructor(opts: MemoryStoreOptions) {
    this.#limits = { maxEntries: opts.maxEntries, maxBytes: opts.maxBytes, ttlMs: opts.ttlMs, eviction: opts.eviction };
    this.#now = opts.now ?? Date.now;
    this.#idPrefix = opts.idPrefix ?? 'm';
    this.#onDrop = opts.onDrop;
  }

  /** New limits (a config reload); evicts at once if the store is now over them. */
  setLimits(limits: CacheLimits): number {
    this.#limits = { ...limits };
    return this.#evictOverflow();
  }

  /** The limits in force (from the constructor or the last {@link setLimits}). */
  get limits(): CacheLimits {
    return this.#limits;
  }

  async search(bucket: string, query: QuantizedVector, threshold: number, limit: number): Promise<readonly CacheCandidate[]> {
    return this.searchSync(bucket, query, threshold, limit);
  }

  /** {@link search} without the promise: live entries of `bucket` with similarity ≥ `threshold`, best first; expired ones met are dropped. */
  searchSync(bucket: string, query: QuantizedVector, threshold: number, limit: number): CacheCandidate[] {
    const b = this.#buckets.get(bucket);
    if (!b || b.size === 0 || b.dim !== query.q.length) return [];
    const now = this.#now();
    const out: CacheCandidate[] = [];
    // Ask for a few more than `limit`: expired slots found here are dropped, not returned.
    for (const h of b.search(query, threshold, limit + 4)) {
      const e = this.#entries.get(h.id);
      if (!e) continue;
      if (e.expiresAt <= now) {
        this.#drop(h.id);
        continue;
      }
      out.push({ id: h.id, similarity: h.similarity, signature: e.signature });
      if (out.length >= limit) break;
    }
    return out;
  }

  async get(id: string): Promise<string | undefined> {
    return this.getSync(id);
  }

  /** {@link get} without the promise: the stored answer, or undefined when absent or expired (an LRU store marks it used). */
  getSync(id: string): string | undefined {
    const e = this.#entries.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= this.#now()) {
      this.#drop(id);
      return undefined;
    }
    if (this.#limits.eviction === 'lru') {
      this.#entries.delete(id);
      this.#entries.set(id, e);
    }
    return e.body;
  }

  async put(entry: CacheEntryData): Promise<{ evicted: number }> {
    return { evicted: this.putSync(entry) };
  }

  /** Stores an entry under a new id (or `id`, replacing it); returns the number of entries evicted. */
  putSync(entry: CacheEntryData, id = `${this.#idPrefix}${++this.#seq}`, expiresAt?: number): number {
    const bytes = utf8Length(entry.body) + ENTRY_OVERHEAD;
    if (bytes > this.#limits.maxBytes) return 0;
    if (this.#entries.has(id)) this.delete(id);
    let b = this.#buckets.get(entry.bucket);
    if (!b || b.dim !== entry.vector.q.length) {
      b = new VectorBucket<string>(entry.vector.q.length);
      this.#buckets.set(entry.bucket, b);
    }
    b.add(id, entry.vector);
    const ttl = this.#limits.ttlMs;
    this.#entries.set(id, {
      bucket: entry.bucket,
      signature: entry.signature,
      body: entry.body,
      bytes,
      expiresAt: expiresAt ?? (ttl > 0 ? this.#now() + ttl : Number.POSITIVE_INFINITY),
    });
    this.#bytes += bytes;
    return this.#evictOverflow();
  }

  /** Removes one entry; true when it was there. */
  delete(id: string): boolean {
    const e = this.#entries.get(id);
    if (!e) return false;
    this.#entries.delete(id);
    this.#bytes -= e.bytes;
    const b = this.#buckets.get(e.bucket);
    if (b) {
      b.remove(id);
      if (b.size === 0) this.#buckets.delete(e.bucket);
    }
    return true;
  }

  #drop(id: string): void {
    if (this.delete(id)) this.#onDrop?.(id);
  }

  /** Ids in eviction order (oldest / least recently used first). */
  ids(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Whether an entry with this id is held (expired or not; nothing is dropped or refreshed). */
  has(id: string): boolean {
    return this.#entries.has(id);
  }

  async clear(): Promise<void> {
    this.clearSync();
  }

  /** {@link clear} without the promise: removes every entry. `onDrop` is not called. */
  clearSync(): void {
    this.#entries.clear();
    this.#buckets.clear();
    this.#bytes = 0;
  }

  /** Entries held and the bytes they count (answers' UTF-8 length + 512 each), expired ones not yet dropped included. */
  size(): CacheSize {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  /**
   * Evicts in order (oldest / least recently used first) until within both bounds. Expired entries count until a
   * search or get meets them or their turn comes: a full sweep on every store would make a full cache O(n) per put.
   */
  #evictOverflow(): number {
    const { maxEntries, maxBytes } = this.#limits;
    let evicted = 0;
    for (const id of this.#entries.keys()) {
      if (this.#entries.size <= maxEntries && this.#bytes <= maxBytes) break;
      this.#drop(id);
      evicted++;
    }
    return evicted;
  }
}
