/**
 * Browser runtime, worker side: onnxruntime-web on WebGPU or WASM SIMD (multi-threaded when the page is
 * cross-origin isolated). Runs only inside the module worker started by browser.ts. All ORT-web runs are
 * chained on one promise (WASM and WebGPU sessions must not run concurrently).
 *
 * Each target loads its own ORT-web build: `onnxruntime-web/wasm` (plain SIMD wasm) for WASM and
 * `onnxruntime-web/webgpu` for WebGPU. The WebGPU-capable build also runs the WASM provider, but about 2× slower
 * (measured here), so the WASM path never pays for it. Bundlers emit each as its own chunk.
 * @module
 */
import type * as OrtWeb from 'onnxruntime-web';
import { ClassifierError } from '../errors.js';
import { parseModelSpec } from './artifacts.js';
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
import { serialized, webByoRunner, webRunner } from './ort-web-runner.js';
import { ByoHead, type ByoHeadName, validateOverrides } from './byo.js';
import { ISOLATION_HEADERS, runtimeEnv } from './env.js';
import type { ProgressCallback } from './progress.js';
import { ModelTokenizer } from './tokenizer.js';
import { DEFAULT_CACHE_NAME, fetchBytes, fetchJson } from './web-loader.js';

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
}

type Ort = typeof OrtWeb;
type Session = OrtWeb.InferenceSession;

const modules = new Map<string, Promise<Ort>>();
/** The ORT-web build for a target, loaded once and configured before its first session. */
function ortFor(target: ExecutionTarget, threads: number, wasmPaths: string | undefined): Promise<Ort> {
  const key = target === 'webgpu' ? 'webgpu' : 'wasm';
  let m = modules.get(key);
  if (!m) {
    m = (key === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((mod) => {
      const ort = ((mod as { default?: Ort }).default ?? mod) as Ort;
      ort.env.wasm.numThreads = threads;
      ort.env.wasm.proxy = false;
      if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
      return ort;
    });
    modules.set(key, m);
  }
  return m;
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

/** Loads everything and returns a ready classifier plus what was chosen. */
export async function createWebClassifier(o: WebInitOptions, onProgress?: ProgressCallback): Promise<{ classifier: ModelClassifier; info: WebInitResult }> {
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

  const [config, tokenizerJson, tokenizerConfig, heads] = await Promise.all([
    fetchJson(url('config.json'), fo('config.json')),
    fetchJson(url('tokenizer.json'), fo('tokenizer.json')),
    Promise.resolve()
      .then(() => fetchJson(url('tokenizer_config.json'), fo('tokenizer_config.json')))
      .catch(() => ({})),
    fetchJson(url('heads.json'), fo('heads.json')),
  ]);
  const spec = parseModelSpec(config, heads);
  const tokenizer = new ModelTokenizer(tokenizerJson, tokenizerConfig);

  const candidates = backendCandidates(choice, 'web', { webgpuApi: runtimeEnv.HAS_WEBGPU_API });
  const fallbacks: string[] = [];
  const bytes = new Map<ModelDtype, Uint8Array>();
  const build = async (target: ExecutionTarget): Promise<Built> => {
    if (target === 'webgpu') {
      const why = await hasWebGpuAdapter();
      if (why) throw new ClassifierError(why);
    }
    const dtype = dtypeOpt ?? defaultDtypeFor(target, files ? (f) => f in files : undefined);
    let b = bytes.get(dtype);
    if (!b) {
      b = await fetchBytes(url(MODEL_FILES[dtype]), fo(MODEL_FILES[dtype]));
      bytes.set(dtype, b);
    }
    onProgress?.({ phase: 'session', loaded: b.byteLength, total: b.byteLength, backend: target });
    const ort = await ortFor(target, threads, o.wasmPaths);
    const session = await serialized(() =>
      ort.InferenceSession.create(b, { executionProviders: [target === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: 'all' }),
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

  const custom: ByoHead[] = [];
  const overrides = validateOverrides(o.heads);
  for (const [head, h] of Object.entries(overrides) as [ByoHeadName, NonNullable<(typeof overrides)[ByoHeadName]>][]) {
    const at = (f: string): string => new URL(f, h.model.endsWith('/') ? h.model : `${h.model}/`).href;
    custom.push(
      await ByoHead.load(
        head,
        h,
        {
          json: (f) => fetchJson(at(f), fo(f)),
          tokenizer: (tj, tc) => new ModelTokenizer(tj, tc),
          runner: async (file, output, kind) => {
            const b = await fetchBytes(at(file), fo(file));
            const ort = chosen!.ort;
            const session = await serialized(() =>
              ort.InferenceSession.create(b, { executionProviders: [chosen!.target === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: 'all' }),
            );
            return webByoRunner(ort, session, output, kind);
          },
        },
        spec,
        o.batching,
      ),
    );
  }
  // WebGPU compiles shaders per input shape: keep shapes to a few buckets there.
  const engine: EngineOptions = chosen.target === 'webgpu' ? { ...o, batching: { padShapes: true, ...o.batching } } : o;
  const classifier = new ModelClassifier(tokenizer, spec, webRunner(chosen.ort, chosen.session), chosen.label, engine, custom);
  onProgress?.({ phase: 'warmup', loaded: 0, total: 0, backend: chosen.label });
  await classifier.classify(['warm up']);
  onProgress?.({ phase: 'ready', loaded: 0, total: 0, backend: chosen.label });
  return { classifier, info: { backend: chosen.label, dtype: chosen.dtype, fallbacks, ...(timings ? { timings } : {}) } };
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
