/**
 * The contract between the response cache and its backends (in-process memory; Redis in the Node adapter;
 * IndexedDB in the browser). A backend stores entries in buckets (one per scope, decision, model, reasoning setting
 * and conversation prefix: a hit never crosses them) and finds the nearest stored prompts of a bucket.
 * @module
 */
import type { PromptSignature } from './guard.js';
import type { QuantizedVector } from './vector.js';

/** What a cache entry holds besides its vector: the answer (a `chat.completion` JSON text) and the prompt's signature. */
export interface CacheEntryData {
  /** Opaque bucket id (a hash: no prompt text, no user key). */
  readonly bucket: string;
  readonly vector: QuantizedVector;
  readonly signature: PromptSignature;
  /** The stored `chat.completion` object as JSON text. */
  readonly body: string;
  /** Decision name (metrics). */
  readonly decision: string;
}

/** A candidate found by a search: enough to run the lexical guard before the body is fetched. */
export interface CacheCandidate {
  readonly id: string;
  readonly similarity: number;
  readonly signature: PromptSignature;
}

/** Limits every backend enforces. */
export interface CacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Milliseconds an entry lives; 0 = until evicted. */
  readonly ttlMs: number;
  readonly eviction: 'lru' | 'fifo';
}

/** Entries and bytes held (this process's view for shared backends). */
export interface CacheSize {
  readonly entries: number;
  readonly bytes: number;
}

/**
 * A store the response cache keeps its entries in. Implement it to put the cache somewhere else; the built-in ones
 * are {@link MemoryCacheStore}, the Node adapter's Redis backend and the browser's IndexedDB store. Methods may
 * reject on I/O failure: the cache then treats the request as a bypass (`backend_error`) and never fails it.
 */
export interface CacheBackend {
  /** `memory`, `redis`, `indexeddb`. */
  readonly kind: string;
  /** Nearest entries of a bucket with similarity ≥ threshold, best first, at most `limit`. */
  search(bucket: string, query: QuantizedVector, threshold: number, limit: number): Promise<readonly CacheCandidate[]>;
  /** The answer of an entry (and, under LRU, marks it used); undefined when it expired or was evicted meanwhile. */
  get(id: string): Promise<string | undefined>;
  /** Stores an entry; returns how many entries were evicted to make room. */
  put(entry: CacheEntryData): Promise<{ evicted: number }>;
  /** Removes every entry (of this backend's namespace). */
  clear(): Promise<void>;
  /** Entries and bytes held now (synchronous: this process's count for a shared backend). */
  size(): CacheSize;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}
