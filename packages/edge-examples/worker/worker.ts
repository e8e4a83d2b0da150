/**
 * semroute as a Cloudflare Worker (workerd): the OpenAI-compatible routing proxy (`POST /v1/chat/completions`) and
 * the classify API (`POST /api/v1/classify`), classifying inline with onnxruntime-web's WASM build.
 *
 * - ORT's `.wasm` is imported as a module (Workers cannot compile WebAssembly from bytes at run time); wrangler
 *   and workerd hand it over as a compiled WebAssembly.Module.
 * - The model (10.7 MB int8) is not bundled: it comes from the `ASSETS` static-assets binding (wrangler.toml), or from
 *   `MODEL_URL` (an R2 public bucket, any HTTPS origin) when set.
 * - The router is built on the first request and reused by every later request the isolate serves.
 */
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import type { FetchHandler } from '@semroute/core/edge';
import { dtypeOf, edgeApp } from '../src/app.js';

/** A service binding / static-assets binding (the part of Cloudflare's `Fetcher` used here). */
interface Fetcher {
  fetch(input: string | Request, init?: RequestInit): Promise<Response>;
}

export interface Env {
  /** Static assets holding the model folder (`[assets] binding = "ASSETS"`). */
  readonly ASSETS?: Fetcher;
  /** Path of the model folder inside the assets (default `/models/semroute-mini/`). */
  readonly MODEL_PATH?: string;
  /** Base URL of the model folder, instead of the assets binding (e.g. an R2 public bucket). */
  readonly MODEL_URL?: string;
  /** Router config (YAML/JSON text); default: the bundled default config. */
  readonly SEMROUTE_CONFIG?: string;
  /** Model variant, `int8` (default) or `fp32`. */
  readonly SEMROUTE_DTYPE?: string;
  /** `"true"`: one log line per routed request (decision, model, category; never the prompt). */
  readonly SEMROUTE_DEBUG_LOG?: string;
  /** Secrets named by `backend_refs[].api_key_env` (`wrangler secret put NAME`). */
  readonly [secret: string]: unknown;
}

let app: FetchHandler | undefined;

function build(env: Env): FetchHandler {
  const assets = env.ASSETS;
  const useAssets = !env.MODEL_URL && assets;
  return edgeApp({
    model: env.MODEL_URL ?? `https://assets.invalid${env.MODEL_PATH ?? '/models/semroute-mini/'}`,
    ...(useAssets ? { fetch: (input: string, init?: RequestInit) => assets.fetch(input, init) } : {}),
    wasm: ortWasm,
    config: env.SEMROUTE_CONFIG,
    dtype: dtypeOf(env.SEMROUTE_DTYPE),
    debugLog: env.SEMROUTE_DEBUG_LOG === 'true',
    getSecret: (name) => (typeof env[name] === 'string' ? (env[name] as string) : undefined),
  });
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    app ??= build(env); // once per isolate: env is the same for every request of a deployment
    return app(request);
  },
};
