/**
 * The one piece of glue the three edge examples share: `@semroute/core/edge`'s fetch handler over a lazily built
 * router (first request builds it, later requests in the isolate reuse it), plus a JSON-lines logger that only
 * ever prints names, codes and numbers (never prompt text) and a `GET /_semroute/stats` probe (ORT's WASM heap size,
 * for the memory benchmark). Each runtime file only says where the model, ORT's WASM and the config come from.
 * @module
 */
import { createFetchHandler, createRouter, edgeMemory, type EdgeFetch, type EdgeLogger, type FetchHandler, type ModelFileLoader, type WasmInput } from '@semroute/core/edge';

export interface EdgeAppOptions {
  /** Model folder: URL (fetched), loader function (files, R2, KV), or the files themselves. */
  readonly model: string | URL | ModelFileLoader;
  /** ORT's `ort-wasm-simd-threaded.wasm`: a WebAssembly.Module (Workers), bytes, or a URL. */
  readonly wasm: WasmInput | (() => Promise<WasmInput>);
  /** `fetch` for model/wasm URLs (e.g. a Worker's static-assets binding). */
  readonly fetch?: EdgeFetch;
  /** Router config as YAML/JSON text (default: the bundled default config). */
  readonly config?: string | undefined;
  /** Backend API keys by `api_key_env` name. */
  readonly getSecret?: (name: string) => string | undefined;
  /** Log one line per routed request (decision, model, category; never the prompt). */
  readonly debugLog?: boolean;
  /** Model variant: `int8` (default, smaller and faster on WASM) or `fp32`. */
  readonly dtype?: 'int8' | 'fp32' | undefined;
  /** Largest request body, bytes (default 4 MiB). */
  readonly bodyLimit?: number;
}

/** The `SEMROUTE_DTYPE` setting: unset → the default (int8); anything else than int8/fp32 is a start-up error. */
export function dtypeOf(v: string | undefined): 'int8' | 'fp32' | undefined {
  if (v === undefined || v === '' || v === 'int8' || v === 'fp32') return v || undefined;
  throw new Error(`SEMROUTE_DTYPE must be "int8" or "fp32", got ${JSON.stringify(v)}`);
}

export const consoleLogger: EdgeLogger = (level, msg, fields) => {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/**
 * V8's JS heap in use, where the runtime tells: Deno (V8, as workerd; workerd itself has no such API). Bun's
 * JavaScriptCore counts differently (its `heapUsed` includes ORT's WebAssembly memory), so it is not reported.
 */
function jsHeapUsed(): number | undefined {
  const g = globalThis as { Deno?: { memoryUsage?: () => { heapUsed: number } } };
  try {
    return g.Deno?.memoryUsage?.().heapUsed;
  } catch {
    return undefined;
  }
}

export function edgeApp(o: EdgeAppOptions): FetchHandler & { stats(): Record<string, number | string | undefined> } {
  let loadMs: number | undefined;
  const handler = createFetchHandler({
    router: async () => {
      const t0 = performance.now();
      const wasm = typeof o.wasm === 'function' ? await o.wasm() : o.wasm;
      const router = await createRouter({ config: o.config, model: o.model, wasm, ...(o.dtype ? { dtype: o.dtype } : {}), ...(o.fetch ? { fetch: o.fetch } : {}) });
      loadMs = performance.now() - t0;
      consoleLogger('info', 'router ready', { backend: router.backend, loadMs: Math.round(loadMs) });
      return router;
    },
    log: consoleLogger,
    ...(o.getSecret ? { getSecret: o.getSecret } : {}),
    ...(o.debugLog !== undefined ? { debugLog: o.debugLog } : {}),
    ...(o.bodyLimit !== undefined ? { bodyLimit: o.bodyLimit } : {}),
  });
  const stats = () => ({ state: handler.state(), wasmHeapBytes: edgeMemory().wasmHeapBytes, jsHeapBytes: jsHeapUsed(), loadMs });
  const app = async (request: Request): Promise<Response> => {
    if (request.method === 'GET' && new URL(request.url).pathname === '/_semroute/stats') return Response.json(stats());
    return handler(request);
  };
  return Object.assign(app, { state: handler.state, router: handler.router, stats });
}
