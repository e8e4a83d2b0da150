/**
 * Browser runtime, worker side: onnxruntime-web on WASM SIMD (multi-threaded when the page is cross-origin
 * isolated) or, opt-in, WebGPU. Runs only inside a module worker started by browser.ts. All ORT-web runs are
 * chained on one promise (WASM and WebGPU sessions must not run concurrently).
 *
 * Each target loads its own ORT-web build, handed in by the worker entry as an import function: `worker.ts` (the
 * default, `@semroute/core/browser`) knows only `onnxruntime-web/wasm`, so a bundler emits one ORT `.wasm` (14 MB);
 * `worker-webgpu.ts` (`@semroute/core/browser-webgpu`) adds `onnxruntime-web/webgpu` and its 27 MB asyncify `.wasm`.
 * The WebGPU-capable build also runs the WASM provider, but about 2× slower (measured here), so WASM always uses
 * the plain build.
 *
 * Cold start: the model download, the model metadata and the ORT runtime (module import, then streaming
 * compilation and instantiation of its `.wasm`, started by a tiny bootstrap session) all start at once; the model
 * session is created when both the bytes and the runtime are there. No warm-up inference runs before `ready`: the
 * first real call is the warm-up.
 * @module
 */
import { expose } from 'comlink';
import type * as OrtWeb from 'onnxruntime-web';
import { ClassifierError } from '../errors.js';
import { hasModelTower, parseModelSpec } from './artifacts.js';
import {
  type BackendChoice,
  type ExecutionTarget,
  MODEL_FILES,
  type ModelDtype,
  backendCandidates,
  backendLabel,
  defaultDtypeFor,
  parseBackendChoice,
  parseDtype,
} from './backends.js';
import { type EngineOptions, ModelClassifier } from './classifier.js';
import { withModelNer } from './model-ner.js';
import { serialized, webRunner } from './ort-web-runner.js';
import { ISOLATION_HEADERS, runtimeEnv } from './env.js';
import type { ProgressCallback } from './progress.js';
import { ModelTokenizer } from './tokenizer.js';
import { DEFAULT_CACHE_NAME, fetchBytes, fetchJson } from './web-loader.js';
import { createWorkerApi } from './worker-api.js';

/** Options the main thread sends to the worker (structured-cloneable). */
export interface WebInitOptions extends EngineOptions {
  /** Absolute base URL of the model folder (ends with `/`). */
  readonly modelBase: string;
  /** The model file by file (absolute URLs by file name), instead of `modelBase` (e.g. bundler-emitted assets). */
  readonly modelFiles?: Readonly<Record<string, string>>;
  readonly backend?: BackendChoice;
  readonly dtype?: 'auto' | ModelDtype;
  /** WASM threads; clamped to 1 when the page is not cross-origin isolated. */
  readonly threads?: number;
  /** Base URL of ORT's `.wasm`/`.mjs` files. Default: next to ORT's own module (your bundle's assets). */
  readonly wasmPaths?: string;
  /** Cache API name, or false. */
  readonly cache?: string | false;
  /** In `auto`, time WebGPU against WASM once at load and keep the faster (default true). */
  readonly autoTune?: boolean;
}

/** What the browser worker chose when it loaded the model. */
export interface WebInitResult {
  readonly backend: string;
  readonly dtype: ModelDtype;
  readonly fallbacks: readonly string[];
  /** Millisecond timings per backend when `auto` compared them. */
  readonly timings?: Readonly<Record<string, number>>;
  /**
   * Where the load time went, in milliseconds since init started in the worker: `[start, end]` of each step
   * (`metadata`: config, tokenizer, heads fetched and parsed; `tokenizer`: the tokenizer built from them; `model`:
   * the ONNX bytes; `runtime`: `ort-import` (ORT's module) then `wasm` (its `.wasm` fetched, compiled and
   * instantiated, thread pool started); `session`: the model's inference session). Steps overlap: they run in
   * parallel where they can. Each is also a `semroute:<step>` performance measure in the worker.
   */
  readonly loadTimeline?: Readonly<Record<string, readonly [number, number]>>;
}

type Ort = typeof OrtWeb;
type Session = OrtWeb.InferenceSession;

/** Imports one ORT-web build (`import('onnxruntime-web/wasm')`): written in the worker entry, so bundlers see it. */
export type OrtImport = () => Promise<unknown>;

/** The ORT-web builds a worker entry ships: WASM always, WebGPU only in the opt-in entry. */
export interface WebRuntimes {
  readonly wasm: OrtImport;
  readonly webgpu?: OrtImport;
}

/** Why `webgpu` cannot start from the default entry (the fallback reason shown to the app). */
export const WEBGPU_NOT_BUNDLED =
  "WebGPU is opt-in and not in this bundle: import createRouter from '@semroute/core/browser-webgpu' to enable it";

const modules = new Map<string, Promise<Ort>>();
/** The ORT-web build for a target, loaded once and configured before its first session. */
function ortFor(runtimes: WebRuntimes, target: ExecutionTarget, threads: number, wasmPaths: string | undefined): Promise<Ort> {
  const key = target === 'webgpu' ? 'webgpu' : 'wasm';
  let m = modules.get(key);
  if (!m) {
    const load = key === 'webgpu' ? runtimes.webgpu : runtimes.wasm;
    if (!load) return Promise.reject(new ClassifierError(WEBGPU_NOT_BUNDLED));
    m = load().then((mod) => {
      const ort = ((mod as { default?: Ort }).default ?? mod) as Ort;
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.proxy = false;
      if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
      return ort;
    });
    modules.set(key, m);
    m.catch(() => modules.delete(key));
  }
  return m;
}

/**
 * The smallest valid ONNX model (opset 13, one `Identity` on a float[1]), 63 bytes of protobuf. Creating a session
 * on it makes ORT fetch, compile (streaming) and instantiate its `.wasm` and start its thread pool, which it would
 * otherwise do only when the real model's bytes have arrived; released at once.
 */
const BOOTSTRAP_MODEL = new Uint8Array([
  0x08, 0x07, 0x3a, 0x37, 0x0a, 0x10, 0x0a, 0x01, 0x78, 0x12, 0x01, 0x79, 0x22, 0x08, 0x49, 0x64, 0x65, 0x6e, 0x74,
  0x69, 0x74, 0x79, 0x12, 0x01, 0x67, 0x5a, 0x0f, 0x0a, 0x01, 0x78, 0x12, 0x0a, 0x0a, 0x08, 0x08, 0x01, 0x12, 0x04,
  0x0a, 0x02, 0x08, 0x01, 0x62, 0x0f, 0x0a, 0x01, 0x79, 0x12, 0x0a, 0x0a, 0x08, 0x08, 0x01, 0x12, 0x04, 0x0a, 0x02,
  0x08, 0x01, 0x42, 0x02, 0x10, 0x0d,
]);

/**
 * Graph optimisation of the model's session. int8 on WASM (the default): none. ORT's rewrites of that graph cost
 * session time on every load and made WASM inference slower, not faster (ORT-web 1.30's WASM build in Node, one
 * thread, CPU time on the loaded 2-core VM: session 270-330 ms vs 380-500 ms with `all`, a 48-token run 45-60 ms vs
 * ~100 ms, 256 tokens 110-270 ms vs 170-650 ms; in Chromium, 4 A/B runs, a cold load used 2.4 s of CPU instead of
 * 2.8 s). Logits move by at most 6e-6, far inside the int8 parity tolerance (5e-2); the parity tests keep the
 * decisions identical. fp32 (unmeasured here, and WebGPU's fused kernels) and your own heads keep `all`.
 */
function graphOptimizationFor(target: ExecutionTarget, dtype: ModelDtype): 'disabled' | 'all' {
  return target !== 'webgpu' && dtype === 'int8' ? 'disabled' : 'all';
}

const booted = new Map<string, Promise<void>>();
/** Starts ORT's runtime for a target (see {@link BOOTSTRAP_MODEL}); resolves when it can create sessions. */
function bootRuntime(ort: Ort, target: ExecutionTarget): Promise<void> {
  const key = target === 'webgpu' ? 'webgpu' : 'wasm';
  let b = booted.get(key);
  if (!b) {
    b = serialized(async () => {
      const s = await ort.InferenceSession.create(BOOTSTRAP_MODEL, { executionProviders: ['wasm'] });
      await s.release();
    });
    booted.set(key, b);
    b.catch(() => booted.delete(key));
  }
  return b;
}

async function hasWebGpuAdapter(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'navigator.gpu is not available';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'no WebGPU adapter';
  } catch (e) {
    return `requestAdapter failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Picks the thread count and warns once (console) when isolation is missing. */
function wasmThreads(requested: number | undefined): number {
  const want = requested ?? Math.min(4, Math.max(1, Math.ceil(runtimeEnv.HARDWARE_CONCURRENCY / 2)));
  if (want > 1 && !runtimeEnv.IS_CROSS_ORIGIN_ISOLATED) {
    console.warn(
      `[semroute] the page is not cross-origin isolated, so WASM runs single-threaded. ` +
        `Serve the page with these headers for multi-threaded inference: ${ISOLATION_HEADERS.join('; ')}`,
    );
    return 1;
  }
  return Math.max(1, want);
}

interface Built {
  target: ExecutionTarget;
  dtype: ModelDtype;
  ort: Ort;
  session: Session;
  label: string;
}

/** Loads everything and returns a ready classifier plus what was chosen. `runtimes`: the ORT builds this worker ships. */
export async function createWebClassifier(
  o: WebInitOptions,
  onProgress: ProgressCallback | undefined,
  runtimes: WebRuntimes,
): Promise<{ classifier: ModelClassifier; info: WebInitResult }> {
  const t0 = performance.now();
  const loadTimeline: Record<string, readonly [number, number]> = {};
  /**
   * Records `[start, end]` of a load step (first run of each name; later runs are fallbacks or extra heads), also
   * as a `semroute:<step>` performance measure of this worker (DevTools' timeline; e2e/bench/cold-start.ts reads them).
   */
  const step = <T>(name: string, p: Promise<T>): Promise<T> => {
    const start = performance.now();
    return p.then((v) => {
      if (!(name in loadTimeline)) {
        const end = performance.now();
        loadTimeline[name] = [Math.round(start - t0), Math.round(end - t0)];
        performance.measure(`semroute:${name}`, { start, end });
      }
      return v;
    });
  };
  const choice = parseBackendChoice(o.backend);
  const dtypeOpt = parseDtype(o.dtype);
  const cacheName = o.cache === undefined ? DEFAULT_CACHE_NAME : o.cache;
  const files = o.modelFiles;
  const url = (f: string): string => {
    if (!files) return new URL(f, o.modelBase).href;
    const u = files[f];
    if (u === undefined) throw new ClassifierError(`model file ${f} is not in the model's file map (has: ${Object.keys(files).join(', ')})`);
    return u;
  };
  const fo = (file: string) => ({ cache: cacheName, onProgress, file });

  const threads = wasmThreads(o.threads);
  const candidates = backendCandidates(choice, 'web', { webgpuApi: runtimes.webgpu !== undefined && runtimeEnv.HAS_WEBGPU_API });

  // Everything the first candidate needs starts now, in parallel: metadata, model bytes, ORT runtime.
  const hasFile = files ? (f: string) => f in files : undefined;
  const bytes = new Map<ModelDtype, Promise<Uint8Array>>();
  const modelBytes = (dtype: ModelDtype): Promise<Uint8Array> => {
    let b = bytes.get(dtype);
    if (!b) {
      // url() throws for a file missing from a file map: as a rejection, like a failed fetch.
      b = step('model', Promise.resolve().then(() => fetchBytes(url(MODEL_FILES[dtype]), fo(MODEL_FILES[dtype]))));
      bytes.set(dtype, b);
      b.catch(() => bytes.delete(dtype));
    }
    return b;
  };
  const runtime = (target: ExecutionTarget): Promise<Ort> =>
    step(
      'runtime',
      step('ort-import', ortFor(runtimes, target, threads, o.wasmPaths)).then(async (ort) => {
        await step('wasm', bootRuntime(ort, target));
        return ort;
      }),
    );
  const first = candidates[0]!;
  // Started before anything is awaited; build() awaits (and rethrows) them, these catches only mark them handled.
  modelBytes(dtypeOpt ?? defaultDtypeFor(first, hasFile)).catch(() => undefined);
  runtime(first).catch(() => undefined);

  const [config, tokenizerJson, tokenizerConfig, heads] = await step(
    'metadata',
    Promise.all([
      fetchJson(url('config.json'), fo('config.json')),
      fetchJson(url('tokenizer.json'), fo('tokenizer.json')),
      Promise.resolve()
        .then(() => fetchJson(url('tokenizer_config.json'), fo('tokenizer_config.json')))
        .catch(() => ({})),
      fetchJson(url('heads.json'), fo('heads.json')),
    ]),
  );
  const spec = parseModelSpec(config, heads);
  // The model's NER file (heads.json pii `ner`), read like every model file (base URL or file map) while the session loads.
  const withNer = Promise.resolve().then(() => withModelNer(o, spec, (f) => fetchBytes(url(f), fo(f))));
  withNer.catch(() => undefined); // awaited (and rethrown) below
  const tokenizer = await step('tokenizer', Promise.resolve().then(() => new ModelTokenizer(tokenizerJson, tokenizerConfig)));

  const fallbacks: string[] = [];
  const build = async (target: ExecutionTarget): Promise<Built> => {
    if (target === 'webgpu') {
      if (!runtimes.webgpu) throw new ClassifierError(WEBGPU_NOT_BUNDLED);
      const why = await hasWebGpuAdapter();
      if (why) throw new ClassifierError(why);
    }
    const dtype = dtypeOpt ?? defaultDtypeFor(target, hasFile);
    const [b, ort] = await Promise.all([modelBytes(dtype), runtime(target)]);
    onProgress?.({ phase: 'session', loaded: b.byteLength, total: b.byteLength, backend: target });
    const session = await step(
      'session',
      serialized(() =>
        ort.InferenceSession.create(b, { executionProviders: [target === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: graphOptimizationFor(target, dtype) }),
      ),
    );
    return { target, dtype, ort, session, label: backendLabel(target, threads) };
  };

  let chosen: Built | null = null;
  for (const target of candidates) {
    try {
      chosen = await build(target);
      break;
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
      fallbacks.push(`${target}: ${reason}`);
      const next = candidates[candidates.indexOf(target) + 1];
      if (!next) throw new ClassifierError(`no backend could be initialised (tried ${candidates.join(', ')}): ${fallbacks.join('; ')}`, { cause });
      console.warn(`[semroute] backend '${target}' failed to initialise (${reason}); falling back to '${next}'`);
      onProgress?.({ phase: 'session', loaded: 0, total: 0, backend: next, fallback: `${target}: ${reason}` });
    }
  }
  if (!chosen) throw new ClassifierError('no backend could be initialised');

  let timings: Record<string, number> | undefined;
  if (choice === 'auto' && chosen.target === 'webgpu' && o.autoTune !== false) {
    // Time both once on a 64-token input and keep the faster (a software WebGPU adapter is far slower than WASM).
    try {
      const wasm = await build('wasm');
      onProgress?.({ phase: 'warmup', loaded: 0, total: 0, backend: 'auto' });
      timings = {
        [chosen.label]: await timeSession(chosen.ort, chosen.session, tokenizer.padId),
        [wasm.label]: await timeSession(wasm.ort, wasm.session, tokenizer.padId),
      };
      if (timings[wasm.label]! < timings[chosen.label]!) {
        await serialized(() => chosen!.session.release());
        chosen = wasm;
      } else {
        await serialized(() => wasm.session.release());
      }
    } catch (e) {
      console.warn(`[semroute] auto backend timing skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // Custom heads (and a model's own domain / jailbreak towers) are rare: their code is a chunk of its own, fetched only when needed (bundle budget).
  const custom = o.heads === undefined && !hasModelTower(spec) ? [] : await (await import('./ort-web-byo.js')).loadWebByoHeads(o.heads, chosen, spec, o.batching, fo, url);
  // WebGPU compiles shaders per input shape: keep shapes to a few buckets there.
  const base: EngineOptions = await withNer;
  const engine: EngineOptions = chosen.target === 'webgpu' ? { ...base, batching: { padShapes: true, ...o.batching } } : base;
  const classifier = new ModelClassifier(tokenizer, spec, webRunner(chosen.ort, chosen.session), chosen.label, engine, custom);
  // No warm-up inference here: it would only delay the first real decision, which warms the session itself.
  loadTimeline.total = [0, Math.round(performance.now() - t0)];
  onProgress?.({ phase: 'ready', loaded: 0, total: 0, backend: chosen.label });
  return { classifier, info: { backend: chosen.label, dtype: chosen.dtype, fallbacks, loadTimeline, ...(timings ? { timings } : {}) } };
}

async function timeSession(ort: Ort, session: Session, padId: number): Promise<number> {
  const S = 64;
  const ids = new BigInt64Array(S).fill(BigInt(padId + 5));
  const mask = new BigInt64Array(S).fill(1n);
  const run = (): Promise<unknown> =>
    serialized(() =>
      session.run({ input_ids: new ort.Tensor('int64', ids, [1, S]), attention_mask: new ort.Tensor('int64', mask, [1, S]) }),
    );
  await run(); // first run compiles shaders / allocates
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[1]!;
}

/**
 * What a worker entry runs: exposes the web classifier over comlink with the ORT builds it ships. ORT-web's threaded
 * build starts its pthread workers from the same script, named `em-pthread*`: those must not expose the API.
 */
export function exposeClassifierWorker(runtimes: WebRuntimes): void {
  const workerName = (globalThis as { name?: string }).name ?? '';
  if (!workerName.startsWith('em-pthread')) expose(createWorkerApi((o, onProgress) => createWebClassifier(o, onProgress, runtimes)));
}
