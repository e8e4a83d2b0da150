/**
 * Edge runtime (Cloudflare Workers / workerd, Deno, Bun, any runtime with `fetch` and WebAssembly): the classifier
 * on onnxruntime-web's WASM build, run inline on the request's thread (no Web Worker, one thread, no Node
 * built-ins). Model files come from a URL (`fetch`, or a Worker binding's `fetch`: static assets, a service),
 * a loader function (R2, KV, a file read), or bytes the caller already has. Nothing is cached across isolates:
 * build once per isolate (see `createFetchHandler`'s lazy router) and reuse.
 * @module
 */
import { ClassifierError } from '../errors.js';
import type { Router } from '../router.js';
import { parseModelSpec } from './artifacts.js';
import { MODEL_FILES, type ModelDtype, backendLabel, parseDtype } from './backends.js';
import { ByoHead, groupHeadModels, validateOverrides, withModelTower } from './byo.js';
import { type EngineOptions, ModelClassifier } from './classifier.js';
import { withModelNer } from './model-ner.js';
import { type ConfigInput, routerWith } from './create-router.js';
import { type Ort, compileOrtWasm, loadOrtWasm, wasmHeapBytes, withPrecompiledOrt } from './ort-wasm-inline.js';
import { webByoRunner } from './ort-web-byo.js';
import { serialized, webRunner } from './ort-web-runner.js';
import type { ProgressCallback } from './progress.js';
import { ModelTokenizer } from './tokenizer.js';

/** A `fetch`-like function: the global `fetch`, or a binding's (`env.ASSETS.fetch.bind(env.ASSETS)`). */
export type EdgeFetch = (input: string, init?: RequestInit) => Promise<Response>;

/** File contents as a loader may return them (`undefined`/`null`: the file does not exist). */
export type FileContents = Response | ArrayBuffer | ArrayBufferView | string | null | undefined;

/** Reads one file of the model folder, by its path relative to the folder (`config.json`, `onnx/model_quantized.onnx`). */
export type ModelFileLoader = (file: string) => Promise<FileContents> | FileContents;

/**
 * The model folder's files by relative path (at least `config.json`, `tokenizer.json`, `heads.json` and the ONNX file):
 * their contents, or a `URL` to fetch (as `modelFiles` of `@semroute/model-mini` gives them: `file:` URLs in Deno and
 * Bun, whose `fetch` reads files).
 */
export type ModelFiles = Readonly<Record<string, FileContents | URL>>;

/** ORT's WebAssembly binary: a compiled module (required on Cloudflare Workers), its bytes, or a URL to fetch. */
export type WasmInput = WebAssembly.Module | ArrayBuffer | ArrayBufferView | string | URL;

export interface EdgeClassifierOptions extends EngineOptions {
  /** The model folder: a base URL (fetched with {@link fetch}), a loader function, or the files themselves. */
  readonly model: string | URL | ModelFileLoader | ModelFiles;
  /**
   * `ort-wasm-simd-threaded.wasm` from onnxruntime-web 1.30 (`onnxruntime-web/dist/`). On Cloudflare Workers import it
   * as a module and pass the WebAssembly.Module; elsewhere bytes or a URL work too.
   */
  readonly wasm: WasmInput;
  /** Used for URLs (`model`, `wasm`, custom heads). Default: the global `fetch`. */
  readonly fetch?: EdgeFetch;
  /** Model variant (default `int8`: the WASM build runs dynamic int8 fastest). */
  readonly dtype?: 'auto' | ModelDtype;
  readonly onProgress?: ProgressCallback;
}

export interface CreateEdgeRouterOptions extends EdgeClassifierOptions {
  /** A RouterConfig, or YAML/JSON text. Default: `defaultConfig()`. */
  readonly config?: ConfigInput;
}

const isView = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v);

async function toBytes(v: FileContents, what: string): Promise<Uint8Array | undefined> {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (typeof (v as Response).arrayBuffer === 'function') {
    const res = v as Response;
    if (res.status === 404) return undefined;
    if (!res.ok) throw new ClassifierError(`could not load ${what}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }
  throw new ClassifierError(`could not load ${what}: unsupported value (expected a Response, bytes or text)`);
}

async function fetchFile(fetchFn: EdgeFetch, url: string): Promise<FileContents> {
  try {
    return await fetchFn(url);
  } catch (cause) {
    throw new ClassifierError(`could not fetch ${url}`, { cause });
  }
}

/** One reader over the four ways of giving a model folder. */
function folderReader(model: EdgeClassifierOptions['model'], fetchFn: EdgeFetch): (file: string) => Promise<Uint8Array | undefined> {
  if (typeof model === 'string' || model instanceof URL) {
    const base = new URL(String(model));
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    return async (file) => toBytes(await fetchFile(fetchFn, new URL(file, base).href), new URL(file, base).href);
  }
  if (typeof model === 'function') return async (file) => toBytes(await model(file), file);
  return async (file) => {
    const v = model[file];
    return v instanceof URL ? toBytes(await fetchFile(fetchFn, v.href), v.href) : toBytes(v, file);
  };
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new ClassifierError(`${file} is not valid JSON`, { cause });
  }
}

async function wasmModuleOf(wasm: WasmInput | undefined, fetchFn: EdgeFetch): Promise<WebAssembly.Module> {
  if (wasm === undefined || wasm === null) {
    throw new ClassifierError('createEdgeClassifier: `wasm` is required (ORT\'s ort-wasm-simd-threaded.wasm as a WebAssembly.Module, bytes, or a URL)');
  }
  if (wasm instanceof WebAssembly.Module) return wasm;
  const bytes = typeof wasm === 'string' || wasm instanceof URL ? await toBytes(await fetchFile(fetchFn, String(wasm)), String(wasm)) : await toBytes(wasm, 'wasm');
  if (!bytes) throw new ClassifierError(`ORT WebAssembly binary not found: ${String(wasm)}`);
  return compileOrtWasm(bytes);
}

const createSession = (ort: Ort, module: WebAssembly.Module, bytes: Uint8Array) =>
  serialized(() => withPrecompiledOrt(module, () => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' })));

/** Loads the model and ORT's WASM, and returns a warmed-up classifier (backend label `wasm-simd`). */
export async function createEdgeClassifier(o: EdgeClassifierOptions): Promise<ModelClassifier> {
  const fetchFn: EdgeFetch = o.fetch ?? ((input, init) => fetch(input, init));
  const dtype: ModelDtype = parseDtype(o.dtype) ?? 'int8';
  const read = folderReader(o.model, fetchFn);
  const need = async (file: string): Promise<Uint8Array> => {
    const b = await read(file);
    if (!b) throw new ClassifierError(`model file ${file} not found`);
    o.onProgress?.({ phase: 'fetch', file, loaded: b.byteLength, total: b.byteLength });
    return b;
  };
  const [config, tokenizerJson, tokenizerConfig, heads, module] = await Promise.all([
    need('config.json').then((b) => parseJson(b, 'config.json')),
    need('tokenizer.json').then((b) => parseJson(b, 'tokenizer.json')),
    read('tokenizer_config.json').then((b) => (b ? parseJson(b, 'tokenizer_config.json') : {})),
    need('heads.json').then((b) => parseJson(b, 'heads.json')),
    wasmModuleOf(o.wasm, fetchFn),
  ]);
  const spec = parseModelSpec(config, heads);
  const tokenizer = new ModelTokenizer(tokenizerJson, tokenizerConfig);
  // The model's NER file (heads.json pii `ner`), read like the model's other files (URL, reader function or file map).
  const engine = await withModelNer(o, spec, need);
  const ort = await loadOrtWasm();
  const label = backendLabel('wasm', 1);
  o.onProgress?.({ phase: 'session', loaded: 0, total: 0, backend: label });
  // The model bytes are only referenced until ORT has copied them into its heap.
  const session = await createSession(ort, module, await need(MODEL_FILES[dtype]));

  const custom: ByoHead[] = [];
  for (const g of groupHeadModels(withModelTower(validateOverrides(o.heads), spec))) {
    // The model's own towers are read like the model's files (URL, reader function or file map alike).
    const at = g.inModelFolder ? (f: string) => read(`${g.model}/${f}`) : folderReader(g.model, fetchFn);
    const headFile = async (f: string): Promise<Uint8Array> => {
      const b = await at(f);
      if (!b) throw new ClassifierError(`custom head '${g.heads.map(([h]) => h).join("', '")}': ${f} not found`);
      return b;
    };
    custom.push(
      await ByoHead.load(
        g.heads,
        {
          json: async (f) => parseJson(await headFile(f), f),
          tokenizer: (tj, tc) => new ModelTokenizer(tj, tc),
          runner: async (file, outputs) => webByoRunner(ort, await createSession(ort, module, await headFile(file)), outputs),
        },
        spec,
        o.batching,
      ),
    );
  }
  const classifier = new ModelClassifier(tokenizer, spec, webRunner(ort, session), label, engine, custom);
  o.onProgress?.({ phase: 'warmup', loaded: 0, total: 0, backend: label });
  await classifier.classify(['warm up']);
  o.onProgress?.({ phase: 'ready', loaded: 0, total: 0, backend: label });
  return classifier;
}

/** Config + edge classifier → a ready Router. */
export async function createRouter(o: CreateEdgeRouterOptions): Promise<Router> {
  return routerWith(o.config, () => createEdgeClassifier(o));
}

/** What this isolate holds: ORT's WebAssembly heap (bytes; undefined before the first model load). */
export function edgeMemory(): { wasmHeapBytes: number | undefined } {
  return { wasmHeapBytes: wasmHeapBytes() };
}
