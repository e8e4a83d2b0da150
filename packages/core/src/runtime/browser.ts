/**
 * Browser runtime, main-thread side. Inference runs in a module Web Worker; this file only starts it, posts
 * messages through comlink, and restarts it when it crashes (in-flight calls are retried once on the fresh
 * worker, then fail with a clear error). Which worker is the default is up to the entry: `browser-wasm.ts`
 * (`@semroute/core/browser`, WASM only) or `browser-webgpu.ts` (`@semroute/core/browser-webgpu`), each naming its
 * worker script in a `new Worker(new URL(…, import.meta.url))` that bundlers follow. Model, tokenizer and ORT
 * files come from the page's own origin unless a remote source is opted into explicitly.
 * @module
 */
import { type Remote, proxy, releaseProxy, wrap } from 'comlink';
import { ClassifierError } from '../errors.js';
import type { Router } from '../router.js';
import { type ConfigInput, routerWith } from './create-router.js';
import type { Classifier, ClassifierSignals, ClassifyOptions } from '../signals/types.js';
import { type BackendChoice, MODEL_FILES, type ModelDtype } from './backends.js';
import type { EngineOptions } from './classifier.js';
import type { ProgressCallback } from './progress.js';
import type { WebInitOptions, WebInitResult } from './web.js';
import type { WorkerApi } from './worker-api.js';

/** Minimal Worker surface used here (lets tests pass any comlink endpoint). */
export interface WorkerLike {
  /** Posts a message to the worker (comlink's transport). */
  postMessage(message: unknown, transfer?: Transferable[]): void;
  /** Listens for `message` and `error` events. */
  addEventListener(type: string, listener: (ev: Event) => void): void;
  /** Stops listening. */
  removeEventListener(type: string, listener: (ev: Event) => void): void;
  /** Stops the worker. */
  terminate(): void;
}

export interface BrowserClassifierOptions extends EngineOptions {
  /**
   * Model folder URL (absolute, or relative to the page), or the model file by file: `modelFiles` of
   * `@semroute/model-mini`, whose URLs your bundler turns into assets. Default: `models/semroute-mini/` on the page's
   * origin. A URL on another origin needs `allowRemoteModels: true`.
   */
  readonly model?: string | URL | ModelFileUrls;
  /** Hugging Face model id (`org/name`) to load from the Hub; needs `allowRemoteModels: true`. */
  readonly huggingFace?: string;
  /** Revision for `huggingFace` (default `main`). */
  readonly revision?: string;
  /** Explicit opt-in to loading model files from another origin. Default false. */
  readonly allowRemoteModels?: boolean;
  /**
   * `auto`, `webgpu` (falls back to WASM) or `wasm`. From `@semroute/core/browser` (no WebGPU in the bundle) `auto`
   * is WASM and `webgpu` falls back to WASM saying why; from `@semroute/core/browser-webgpu`, `auto` is WebGPU when
   * an adapter exists and is faster than WASM (`autoTune`), else WASM.
   */
  readonly backend?: BackendChoice;
  /** Model variant; default fp32 on WebGPU, int8 on WASM. */
  readonly dtype?: 'auto' | ModelDtype;
  /** WASM threads (default ceil(cores/2), at most 4; 1 when the page is not cross-origin isolated). */
  readonly threads?: number;
  /** Base URL serving ORT's `ort-wasm-*.wasm/.mjs`. Default: next to ORT's module in your bundle. */
  readonly wasmPaths?: string | URL;
  /** Cache API name for model files, or false to disable caching. Default `semroute-models-v1`. */
  readonly cache?: string | false;
  /** In `auto`, time WebGPU against WASM once and keep the faster. Default true. */
  readonly autoTune?: boolean;
  /**
   * The worker: a URL of the bundled `runtime/worker.js` (or `runtime/worker-webgpu.js`), a factory, or a started
   * Worker (no restart after a crash then). Default: the entry's own worker script, started as a module worker.
   */
  readonly worker?: string | URL | (() => WorkerLike) | WorkerLike;
  /** Retry in-flight calls once on the restarted worker after a crash (default true). */
  readonly retryOnCrash?: boolean;
  readonly onProgress?: ProgressCallback;
}

function pageBase(): string {
  const loc = (globalThis as { location?: { href: string } }).location;
  return loc?.href ?? 'http://localhost/';
}

/** A model given file by file (as `modelFiles` of `@semroute/model-mini`): file name in the folder → URL. */
export type ModelFileUrls = Readonly<Record<string, string | URL>>;

const isFileMap = (m: BrowserClassifierOptions['model']): m is ModelFileUrls => typeof m === 'object' && m !== null && !(m instanceof URL);

/** Model files come from the page's origin (or are local data:/blob: URLs) unless remote models are opted into. */
function checkOrigin(u: URL, base: string, allowRemoteModels: boolean | undefined): void {
  const page = new URL(base);
  if (u.origin !== page.origin && !allowRemoteModels && u.protocol !== 'blob:' && u.protocol !== 'data:') {
    throw new ClassifierError(
      `model URL ${u.href} is on another origin than the page (${page.origin}); pass { allowRemoteModels: true } to allow it`,
    );
  }
}

/**
 * Resolves a model given file by file against the page, enforcing the same-origin default. The map must hold
 * `config.json`, `tokenizer.json`, `heads.json` and at least one graph (`onnx/model_quantized.onnx` or `onnx/model.onnx`).
 */
export function resolveModelFiles(files: ModelFileUrls, allowRemoteModels?: boolean, base = pageBase()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, url] of Object.entries(files)) {
    const u = new URL(String(url), base);
    checkOrigin(u, base, allowRemoteModels);
    out[name] = u.href;
  }
  const missing = ['config.json', 'tokenizer.json', 'heads.json'].filter((f) => !(f in out));
  if (!Object.values(MODEL_FILES).some((f) => f in out)) missing.push(Object.values(MODEL_FILES).join(' or '));
  if (missing.length) {
    throw new ClassifierError(`the model's file map lacks ${missing.join(', ')} (has: ${Object.keys(out).join(', ') || 'nothing'})`);
  }
  return out;
}

/** Resolves where model files come from, enforcing the same-origin default. */
export function resolveModelBase(o: { model?: string | URL; huggingFace?: string; revision?: string; allowRemoteModels?: boolean }, base = pageBase()): string {
  if (o.huggingFace !== undefined) {
    if (!o.allowRemoteModels) {
      throw new ClassifierError(`loading '${o.huggingFace}' from the Hugging Face Hub needs { allowRemoteModels: true }`);
    }
    if (!/^[\w.-]+\/[\w.-]+$/.test(o.huggingFace)) throw new ClassifierError(`invalid Hugging Face model id '${o.huggingFace}' (expected 'org/name')`);
    return `https://huggingface.co/${o.huggingFace}/resolve/${encodeURIComponent(o.revision ?? 'main')}/`;
  }
  const u = new URL(o.model === undefined ? 'models/semroute-mini/' : String(o.model), base);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  checkOrigin(u, base, o.allowRemoteModels);
  return u.href;
}

/** Starts the entry's default worker (see the module doc). */
export type StartDefaultWorker = () => WorkerLike;

/** Name given to the classifier worker (ORT's own pthread workers are `em-pthread*`). */
export const CLASSIFIER_WORKER_NAME = 'semroute-classifier';

function startWorker(spec: BrowserClassifierOptions['worker'], startDefault: StartDefaultWorker | undefined): { worker: WorkerLike; restartable: boolean } {
  if (spec === undefined) {
    if (!startDefault) throw new ClassifierError('no classifier worker: pass `worker` (a URL of the bundled runtime/worker.js, a factory or a Worker)');
    return { worker: startDefault(), restartable: true };
  }
  if (typeof spec === 'string' || spec instanceof URL) return { worker: new Worker(spec, { type: 'module', name: CLASSIFIER_WORKER_NAME }), restartable: true };
  if (typeof spec === 'function') return { worker: spec(), restartable: true };
  return { worker: spec, restartable: false };
}

interface InFlight {
  onCrash(err: ClassifierError): void;
}

/** A {@link Classifier} whose model runs in a web worker. */
export class WorkerClassifier implements Classifier {
  #backend = '';
  #info: WebInitResult | null = null;
  readonly #o: BrowserClassifierOptions;
  readonly #init: WebInitOptions;
  readonly #startDefault: StartDefaultWorker | undefined;
  #worker: WorkerLike | null = null;
  #remote: Remote<WorkerApi> | null = null;
  #restartable = true;
  #ready: Promise<void> = Promise.resolve();
  #inflight = new Set<InFlight>();
  #disposed = false;
  #onError = (ev: Event): void => this.#crashed(ev);
  /** Worker restarts so far. */
  restarts = 0;

  private constructor(o: BrowserClassifierOptions, init: WebInitOptions, startDefault: StartDefaultWorker | undefined) {
    this.#o = o;
    this.#init = init;
    this.#startDefault = startDefault;
  }

  /**
   * Starts the worker, loads the model, and resolves once the first backend is ready. `startDefault` starts the
   * worker when `o.worker` is absent (the entries pass theirs).
   */
  static async create(o: BrowserClassifierOptions = {}, startDefault?: StartDefaultWorker): Promise<WorkerClassifier> {
    const { model, ...rest } = o;
    const init: WebInitOptions = {
      ...(isFileMap(model)
        ? { modelBase: pageBase(), modelFiles: resolveModelFiles(model, o.allowRemoteModels) }
        : { modelBase: resolveModelBase({ ...rest, ...(model !== undefined && { model }) }) }),
      ...(o.backend !== undefined && { backend: o.backend }),
      ...(o.dtype !== undefined && { dtype: o.dtype }),
      ...(o.threads !== undefined && { threads: o.threads }),
      ...(o.wasmPaths !== undefined && { wasmPaths: new URL(String(o.wasmPaths), pageBase()).href }),
      ...(o.cache !== undefined && { cache: o.cache }),
      ...(o.autoTune !== undefined && { autoTune: o.autoTune }),
      ...(o.windows !== undefined && { windows: o.windows }),
      ...(o.batching !== undefined && { batching: o.batching }),
      ...(o.heads !== undefined && {
        heads: Object.fromEntries(
          Object.entries(o.heads).map(([k, h]) => [k, { ...h, model: resolveModelBase({ model: h!.model, allowRemoteModels: o.allowRemoteModels }) }]),
        ),
      }),
    };
    const c = new WorkerClassifier(o, init, startDefault);
    c.#ready = c.#start(o.onProgress);
    await c.#ready;
    return c;
  }

  get backend(): string {
    return this.#backend;
  }

  /** What the worker chose at load: backend, dtype, fallbacks, auto timings. */
  get info(): WebInitResult | null {
    return this.#info;
  }

  async #start(onProgress?: ProgressCallback): Promise<void> {
    const { worker, restartable } = startWorker(this.#o.worker, this.#startDefault);
    this.#restartable = restartable;
    this.#worker = worker;
    worker.addEventListener('error', this.#onError);
    worker.addEventListener('messageerror', this.#onError);
    const remote = wrap<WorkerApi>(worker as unknown as Worker);
    this.#remote = remote;
    // Init can itself crash the worker: race it against the crash signal.
    const info = await new Promise<WebInitResult>((resolve, reject) => {
      const entry: InFlight = { onCrash: reject };
      this.#inflight.add(entry);
      remote
        .init(this.#init, onProgress ? proxy(onProgress) : undefined)
        .then(resolve, (e: unknown) => reject(asClassifierError(e, 'classifier worker failed to load the model')))
        .finally(() => this.#inflight.delete(entry));
    });
    this.#info = info;
    this.#backend = info.backend;
  }

  #crashed(ev: Event): void {
    if (this.#disposed) return;
    const msg = (ev as ErrorEvent).message || ev.type;
    (ev as ErrorEvent).preventDefault?.();
    const victims = [...this.#inflight];
    this.#inflight.clear();
    this.#teardown();
    if (this.#restartable) {
      this.restarts++;
      console.warn(`[semroute] classifier worker crashed (${msg}); restarting it`);
      this.#ready = this.#start();
      this.#ready.catch(() => undefined);
    } else {
      this.#ready = Promise.reject(new ClassifierError(`classifier worker crashed (${msg}) and was passed as an instance, so it cannot be restarted`));
      this.#ready.catch(() => undefined);
    }
    const err = new ClassifierError(`classifier worker crashed: ${msg}`);
    for (const v of victims) v.onCrash(err);
  }

  #teardown(): void {
    const w = this.#worker;
    if (!w) return;
    w.removeEventListener('error', this.#onError);
    w.removeEventListener('messageerror', this.#onError);
    try {
      this.#remote?.[releaseProxy]();
    } catch {
      // endpoint already gone
    }
    w.terminate();
    this.#worker = null;
    this.#remote = null;
  }

  classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]> {
    return this.#call(texts, options, 0);
  }

  async #call(texts: readonly string[], options: ClassifyOptions | undefined, attempt: number): Promise<ClassifierSignals[]> {
    if (this.#disposed) throw new ClassifierError('classifier has been disposed');
    // A crash while we wait replaces #ready (restart): wait for the worker that will actually serve us.
    for (let r = this.#ready; ; r = this.#ready) {
      await r;
      if (r === this.#ready) break;
    }
    if (this.#disposed) throw new ClassifierError('classifier has been disposed');
    const remote = this.#remote;
    if (!remote) throw new ClassifierError('classifier worker is not running');
    return new Promise<ClassifierSignals[]>((resolve, reject) => {
      let settled = false;
      const entry: InFlight = {
        onCrash: (err) => {
          if (settled) return;
          settled = true;
          if (attempt === 0 && this.#o.retryOnCrash !== false && this.#restartable) {
            this.#call(texts, options, 1).then(resolve, (e: unknown) =>
              reject(new ClassifierError(`classifier worker crashed and the retry failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })),
            );
          } else {
            reject(err);
          }
        },
      };
      this.#inflight.add(entry);
      remote.classify([...texts], options).then(
        (r) => {
          this.#inflight.delete(entry);
          if (!settled) {
            settled = true;
            resolve(r);
          }
        },
        (e: unknown) => {
          this.#inflight.delete(entry);
          if (!settled) {
            settled = true;
            reject(asClassifierError(e, 'classification failed in the worker'));
          }
        },
      );
    });
  }

  /** Test hook: makes the worker throw an uncaught error, as a crash would. */
  async crashForTest(): Promise<void> {
    await this.#remote?.crashForTest();
  }

  /** Releases the model in the worker (waiting at most a second) and terminates the worker. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await Promise.race([this.#remote?.dispose(), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // worker may already be gone
    }
    const err = new ClassifierError('classifier has been disposed');
    for (const v of this.#inflight) v.onCrash(err);
    this.#inflight.clear();
    this.#teardown();
  }
}

function asClassifierError(e: unknown, what: string): ClassifierError {
  if (e instanceof Error && e.name === 'ClassifierError') return new ClassifierError(e.message, { cause: e });
  return new ClassifierError(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Options of the browser `createRouter()`: the router config plus everything `createBrowserClassifier` takes. */
export interface CreateBrowserRouterOptions extends BrowserClassifierOptions {
  /** RouterConfig, or YAML/JSON text. Default: the bundled default config. */
  readonly config?: ConfigInput;
}

/** An entry's `createRouter`: starts the classifier worker (`startDefault` unless `options.worker`) and builds the Router. */
export function createRouterWith(options: CreateBrowserRouterOptions, startDefault: StartDefaultWorker): Promise<Router> {
  return routerWith(options.config, () => WorkerClassifier.create(options, startDefault));
}
