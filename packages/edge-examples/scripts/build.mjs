#!/usr/bin/env node
// Bundles the three edge examples with esbuild (what wrangler does for a Worker), next to what each needs at run
// time: ORT's WebAssembly binary (a module of the Worker; a file for Deno and Bun) and the int8 model files (the
// Worker's static assets; a folder for Deno and Bun). Prints the sizes against Cloudflare's script-size limits.
//   node scripts/build.mjs [OUT_DIR]       (default: dist/)
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const PKG = resolve(here, '..');
export const ROOT = resolve(PKG, '../..');
export const MODEL_DIR = join(ROOT, 'models/semroute-mini');
/**
 * The model files the edge examples load (int8 ONNX + JSON), plus the natural-text NER file when heads.json's pii head
 * names one (`"ner": {"file": "ner/ner.bin"}`): the runtime reads it like the others.
 */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'heads.json', 'onnx/model_quantized.onnx', ...nerFiles()];

function nerFiles() {
  const heads = JSON.parse(readFileSync(join(MODEL_DIR, 'heads.json'), 'utf8'));
  const file = heads.heads?.find((h) => h.name === 'pii')?.ner?.file;
  return typeof file === 'string' ? [file] : [];
}
export const WASM_NAME = 'ort-wasm-simd-threaded.wasm';

const require = createRequire(join(PKG, 'package.json'));
/** ORT-web's single-threaded-capable SIMD build (the one `onnxruntime-web/wasm` instantiates). */
export const ORT_WASM = require.resolve(`onnxruntime-web/${WASM_NAME}`);

function place(src, dst) {
  mkdirSync(dirname(dst), { recursive: true });
  rmSync(dst, { force: true });
  try {
    linkSync(src, dst);
  } catch {
    copyFileSync(src, dst);
  }
}

/** ORT's emscripten glue imports these only on Node (`if (isNode)`); they stay unresolved in edge bundles. */
const NODE_ONLY = ['module', 'worker_threads', 'fs', 'path', 'url', 'util'];

/** `import x from '…/ort-wasm-simd-threaded.wasm'` → an external module of that name (a Worker wasm module). */
const wasmModulePlugin = {
  name: 'wasm-module',
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: `./${args.path.split('/').pop()}`, external: true }));
  },
};

async function bundle(entry, outfile, conditions, plugins = []) {
  await esbuild.build({
    entryPoints: [join(PKG, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    // `source`: the workspace's TypeScript sources (no build of @semroute/core needed first).
    conditions: [...conditions, 'source', 'import', 'default'],
    external: NODE_ONLY,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins,
  });
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).byteLength;
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;

/** Builds all three; returns the output paths and the Worker's upload sizes. */
export async function buildAll(out = join(PKG, 'dist')) {
  const worker = join(out, 'worker');
  const deno = join(out, 'deno');
  const bun = join(out, 'bun');
  await Promise.all([
    bundle('worker/worker.ts', join(worker, 'worker.js'), ['workerd', 'worker', 'browser'], [wasmModulePlugin]),
    bundle('deno/server.ts', join(deno, 'server.js'), ['deno', 'browser']),
    bundle('bun/server.ts', join(bun, 'server.js'), ['bun', 'browser']),
  ]);
  for (const dir of [worker, deno, bun]) place(ORT_WASM, join(dir, WASM_NAME));
  for (const f of MODEL_FILES) {
    place(join(MODEL_DIR, f), join(worker, 'public/models/semroute-mini', f));
    place(join(MODEL_DIR, f), join(deno, 'models/semroute-mini', f));
    place(join(MODEL_DIR, f), join(bun, 'models/semroute-mini', f));
  }
  // A workerd config to run the built Worker locally without wrangler: `workerd serve dist/worker/workerd.capnp`,
  // and the wrangler.toml to deploy it from there.
  writeFileSync(join(worker, 'workerd.capnp'), workerdConfig({ port: 8787 }));
  copyFileSync(join(PKG, 'worker/wrangler.toml'), join(worker, 'wrangler.toml'));
  const js = join(worker, 'worker.js');
  const wasm = join(worker, WASM_NAME);
  const sizes = {
    workerJs: statSync(js).size,
    workerJsGzip: gz(js),
    wasm: statSync(wasm).size,
    wasmGzip: gz(wasm),
  };
  return { out, worker, deno, bun, sizes };
}

/** Cap'n Proto text escaping for a string literal. */
const capnpString = (s) => JSON.stringify(s);

/**
 * A workerd config for the built Worker: `ASSETS` is a disk service over the assets folder (what wrangler's static
 * assets binding serves), outbound `fetch` may reach loopback/private addresses (the upstream LLM backends).
 */
export function workerdConfig({ port = 8787, assetsDir = 'public', configFile, modelPath = '/models/semroute-mini/', debugLog = false, dtype } = {}) {
  const bindings = [`(name = "ASSETS", service = "assets")`, `(name = "MODEL_PATH", text = ${capnpString(modelPath)})`];
  if (configFile) bindings.push(`(name = "SEMROUTE_CONFIG", text = embed ${capnpString(configFile)})`);
  if (dtype) bindings.push(`(name = "SEMROUTE_DTYPE", text = ${capnpString(dtype)})`);
  if (debugLog) bindings.push(`(name = "SEMROUTE_DEBUG_LOG", text = "true")`);
  return `# Generated by scripts/build.mjs: runs the built Worker in workerd (the runtime of Cloudflare Workers).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .semroute),
    (name = "assets", disk = (path = ${capnpString(assetsDir)}, writable = false)),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = ${capnpString(`127.0.0.1:${port}`)}, http = (), service = "main")],
);

const semroute :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "${WASM_NAME}", wasm = embed "${WASM_NAME}"),
  ],
  bindings = [
    ${bindings.join(',\n    ')},
  ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "internet",
);
`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const r = await buildAll(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const s = r.sizes;
  console.log(`edge examples built in ${Date.now() - t0} ms → ${relative(process.cwd(), r.out) || '.'}`);
  console.log(`  worker.js ${mb(s.workerJs)} (gzip ${mb(s.workerJsGzip)}), ${WASM_NAME} ${mb(s.wasm)} (gzip ${mb(s.wasmGzip)}); Worker upload gzip ≈ ${mb(s.workerJsGzip + s.wasmGzip)}`);
}
