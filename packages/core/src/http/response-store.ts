/**
 * Where the Responses API keeps stored responses (`store: true`) so that `previous_response_id` can continue a
 * conversation: the interface, and the in-process memory store. The Redis store (shared between replicas) is in
 * `@semroute/node-adapter`. Records hold the conversation (they must, to continue it) and the session route; they
 * are never logged.
 * @module
 */
import type { SessionAnchor } from '../decision/session.js';
import type { ResponseItem, ResponseObject } from '../openai/responses.js';

/** One stored response. */
export interface StoredResponse {
  /** The Response as the client received it. */
  readonly response: ResponseObject;
  /** The conversation before this response's output: the history it continued, then its own input items. */
  readonly items: readonly ResponseItem[];
  /** The session route after this turn (what the next turn sticks to under `routing.session.mode: sticky`). */
  readonly session: SessionAnchor;
  /** User turns in the conversation so far (for the session trace). */
  readonly turns: number;
}

/** Where stored Responses live (memory here, Redis in the Node adapter). Implementations must copy values, not share them. */
export interface ResponseStore {
  /** The stored response with this id, or undefined when unknown or expired. */
  get(id: string): Promise<StoredResponse | undefined>;
  /** Stores (or replaces) a response for `ttlSeconds`. */
  put(id: string, value: StoredResponse, ttlSeconds: number): Promise<void>;
  /** True when something was deleted. */
  delete(id: string): Promise<boolean>;
  /** Releases connections (a Redis client); the store is not used after it. */
  close?(): Promise<void>;
}

/** Response ids: `resp_` + 24 random hex digits (Web Crypto, available in every runtime semroute runs in). */
export function newResponseId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  let hex = '';
  for (const x of b) hex += x.toString(16).padStart(2, '0');
  return `resp_${hex}`;
}

/** A syntactically valid response id (anything else is not looked up). */
export const RESPONSE_ID = /^resp_[A-Za-z0-9_-]{1,128}$/;

/**
 * The in-process store: records as JSON text (a stored value is never shared with a caller that could change it),
 * at most `maxEntries` (the oldest stored go first), each until its TTL ends.
 */
export class MemoryResponseStore implements ResponseStore {
  readonly #entries = new Map<string, { json: string; expires: number }>();
  /**
   * @param maxEntries Most responses kept; storing one more drops the oldest stored.
   * @param clock Milliseconds since the epoch, for expiry (tests pass a fake clock). Default: `Date.now`.
   */
  constructor(
    readonly maxEntries: number,
    readonly clock: () => number = Date.now,
  ) {}

  async get(id: string): Promise<StoredResponse | undefined> {
    const e = this.#entries.get(id);
    if (!e) return undefined;
    if (e.expires <= this.clock()) {
      this.#entries.delete(id);
      return undefined;
    }
    return JSON.parse(e.json) as StoredResponse;
  }

  async put(id: string, value: StoredResponse, ttlSeconds: number): Promise<void> {
    this.#entries.delete(id);
    this.#entries.set(id, { json: JSON.stringify(value), expires: this.clock() + ttlSeconds * 1000 });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  async delete(id: string): Promise<boolean> {
    return this.#entries.delete(id);
  }

  /** Entries held (expired ones included until they are read or pushed out). */
  get size(): number {
    return this.#entries.size;
  }
}
