/**
 * semroute on Deno (`Deno.serve`): the same routing proxy and classify API as the Node server and the Worker,
 * classifying inline with onnxruntime-web's WASM build. Run the bundle built by `pnpm build`:
 *
 *   deno run --allow-net --allow-read --allow-env dist/deno/server.js
 *
 * Environment: PORT (default 8801; 0 = any), HOST (127.0.0.1), SEMROUTE_MODEL_DIR (a folder) or SEMROUTE_MODEL_URL
 * (a base URL), SEMROUTE_ORT_WASM (path to ort-wasm-simd-threaded.wasm; default next to this script),
 * SEMROUTE_CONFIG_FILE (YAML/JSON; default: the bundled default config), SEMROUTE_DTYPE (int8 | fp32),
 * SEMROUTE_DEBUG_LOG=true.
 */
import { dtypeOf, edgeApp } from '../src/app.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  readFile(path: string | URL): Promise<Uint8Array>;
  readTextFile(path: string | URL): Promise<string>;
  errors: { NotFound: new (...args: never[]) => Error };
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void> };
};

const env = (name: string): string | undefined => Deno.env.get(name) || undefined;
const here = (file: string): URL => new URL(file, import.meta.url);
const modelDir = env('SEMROUTE_MODEL_DIR');
const configFile = env('SEMROUTE_CONFIG_FILE');

const app = edgeApp({
  model:
    env('SEMROUTE_MODEL_URL') ??
    (async (file: string) => {
      try {
        return await Deno.readFile(`${modelDir ?? here('./models/semroute-mini').pathname}/${file}`);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return undefined;
        throw e;
      }
    }),
  wasm: () => Deno.readFile(env('SEMROUTE_ORT_WASM') ?? here('./ort-wasm-simd-threaded.wasm')),
  config: configFile ? await Deno.readTextFile(configFile) : undefined,
  dtype: dtypeOf(env('SEMROUTE_DTYPE')),
  debugLog: env('SEMROUTE_DEBUG_LOG') === 'true',
  getSecret: (name) => env(name),
});

Deno.serve(
  {
    port: Number(env('PORT') ?? 8801),
    hostname: env('HOST') ?? '127.0.0.1',
    onListen: ({ port, hostname }) => console.log(JSON.stringify({ level: 'info', msg: 'listening', runtime: 'deno', hostname, port })),
  },
  app,
);
