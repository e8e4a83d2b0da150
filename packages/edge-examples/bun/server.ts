/**
 * semroute on Bun (`Bun.serve`): the same routing proxy and classify API as the Node server and the Worker,
 * classifying inline with onnxruntime-web's WASM build. Run the bundle built by `pnpm build`:
 *
 *   bun dist/bun/server.js
 *
 * Environment: PORT (default 8801; 0 = any), HOST (127.0.0.1), SEMROUTE_MODEL_DIR (a folder) or SEMROUTE_MODEL_URL
 * (a base URL), SEMROUTE_ORT_WASM (path to ort-wasm-simd-threaded.wasm; default next to this script),
 * SEMROUTE_CONFIG_FILE (YAML/JSON; default: the bundled default config), SEMROUTE_DTYPE (int8 | fp32),
 * SEMROUTE_DEBUG_LOG=true.
 */
import { dtypeOf, edgeApp } from '../src/app.js';

interface BunFile {
  exists(): Promise<boolean>;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}
declare const Bun: {
  env: Record<string, string | undefined>;
  file(path: string | URL): BunFile;
  serve(options: { port: number; hostname: string; maxRequestBodySize?: number; fetch: (request: Request) => Response | Promise<Response> }): { port: number; hostname: string };
};

const env = (name: string): string | undefined => Bun.env[name] || undefined;
const here = (file: string): URL => new URL(file, import.meta.url);
const modelDir = env('SEMROUTE_MODEL_DIR') ?? here('./models/semroute-mini').pathname;
const configFile = env('SEMROUTE_CONFIG_FILE');

const app = edgeApp({
  model:
    env('SEMROUTE_MODEL_URL') ??
    (async (file: string) => {
      const f = Bun.file(`${modelDir}/${file}`);
      return (await f.exists()) ? f.arrayBuffer() : undefined;
    }),
  wasm: () => Bun.file(env('SEMROUTE_ORT_WASM') ?? here('./ort-wasm-simd-threaded.wasm')).arrayBuffer(),
  config: configFile ? await Bun.file(configFile).text() : undefined,
  dtype: dtypeOf(env('SEMROUTE_DTYPE')),
  debugLog: env('SEMROUTE_DEBUG_LOG') === 'true',
  getSecret: (name) => env(name),
});

// Bun's own body limit stays above the handler's (4 MiB), so an oversized body gets the same 413 as on Node.
const server = Bun.serve({ port: Number(env('PORT') ?? 8801), hostname: env('HOST') ?? '127.0.0.1', maxRequestBodySize: 64 * 1024 * 1024, fetch: app });
console.log(JSON.stringify({ level: 'info', msg: 'listening', runtime: 'bun', hostname: server.hostname, port: server.port }));
