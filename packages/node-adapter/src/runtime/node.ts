/**
 * Node runtime: onnxruntime-node with the CUDA execution provider when requested and available, else CPU
 * with a configurable thread count. Only this file (and the web worker) import ONNX Runtime.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { ClassifierError, type Router } from '@semroute/core';
import {
  type BackendChoice,
  type BatchOutputs,
  type ByoOutputs,
  ByoHead,
  type ByoIo,
  type ConfigInput,
  type DisposableRunner,
  type EngineOptions,
  type ExecutionTarget,
  GRAPH,
  MODEL_FILES,
  ModelClassifier,
  type ModelDtype,
  type ModelSpec,
  ModelTokenizer,
  type ProgressCallback,
  backendCandidates,
  defaultDtypeFor,
  backendLabel,
  fetchOk,
  parseBackendChoice,
  parseDtype,
  parseModelSpec,
  routerWith,
  runByoSession,
  groupHeadModels,
  hasModelTower,
  validateOverrides,
  withModelNer,
  withModelTower,
} from '@semroute/core/runtime-kit';
import { threadRunner } from './node-thread.js';

export interface NodeClassifierOptions extends EngineOptions {
  /**
   * Model folder (path or `file:` URL) or an `http(s):` base URL. Default: `$SEMROUTE_MODEL_DIR`, else the installed
   * `@semroute/model-mini` package (int8 only: on CUDA, `dtype: 'auto'` then runs int8 too).
   */
  readonly model?: string | URL;
  /** `auto` (CUDA when its provider library is installed, else CPU), `cpu` or `cuda` (falls back to CPU, and says so). */
  readonly backend?: BackendChoice;
  /** Model variant; default int8 on CPU, fp32 on CUDA. */
  readonly dtype?: 'auto' | ModelDtype;
  /** CPU intra-op threads. Default: min(available cores, 4). */
  readonly threads?: number;
  /** CUDA device id (default 0). */
  readonly deviceId?: number;
  /** Load progress. */
  readonly onProgress?: ProgressCallback;
  /** Where fallback warnings go (default `console`). */
  readonly logger?: {
    /** Called once per backend that failed and was replaced by the next one. */
    warn(message: string): void;
  };
  /** Run one tiny batch after loading so the first request is not slow (default true). */
  readonly warmup?: boolean;
  /**
   * Run the ONNX session in a worker thread (CPU only) so inference does not block the event loop
   * (onnxruntime-node's `run` is synchronous on the calling thread). Default false.
   */
  readonly inferenceThread?: boolean;
  /**
   * Run N ONNX sessions in N worker threads (CPU only), each with `threads` intra-op threads; the micro-batcher then
   * runs up to N batches at once. On small CPUs N sessions × 1 thread beat one session × N threads for throughput
   * (2 cores: ~1.5× the batched decisions/s), since this model's matrices are too small to split well across threads.
   * Implies `inferenceThread`. Default 1.
   */
  readonly inferenceThreads?: number;
}

/** Node classifier: the shared engine plus what the Node runtime chose. */
export class NodeClassifier extends ModelClassifier {
  /** The model folder or URL that was loaded. */
  readonly modelLocation: string;
  /** Model variant in use. */
  readonly dtype: ModelDtype;
  /** Backends that failed before the one in use, with reasons. */
  readonly fallbacks: readonly string[];

  constructor(
    args: {
      tokenizer: ModelTokenizer;
      spec: ModelSpec;
      runner: DisposableRunner;
      backend: string;
      location: string;
      dtype: ModelDtype;
      fallbacks: string[];
      custom?: ByoHead[];
    },
    options: EngineOptions,
  ) {
    super(args.tokenizer, args.spec, args.runner, args.backend, options, args.custom);
    this.modelLocation = args.location;
    this.dtype = args.dtype;
    this.fallbacks = Object.freeze(args.fallbacks);
  }
}

/** The npm package that ships the model (a dependency of this package; in the repository: `models/semroute-mini`). */
export const MODEL_PACKAGE = '@semroute/model-mini';

/** Where the bundled model may live: `$SEMROUTE_MODEL_DIR`, then the installed {@link MODEL_PACKAGE}. */
export function defaultModelCandidates(): string[] {
  const out: string[] = [];
  const env = process.env.SEMROUTE_MODEL_DIR;
  if (env) out.push(resolve(env));
  try {
    // Resolved from this file, as Node resolves the package's own imports: found wherever npm put it.
    out.push(dirname(createRequire(import.meta.url).resolve(`${MODEL_PACKAGE}/package.json`)));
  } catch {
    out.push(`${MODEL_PACKAGE} (not installed: npm i ${MODEL_PACKAGE})`);
  }
  return out;
}

/** Model packages are named `@semroute/model-<name>`; anything else is a path or URL. */
const MODEL_PACKAGE_NAME = /^@semroute\/model-[a-z0-9][a-z0-9-]*$/;

/** Resolves the model location (a folder path, `file:` or http(s) URL, or a model package name) to a folder path or http(s) base URL. */
export function resolveModelLocation(model: string | URL | undefined): { kind: 'dir'; path: string } | { kind: 'url'; base: string } {
  if (model === undefined) {
    const tried = defaultModelCandidates();
    const found = tried.find((p) => existsSync(join(p, 'heads.json')));
    if (!found) {
      throw new ClassifierError(
        `bundled model not found; looked in: ${tried.join(', ')}. Pass { model: '<folder>' } or set SEMROUTE_MODEL_DIR`,
      );
    }
    return { kind: 'dir', path: found };
  }
  const s = model instanceof URL ? model.href : model;
  if (MODEL_PACKAGE_NAME.test(s)) {
    // A model package by name (config `global.classifier.model: "@semroute/model-plus"`), resolved from this file.
    try {
      return { kind: 'dir', path: dirname(createRequire(import.meta.url).resolve(`${s}/package.json`)) };
    } catch {
      throw new ClassifierError(`model package ${s} is not installed: npm i ${s} (or give a model folder path)`);
    }
  }
  if (/^https?:\/\//i.test(s)) return { kind: 'url', base: s.endsWith('/') ? s : `${s}/` };
  const path = s.startsWith('file:') ? fileURLToPath(s) : isAbsolute(s) ? s : resolve(process.cwd(), s);
  if (!existsSync(path)) throw new ClassifierError(`model folder not found: ${path}`);
  return { kind: 'dir', path };
}

/** True when onnxruntime-node has its CUDA execution-provider library installed (detected once). */
export const CUDA_INSTALLED: boolean = (() => {
  try {
    const req = createRequire(import.meta.url);
    const bindingDir = join(dirname(req.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(bindingDir, 'libonnxruntime_providers_cuda.so')) || existsSync(join(bindingDir, 'onnxruntime_providers_cuda.dll'));
  } catch {
    return false;
  }
})();

async function loadBytes(loc: ReturnType<typeof resolveModelLocation>, file: string, onProgress?: ProgressCallback): Promise<Uint8Array> {
  if (loc.kind === 'dir') {
    const p = join(loc.path, file);
    if (!existsSync(p)) throw new ClassifierError(`model file missing: ${p}`);
    const buf = await readFile(p);
    onProgress?.({ phase: 'fetch', file, loaded: buf.byteLength, total: buf.byteLength });
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const url = new URL(file, loc.base).href;
  const res = await fetchOk(url);
  const buf = new Uint8Array(await res.arrayBuffer());
  onProgress?.({ phase: 'fetch', file, loaded: buf.byteLength, total: buf.byteLength });
  return buf;
}

async function loadJson(loc: ReturnType<typeof resolveModelLocation>, file: string, onProgress?: ProgressCallback, optional = false): Promise<unknown> {
  if (optional && loc.kind === 'dir' && !existsSync(join(loc.path, file))) return {};
  const bytes = await loadBytes(loc, file, onProgress);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new ClassifierError(`${file} is not valid JSON`, { cause });
  }
}

/**
 * Session options. `spin: false` turns off the intra-op pool's spin-waiting: with more than one session in the process
 * (custom heads, a model's domain tower) each pool's spinning threads steal the cores the other session runs on (a
 * 128-token mini + tower call on 2 cores: 32 → 17 ms, 52 → 25 CPU-ms; the mini graph alone is level either way).
 */
function sessionOptions(target: ExecutionTarget, threads: number, deviceId: number, spin = true): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: target === 'cuda' ? [{ name: 'cuda', deviceId }] : ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
}

/** Wraps an onnxruntime-node session as a batch runner. */
export function nodeRunner(session: ort.InferenceSession): DisposableRunner {
  return {
    async run(inputIds, attentionMask, batch, seqLen): Promise<BatchOutputs> {
      const feeds = {
        input_ids: new ort.Tensor('int64', inputIds, [batch, seqLen]),
        attention_mask: new ort.Tensor('int64', attentionMask, [batch, seqLen]),
      };
      const r = await session.run(feeds);
      const get = (name: string): Float32Array => {
        const t = r[name];
        if (!t) throw new ClassifierError(`model output '${name}' missing; the graph has: ${session.outputNames.join(', ')}`);
        return t.data as Float32Array;
      };
      return { domain: get(GRAPH.domain), jailbreak: get(GRAPH.jailbreak), pii: get(GRAPH.pii), pooled: get(GRAPH.pooled) };
    },
    async dispose() {
      await session.release();
    },
  };
}

/**
 * Several runners (sessions in worker threads) behind one: each batch goes to a free one. The batcher never runs more
 * batches at once than `parallelism`, so a free runner is always there; the wait list is a safeguard.
 */
function runnerPool(runners: readonly DisposableRunner[]): DisposableRunner {
  const free = [...runners];
  const waiting: ((r: DisposableRunner) => void)[] = [];
  return {
    parallelism: runners.length,
    async run(inputIds, attentionMask, batch, seqLen) {
      const r = free.pop() ?? (await new Promise<DisposableRunner>((resolve) => waiting.push(resolve)));
      try {
        return await r.run(inputIds, attentionMask, batch, seqLen);
      } finally {
        const next = waiting.shift();
        if (next) next(r);
        else free.push(r);
      }
    },
    async dispose() {
      await Promise.all(runners.map((r) => r.dispose()));
    },
  };
}

/** A runner for a custom model's outputs (see runByoSession). */
function nodeByoRunner(session: ort.InferenceSession, outputs: ByoOutputs): DisposableRunner {
  const int64 = (data: BigInt64Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('int64', data, dims);
  return {
    run: (inputIds, attentionMask, batch, seqLen) => runByoSession(session, int64, outputs, inputIds, attentionMask, batch, seqLen),
    async dispose() {
      await session.release();
    },
  };
}

/**
 * Custom heads and the model's own towers (a sub-folder of `main`, the model location already resolved): one session
 * per custom model, heads naming the same one (the domain and jailbreak towers) sharing it.
 */
async function loadNodeByoHeads(
  options: NodeClassifierOptions,
  main: ReturnType<typeof resolveModelLocation>,
  spec: ModelSpec,
  target: ExecutionTarget,
  threads: number,
  onProgress?: ProgressCallback,
): Promise<ByoHead[]> {
  const overrides = withModelTower(validateOverrides(options.heads), spec, (folder) => (main.kind === 'dir' ? join(main.path, folder) : `${main.base}${folder}/`));
  const out: ByoHead[] = [];
  for (const group of groupHeadModels(overrides)) {
    const loc = resolveModelLocation(group.model);
    const io: ByoIo = {
      json: (f) => loadJson(loc, f, onProgress),
      tokenizer: (tj, tc) => new ModelTokenizer(tj, tc),
      runner: async (file, outputs) => {
        const bytes = await loadBytes(loc, file, onProgress);
        const session = await ort.InferenceSession.create(bytes, sessionOptions(target, threads, options.deviceId ?? 0, false));
        return nodeByoRunner(session, outputs);
      },
    };
    try {
      out.push(await ByoHead.load(group.heads, io, spec, options.batching));
    } catch (cause) {
      await Promise.all(out.map((h) => h.dispose()));
      const heads = group.heads.map(([h]) => `heads.${h}`).join(', ');
      throw cause instanceof ClassifierError ? cause : new ClassifierError(`${heads}: could not load ${group.model}`, { cause });
    }
  }
  return out;
}

/** Loads the model and picks the execution provider (fallback order from backends.ts). */
export async function createNodeClassifier(options: NodeClassifierOptions = {}): Promise<NodeClassifier> {
  const choice = parseBackendChoice(options.backend);
  const dtypeOpt = parseDtype(options.dtype);
  const threads = options.threads ?? Math.min(availableParallelism(), 4);
  if (!Number.isInteger(threads) || threads < 1) throw new ClassifierError(`threads must be a positive integer (got ${threads})`);
  const workers = options.inferenceThreads ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new ClassifierError(`inferenceThreads must be an integer from 1 to 64 (got ${workers}); e.g. the number of cores with threads: 1`);
  }
  const logger = options.logger ?? console;
  const loc = resolveModelLocation(options.model);
  const location = loc.kind === 'dir' ? loc.path : loc.base;
  const onProgress = options.onProgress;

  const [config, tokenizerJson, tokenizerConfig, heads] = await Promise.all([
    loadJson(loc, 'config.json', onProgress),
    loadJson(loc, 'tokenizer.json', onProgress),
    loadJson(loc, 'tokenizer_config.json', onProgress, true),
    loadJson(loc, 'heads.json', onProgress),
  ]);
  const spec = parseModelSpec(config, heads);
  const tokenizer = new ModelTokenizer(tokenizerJson, tokenizerConfig);
  // The model's NER file (heads.json pii `ner`) becomes the `natural_ner` PII recognizer; read like every model file.
  const engine = await withModelNer(options, spec, (f) => loadBytes(loc, f, onProgress));
  // One session in the process: let its threads spin-wait (lowest latency); several: they must not (sessionOptions).
  const spin = options.heads === undefined && !hasModelTower(spec);

  const candidates = backendCandidates(choice, 'node', { cudaInstalled: CUDA_INSTALLED });
  const fallbacks: string[] = [];
  const bytesCache = new Map<ModelDtype, Uint8Array>();
  for (const target of candidates) {
    const dtype = dtypeOpt ?? defaultDtypeFor(target, loc.kind === 'dir' ? (file) => existsSync(join(loc.path, file)) : undefined);
    try {
      let bytes = bytesCache.get(dtype);
      if (!bytes) {
        bytes = await loadBytes(loc, MODEL_FILES[dtype], onProgress);
        bytesCache.set(dtype, bytes);
      }
      onProgress?.({ phase: 'session', loaded: bytes.byteLength, total: bytes.byteLength, backend: target });
      let runner: DisposableRunner;
      let outputNames: readonly string[];
      if ((options.inferenceThread || workers > 1) && target === 'cpu') {
        const opts = sessionOptions(target, threads, options.deviceId ?? 0, spin);
        const pool: Awaited<ReturnType<typeof threadRunner>>[] = [];
        try {
          for (let i = 0; i < workers; i++) pool.push(await threadRunner(bytes, opts));
        } catch (e) {
          await Promise.all(pool.map((r) => r.dispose()));
          throw e;
        }
        runner = pool.length === 1 ? pool[0]! : runnerPool(pool);
        outputNames = pool[0]!.outputNames;
      } else {
        const session = await ort.InferenceSession.create(bytes, sessionOptions(target, threads, options.deviceId ?? 0, spin));
        runner = nodeRunner(session);
        outputNames = session.outputNames;
      }
      const missing = [GRAPH.domain, GRAPH.jailbreak, GRAPH.pii, GRAPH.pooled].filter((n) => !outputNames.includes(n));
      if (missing.length) {
        await runner.dispose();
        throw new ClassifierError(`model is missing outputs ${missing.join(', ')} (has: ${outputNames.join(', ')})`);
      }
      const label = backendLabel(target);
      let custom: ByoHead[];
      try {
        custom = await loadNodeByoHeads(options, loc, spec, target, threads, onProgress);
      } catch (e) {
        await runner.dispose();
        throw Object.assign(e as Error, { fatal: true });
      }
      // A copy: the classifier freezes its list, and a failed warm-up below still appends to this one.
      const clf = new NodeClassifier({ tokenizer, spec, runner, backend: label, location, dtype, fallbacks: [...fallbacks], custom }, engine);
      if (options.warmup !== false) {
        onProgress?.({ phase: 'warmup', loaded: 0, total: 0, backend: label });
        // A warm-up that fails (e.g. a custom head's graph output of the wrong shape) releases every session it holds.
        await clf.classify(['warm up'], {}).catch(async (e: unknown) => {
          await clf.dispose();
          throw e;
        });
      }
      onProgress?.({ phase: 'ready', loaded: bytes.byteLength, total: bytes.byteLength, backend: label });
      return clf;
    } catch (cause) {
      if ((cause as { fatal?: boolean }).fatal) throw cause;
      const reason = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause);
      const next = candidates[candidates.indexOf(target) + 1];
      fallbacks.push(`${target}: ${reason}`);
      if (!next) {
        throw new ClassifierError(`no backend could be initialised (tried ${candidates.join(', ')}): ${fallbacks.join('; ')}`, { cause });
      }
      logger.warn(`[semroute] backend '${target}' failed to initialise (${reason}); falling back to '${next}'`);
      onProgress?.({ phase: 'session', loaded: 0, total: 0, backend: next, fallback: `${target}: ${reason}` });
    }
  }
  throw new ClassifierError('unreachable: no backend candidates');
}

/** Reads a JSON file next to the model (used by tests and tools). */
export function readModelJson(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

/** Options of the Node `createRouter()`: the router config plus everything {@link createNodeClassifier} takes. */
export interface CreateNodeRouterOptions extends NodeClassifierOptions {
  /** RouterConfig, or YAML/JSON text. Default: the bundled default config. */
  readonly config?: ConfigInput;
}

/** Loads the model for Node and returns a ready {@link Router}. */
export function createRouter(options: CreateNodeRouterOptions = {}): Promise<Router> {
  return routerWith(options.config, () => createNodeClassifier(options));
}
