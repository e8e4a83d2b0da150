/**
 * Micro-batching. Sequences submitted within a short window (or while a batch is running) are grouped by
 * padded-length bucket, padded, and run as one batch; each caller gets its own rows back. Runs are serialized
 * (one batch at a time), which web backends require and which keeps CPU threads from fighting on Node.
 * @module
 */
import { now } from '../clock.js';
import { ClassifierError } from '../errors.js';

/** Raw outputs for one batch, row-major. */
export interface BatchOutputs {
  /** `[B, nDomain]` */
  readonly domain: Float32Array;
  /** `[B, nJailbreak]` */
  readonly jailbreak: Float32Array;
  /** `[B, S, nPii]` */
  readonly pii: Float32Array;
  /** `[B, H]` */
  readonly pooled: Float32Array;
}

/** What a runtime provides: run one padded batch. */
export interface BatchRunner {
  /** Runs one padded batch (`batch` rows of `seqLen` token ids and attention mask, row-major) and returns the raw outputs. */
  run(inputIds: BigInt64Array, attentionMask: BigInt64Array, batch: number, seqLen: number): Promise<BatchOutputs>;
  /** How many batches it can run at once (several sessions in worker threads); default 1. */
  readonly parallelism?: number;
}

/** Outputs for one sequence. `pii` has `len * nPii` values (real tokens only, including specials). */
export interface RowOutputs {
  readonly domain: Float32Array;
  readonly jailbreak: Float32Array;
  readonly pii: Float32Array | null;
  readonly pooled: Float32Array;
  /** Which batch (counter) produced the row: rows of one text that share a batch share its run time. */
  readonly batchId: number;
  /** Wall time of that batch's model run, ms (padding included; queueing excluded). */
  readonly runMs: number;
}

/** How requests are grouped into batches: sizes, queue bound, and how long to wait for a batch to fill. */
export interface BatcherOptions {
  /** Max sequences per batch. */
  readonly maxBatch: number;
  /** Max padded tokens (batch × length) per batch. */
  readonly maxBatchTokens: number;
  /** Max sequences waiting; further submissions are rejected. */
  readonly maxQueue: number;
  /**
   * How long the first sequence waits for company when the runner is idle, in ms. 0 (default): only until the
   * next macrotask, so calls made in the same tick share a batch and a lone call pays no timer; while a batch
   * runs, new arrivals queue up and form the next batch anyway.
   */
  readonly batchWindowMs: number;
  /**
   * Pad every batch to a power-of-two row count and its length bucket (16, 32, 64, …). Costs some compute but
   * keeps the set of input shapes small: WebGPU compiles its shaders per shape, which dominates otherwise.
   */
  readonly padShapes?: boolean;
  /** Head sizes, to slice rows. */
  readonly dims: { readonly domain: number; readonly jailbreak: number; readonly pii: number };
  /** Pad id for `input_ids`. */
  readonly padId: number;
}

export const DEFAULT_BATCHING: Readonly<Pick<BatcherOptions, 'maxBatch' | 'maxBatchTokens' | 'maxQueue' | 'batchWindowMs'>> = Object.freeze({ maxBatch: 32, maxBatchTokens: 8192, maxQueue: 16_384, batchWindowMs: 0 });

type Cancel = () => void;
const g = globalThis as { setImmediate?: (fn: () => void) => unknown; clearImmediate?: (h: unknown) => void };
/** Browsers have no setImmediate and clamp nested setTimeout(0) to 4 ms: a MessageChannel message is a clamp-free macrotask. */
let channel: { port1: MessagePort; port2: MessagePort; queue: Array<() => void> } | null = null;
function postTask(fn: () => void): Cancel {
  if (!channel) {
    const mc = new MessageChannel();
    const queue: Array<() => void> = [];
    mc.port1.onmessage = () => queue.shift()?.();
    channel = { port1: mc.port1, port2: mc.port2, queue };
  }
  let live = true;
  channel.queue.push(() => live && fn());
  channel.port2.postMessage(0);
  return () => {
    live = false;
  };
}
/** Runs `fn` after `ms`, or on the next macrotask for 0 (setImmediate on Node, a MessageChannel task in browsers). */
function later(fn: () => void, ms: number): Cancel {
  if (ms <= 0 && g.setImmediate && g.clearImmediate) {
    const h = g.setImmediate(fn);
    return () => g.clearImmediate!(h);
  }
  if (ms <= 0 && typeof MessageChannel !== 'undefined') return postTask(fn);
  const h = setTimeout(fn, ms);
  return () => clearTimeout(h);
}

interface Job {
  readonly ids: Int32Array;
  readonly needPii: boolean;
  readonly bucket: number;
  resolve(r: RowOutputs): void;
  reject(e: unknown): void;
}

/** Length bucket: next power of two ≥ 16. */
export function bucketOf(len: number): number {
  let b = 16;
  while (b < len) b *= 2;
  return b;
}

export class MicroBatcher {
  readonly #runner: BatchRunner;
  readonly #o: BatcherOptions;
  #queue: Job[] = [];
  #timer: Cancel | null = null;
  /** Batches running now; at most the runner's parallelism. */
  #inflight = 0;
  readonly #slots: number;
  #closed: Error | null = null;
  /** Batches run so far (for tests and stats). */
  batches = 0;

  constructor(runner: BatchRunner, options: BatcherOptions) {
    this.#runner = runner;
    this.#o = options;
    this.#slots = Math.max(1, Math.floor(runner.parallelism ?? 1));
  }

  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Queues sequences (full, with special tokens). Rejects all of them at once when they don't fit in the queue,
   * so a caller never gets half its windows.
   */
  submit(seqs: readonly { ids: Int32Array; needPii: boolean }[]): Promise<RowOutputs>[] {
    if (this.#closed) return rejectAll(seqs.length, this.#closed);
    if (this.#queue.length + seqs.length > this.#o.maxQueue) {
      const err = new ClassifierError(
        `classifier queue is full (${this.#queue.length} sequences waiting, maxQueue ${this.#o.maxQueue}); ` +
          `retry later or raise the 'maxQueue' option`,
      );
      return rejectAll(seqs.length, err);
    }
    const out = seqs.map(
      (s) =>
        new Promise<RowOutputs>((resolve, reject) => {
          this.#queue.push({ ids: s.ids, needPii: s.needPii, bucket: bucketOf(s.ids.length), resolve, reject });
        }),
    );
    this.#schedule();
    return out;
  }

  #schedule(): void {
    if (this.#inflight >= this.#slots || this.#timer || this.#queue.length === 0) return;
    if (this.#queue.length >= this.#o.maxBatch) {
      this.#drain();
      return;
    }
    this.#timer = later(() => {
      this.#timer = null;
      this.#drain();
    }, this.#o.batchWindowMs);
  }

  /**
   * Starts batches while there is work and a free slot; each finished batch starts the next one, so with one slot
   * batches run back to back, and with N slots (N sessions in worker threads) up to N run at once.
   */
  #drain(): void {
    if (this.#timer) {
      this.#timer();
      this.#timer = null;
    }
    while (this.#queue.length > 0 && this.#inflight < this.#slots) {
      const batch = this.#take();
      this.#inflight++;
      void this.#runBatch(batch).finally(() => {
        this.#inflight--;
        this.#drain();
      });
    }
  }

  /**
   * Oldest job's bucket first (fairness); fill the batch with the oldest jobs of that bucket. O(queue) per batch: with
   * up to `maxQueue` waiting sequences that is bounded, and the Router's screening cap keeps one prompt's windows to a
   * few hundred.
   */
  #take(): Job[] {
    const bucket = this.#queue[0]!.bucket;
    const maxRows = Math.max(1, Math.min(this.#o.maxBatch, Math.floor(this.#o.maxBatchTokens / bucket)));
    const batch: Job[] = [];
    const rest: Job[] = [];
    for (const j of this.#queue) {
      if (batch.length < maxRows && j.bucket === bucket) batch.push(j);
      else rest.push(j);
    }
    this.#queue = rest;
    return batch;
  }

  async #runBatch(jobs: Job[]): Promise<void> {
    let S = 0;
    for (const j of jobs) S = Math.max(S, j.ids.length);
    let B = jobs.length;
    if (this.#o.padShapes) {
      S = bucketOf(S);
      B = 1 << Math.ceil(Math.log2(B));
    }
    const ids = new BigInt64Array(B * S).fill(BigInt(this.#o.padId));
    const mask = new BigInt64Array(B * S);
    jobs.forEach((j, b) => {
      for (let t = 0; t < j.ids.length; t++) {
        ids[b * S + t] = BigInt(j.ids[t]!);
        mask[b * S + t] = 1n;
      }
    });
    let out: BatchOutputs;
    const t0 = now();
    let runMs: number;
    try {
      out = await this.#runner.run(ids, mask, B, S);
      runMs = now() - t0;
      this.batches++;
    } catch (e) {
      const err = ClassifierErrorFrom(e);
      for (const j of jobs) j.reject(err);
      return;
    }
    const { domain: D, jailbreak: J, pii: P } = this.#o.dims;
    const H = out.pooled.length / B;
    const batchId = this.batches;
    jobs.forEach((j, b) => {
      j.resolve({
        domain: out.domain.slice(b * D, (b + 1) * D),
        jailbreak: out.jailbreak.slice(b * J, (b + 1) * J),
        pii: j.needPii ? out.pii.slice(b * S * P, (b * S + j.ids.length) * P) : null,
        pooled: out.pooled.slice(b * H, (b + 1) * H),
        batchId,
        runMs,
      });
    });
  }

  /** Rejects everything waiting and refuses new work. */
  close(reason: Error): void {
    this.#closed = reason;
    this.#timer?.();
    this.#timer = null;
    const q = this.#queue;
    this.#queue = [];
    for (const j of q) j.reject(reason);
  }
}

/** One shared rejected promise: awaiting any (or Promise.all) handles it, so no stray unhandled rejections. */
function rejectAll(n: number, err: unknown): Promise<RowOutputs>[] {
  const p = Promise.reject(err);
  return Array.from({ length: n }, () => p);
}

function ClassifierErrorFrom(e: unknown): Error {
  if (e instanceof Error && (e as { code?: unknown }).code !== undefined) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ClassifierError(`inference failed: ${msg}`, { cause: e });
}
