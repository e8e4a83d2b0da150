/**
 * The server's classifier: N worker threads, each holding the whole Node classifier (tokenizer, ONNX session, PII
 * post-processing; classifier-worker.ts). The event loop only posts texts and receives signals, so `/health`,
 * `/metrics` and small requests stay responsive while a 4 MiB prompt is being classified.
 *
 * Dispatch: each call goes to the worker with the fewest characters outstanding. With two or more workers, a large
 * call (≥ `largeChars`) may use every worker but the last, which stays free for ordinary prompts: four huge prompts
 * at once share the other workers, and a chat message still answers in milliseconds. Threads are preempted by the
 * OS, so this holds even on one core.
 *
 * A worker that dies (a native crash, or its heap limit on a pathological input) fails only the calls it held, with a
 * ClassifierError (HTTP 503); a replacement is started at once.
 * @module
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ClassifierError, type Classifier, type ClassifierSignals, type ClassifyOptions } from '@semroute/core';
import type { FromWorker, ToWorker, WorkerInit } from './classifier-worker.js';

export interface ClassifierPoolOptions {
  /** Worker threads, each with its own model session. Default 2 (one keeps a lane free for ordinary prompts). */
  readonly workers?: number;
  /** Calls of at least this many characters never take the last worker. Default 16,384. */
  readonly largeChars?: number;
  /** V8 heap limit per worker, MiB (ONNX Runtime's own memory is native and not counted). Default 1,024. */
  readonly maxHeapMb?: number;
  /** Passed to `createNodeClassifier` in every worker. `threads` defaults to min(cores, 4) per worker. */
  readonly classifier?: WorkerInit['options'];
  /** Warnings from the workers (backend fallback, a worker replaced). Default `console`. */
  readonly logger?: { warn(message: string): void };
}

export const DEFAULT_POOL = Object.freeze({ workers: 2, largeChars: 16_384, maxHeapMb: 1_024 });

/**
 * How long dispose() waits for workers still starting (loading the model) before it returns anyway. They are inside
 * ONNX Runtime calls (session creation, the warm-up run); a process that exits under such a call aborts (SIGABRT).
 */
const START_GRACE_MS = 30_000;

interface Pending {
  resolve(outs: ClassifierSignals[]): void;
  reject(e: Error): void;
  chars: number;
}

interface Slot {
  worker: Worker;
  /** Calls sent and not answered. */
  readonly pending: Map<number, Pending>;
  /** Characters in those calls: the dispatch weight. */
  chars: number;
  alive: boolean;
}

/**
 * How to start the worker script. From `dist/` it is plain JavaScript; from the TypeScript sources (tests, `tsx`)
 * the worker registers tsx's loader first and resolves workspace packages through their `source` condition, as
 * the test runner does.
 */
function workerEntry(): { code: string; execArgv: string[] } {
  const self = import.meta.url;
  const fromSource = self.endsWith('.ts');
  const entry = new URL(fromSource ? './classifier-worker.ts' : './classifier-worker.js', self).href;
  if (!fromSource) return { code: `import(${JSON.stringify(entry)});`, execArgv: [] };
  const tsxApi = pathToFileURL(join(dirname(createRequire(self).resolve('tsx')), 'esm', 'api', 'index.mjs')).href;
  return {
    code: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    execArgv: ['--conditions=source'],
  };
}

export class ClassifierPool implements Classifier {
  readonly backend: string;
  /** Backends that failed before the one in use (from the first worker), with reasons. */
  readonly fallbacks: readonly string[];
  readonly #slots: Slot[];
  readonly #options: ClassifierPoolOptions;
  readonly #largeChars: number;
  #nextId = 1;
  #disposed = false;
  #graceMs = 5_000;
  /** Workers being started (the others after the first, replacements), each until it is in the pool or released. */
  readonly #starting = new Set<Promise<void>>();

  private constructor(slots: Slot[], backend: string, fallbacks: readonly string[], options: ClassifierPoolOptions) {
    this.#slots = slots;
    this.backend = backend;
    this.fallbacks = fallbacks;
    this.#options = options;
    this.#largeChars = options.largeChars ?? DEFAULT_POOL.largeChars;
    for (const s of slots) this.#watch(s);
  }

  /**
   * Starts the first worker and resolves once it has loaded the model (rejects if it cannot); the others start after
   * it, one at a time (from TypeScript sources they reuse its compiled files), and take calls as they become ready.
   * `ready` resolves when all have started.
   */
  static async start(options: ClassifierPoolOptions = {}): Promise<ClassifierPool> {
    const n = options.workers ?? DEFAULT_POOL.workers;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new ClassifierError(`classifier workers must be an integer from 1 to 64 (got ${n})`);
    const classifier = { ...options.classifier, threads: options.classifier?.threads ?? Math.min(availableParallelism(), 4) };
    const opts = { ...options, classifier };
    const first = await spawn(opts);
    const pool = new ClassifierPool([first.slot], first.backend, first.fallbacks, opts);
    pool.ready = (async () => {
      for (let i = 1; i < n && !pool.#disposed; i++) {
        try {
          await pool.#startWorker((slot) => pool.#add(slot));
        } catch (e) {
          (opts.logger ?? console).warn(`[semroute] classifier worker ${i + 1} of ${n} did not start: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    })();
    return pool;
  }

  /** Resolves once every worker asked for has started (or failed to, with a warning). */
  ready: Promise<void> = Promise.resolve();

  #add(slot: Slot): void {
    this.#slots.push(slot);
    this.#watch(slot);
  }

  /**
   * Starts one more worker and hands it to `adopt`, or releases it when the pool was disposed while it started.
   * Rejects when it cannot start; dispose() waits for it either way.
   */
  #startWorker(adopt: (slot: Slot) => void): Promise<void> {
    const started = spawn(this.#options).then(async (fresh) => {
      if (this.#disposed) await releaseWorker(fresh.slot.worker, this.#graceMs);
      else adopt(fresh.slot);
    });
    const settled: Promise<void> = started.then(
      () => void this.#starting.delete(settled),
      () => void this.#starting.delete(settled),
    );
    this.#starting.add(settled);
    return started;
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.#slots.length;
  }

  /** Calls sent to a worker and not answered yet. */
  get inFlight(): number {
    let n = 0;
    for (const s of this.#slots) n += s.pending.size;
    return n;
  }

  classify(texts: readonly string[], options: ClassifyOptions = {}): Promise<ClassifierSignals[]> {
    if (this.#disposed) return Promise.reject(new ClassifierError('classifier has been disposed'));
    if (!Array.isArray(texts)) return Promise.reject(new ClassifierError('classify() expects an array of strings'));
    let chars = 0;
    for (const t of texts) chars += typeof t === 'string' ? t.length : 0;
    const slot = this.#pick(chars);
    if (!slot) return Promise.reject(new ClassifierError('no classifier worker is running; retry shortly'));
    const id = this.#nextId++;
    return new Promise<ClassifierSignals[]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, chars });
      slot.chars += chars;
      slot.worker.ref(); // keep the process alive while a worker holds work
      const msg: ToWorker = { type: 'classify', id, texts: [...texts], options: { ...(options.heads ? { heads: [...options.heads] } : {}), ...(options.pii ? { pii: options.pii } : {}) } };
      slot.worker.postMessage(msg);
    });
  }

  /**
   * Fails the calls still waiting, asks every worker to release its session (waiting up to `graceMs` for a batch in
   * progress to end: terminating a thread inside ONNX Runtime's `run` aborts the process), then stops the threads.
   * Workers still starting are released as soon as their model is loaded, and dispose() waits for that (up to 30 s):
   * a caller that exits the process right after it (the CLI) would otherwise abort inside their ONNX Runtime calls.
   */
  async dispose(graceMs = 5_000): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#graceMs = graceMs;
    const gone = new ClassifierError('classifier has been disposed');
    await Promise.all(
      this.#slots.map(async (s) => {
        s.alive = false;
        for (const p of s.pending.values()) p.reject(gone);
        s.pending.clear();
        await releaseWorker(s.worker, graceMs);
      }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(this.#starting), new Promise<void>((resolve) => (timer = setTimeout(resolve, START_GRACE_MS)))]);
    clearTimeout(timer);
  }

  /** The live worker with the fewest outstanding characters; large calls skip the last worker when there are two or more. */
  #pick(chars: number): Slot | undefined {
    const live = this.#slots.filter((s) => s.alive);
    const lane = chars >= this.#largeChars && live.length > 1 && this.#slots.length > 1 ? live.filter((s) => s !== this.#slots.at(-1)) : live;
    let best: Slot | undefined;
    for (const s of lane.length ? lane : live) if (!best || s.chars < best.chars || (s.chars === best.chars && s.pending.size < best.pending.size)) best = s;
    return best;
  }

  #watch(slot: Slot): void {
    const worker = slot.worker;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'warn') return void (this.#options.logger ?? console).warn(m.message);
      if (m.type !== 'result') return;
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      slot.chars -= p.chars;
      if (slot.pending.size === 0) slot.worker.unref();
      if (m.ok) p.resolve(m.outs);
      else p.reject(new ClassifierError(`classifier worker: ${m.error}`));
    });
    const died = (why: string) => {
      if (slot.worker !== worker || !slot.alive) return; // an old worker's late 'exit', or already handled
      slot.alive = false;
      const err = new ClassifierError(`classifier worker stopped (${why}); the call was not completed`);
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      slot.chars = 0;
      if (this.#disposed) return;
      (this.#options.logger ?? console).warn(`[semroute] classifier worker stopped (${why}); starting a replacement`);
      this.#startWorker((fresh) => {
        slot.worker = fresh.worker;
        slot.alive = true;
        this.#watch(slot);
      }).catch(
        (e: unknown) => (this.#options.logger ?? console).warn(`[semroute] classifier worker could not be replaced: ${e instanceof Error ? e.message : String(e)}`),
      );
    };
    worker.on('error', (e) => died(e.message.split('\n')[0] ?? 'error'));
    worker.on('exit', (code) => died(`exit code ${code}`));
  }
}

/**
 * Asks a worker to release its ONNX session, waits up to `graceMs` for it (a batch in progress ends first), then stops
 * the thread.
 */
async function releaseWorker(worker: Worker, graceMs: number): Promise<void> {
  const released = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, graceMs);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'result' && m.id === 0) {
        clearTimeout(timer);
        resolve();
      }
    });
    worker.once('exit', () => (clearTimeout(timer), resolve()));
  });
  worker.postMessage({ type: 'dispose', id: 0 } satisfies ToWorker);
  await released;
  await worker.terminate();
}

interface Spawned {
  slot: Slot;
  backend: string;
  fallbacks: readonly string[];
}

/** Starts one worker and waits until its model is loaded. */
function spawn(options: ClassifierPoolOptions): Promise<Spawned> {
  const { code, execArgv } = workerEntry();
  const init: WorkerInit = { options: options.classifier ?? {} };
  const worker = new Worker(code, {
    eval: true,
    execArgv,
    workerData: init,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? DEFAULT_POOL.maxHeapMb },
  });
  return new Promise<Spawned>((resolve, reject) => {
    const fail = (e: Error) => {
      cleanup();
      void worker.terminate();
      reject(e);
    };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'warn') return void (options.logger ?? console).warn(m.message);
      if (m.type === 'failed') return fail(new ClassifierError(m.error));
      if (m.type !== 'ready') return;
      cleanup();
      worker.unref();
      resolve({ slot: { worker, pending: new Map(), chars: 0, alive: true }, backend: m.backend, fallbacks: m.fallbacks });
    };
    const onError = (e: Error) => fail(new ClassifierError(`classifier worker failed to start: ${e.message.split('\n')[0]}`, { cause: e }));
    const onExit = (c: number) => fail(new ClassifierError(`classifier worker exited while starting (code ${c})`));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
