/**
 * webpack 5: `npm i @semroute/core @semroute/model-mini webpack webpack-cli` in a fresh folder outside the workspace
 * (webpack and its CLI from the npm registry at pinned versions; npm's cache makes later runs fast). The README's
 * browser snippet is the entry of a minimal app built with `webpack` in production mode and the configuration the
 * core README gives webpack users, served from a local static server and opened in Debian Chromium: it routes a
 * prompt with the model files webpack emitted from the package, runs the classifier in its Web Worker, requests
 * nothing from any other host, and stays within the README's bundle budget. A second entry runs the same route
 * multi-threaded in a cross-origin-isolated page (ONNX Runtime's pthread script, which webpack emits on its own).
 * A file missing from a package fails the build (webpack cannot resolve the `new URL(…)` or the import).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type StaticServer, openInChromium, serve } from './browser.js';
import { differsFromReadme, npmInstall, readmeSnippet, run } from './shared.js';

/** The bundler under test, pinned exactly (bump deliberately; npm's cache keeps the install offline-fast). */
export const WEBPACK = Object.freeze({ webpack: '5.113.0', 'webpack-cli': '7.3.1' });

/** The README's bundle budget for the default browser path (as `packages/web-demo/test/bundle-budget.test.ts`). */
const BUDGET = { wasmBytes: 15_000_000, jsBytes: 400_000 } as const;

const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

const work = inject('consumerWork');
const tarballs = inject('tarballs');
const app = join(work, 'webpack-app');
const dist = join(app, 'dist');

/** `webpack.config.js` of the app: the core README's webpack recipe, nothing more. */
const WEBPACK_CONFIG = `export default {
  mode: 'production',
  entry: { main: './src/main.js', threaded: './src/threaded.js' },
};
`;

/**
 * The README's browser snippet with `threads: 2` and the backend printed: ORT then starts a pthread worker, which
 * only a cross-origin-isolated page may (the default, ceil(cores / 2), is one thread on a 2-core machine).
 */
function threadedVariant(snippet: string): string {
  const out = snippet
    .replace('model: modelFiles })', 'model: modelFiles, threads: 2 })')
    .replace('const { decision, body }', 'const { decision, body, backend }')
    .replace('decision.use_reasoning);', 'decision.use_reasoning, backend);');
  if (out.split('\n').filter((l, i) => l !== snippet.split('\n')[i]).length !== 3) {
    throw new Error("the README's browser snippet changed shape: update threadedVariant() in consumer/webpack.test.ts");
  }
  return out;
}

/** An emitted file and, for assets, the package file it came from (webpack's stats: `info.sourceFilename`). */
interface Emitted {
  readonly name: string;
  readonly bytes: number;
  readonly from?: string;
}

const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;

describe('webpack 5 consumer (npm i @semroute/core @semroute/model-mini, built with webpack)', () => {
  let emitted: Emitted[] = [];
  let servers: StaticServer[] = [];
  afterEach(() => {
    for (const s of servers) s.close();
    servers = [];
  });

  beforeAll(() => {
    const t0 = performance.now();
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'webpack-app', private: true, type: 'module' }));
    npmInstall(app, [tarballs['@semroute/core']!, tarballs['@semroute/model-mini']!, ...Object.entries(WEBPACK).map(([n, v]) => `${n}@${v}`)]);
    const t1 = performance.now();
    writeFileSync(join(app, 'webpack.config.js'), WEBPACK_CONFIG);
    const snippet = readmeSnippet('browser');
    writeFileSync(join(app, 'src', 'main.js'), snippet);
    writeFileSync(join(app, 'src', 'threaded.js'), threadedVariant(snippet));
    const cliPkg = JSON.parse(readFileSync(join(app, 'node_modules/webpack-cli/package.json'), 'utf8')) as { bin: Record<string, string> };
    run(process.execPath, [join(app, 'node_modules/webpack-cli', cliPkg.bin['webpack-cli']!), 'build', '--json=stats.json'], app);
    const stats = JSON.parse(readFileSync(join(app, 'stats.json'), 'utf8')) as { assets: { name: string; size: number; info: { sourceFilename?: string } }[]; warnings: { message: string }[] };
    // Only webpack's performance hints may warn: size limits (the model and the .wasm are megabytes by nature) and the
    // advice to split its runtime chunk off (a caching choice for the app, which the README's zero-config build leaves alone).
    expect(stats.warnings.map((w) => w.message).filter((m) => !/^((asset|entrypoint) size limit|webpack performance recommendations)/.test(m))).toEqual([]);
    // webpack writes no HTML without a plugin; a page per entry, as an app's own HTML would load the bundle.
    writeFileSync(join(dist, 'index.html'), '<!doctype html>\n<html><body><script src="main.js"></script></body></html>\n');
    writeFileSync(join(dist, 'threaded.html'), '<!doctype html>\n<html><body><script src="threaded.js"></script></body></html>\n');
    emitted = stats.assets.map((a) => ({ name: a.name, bytes: statSync(join(dist, a.name)).size, ...(a.info.sourceFilename !== undefined && { from: a.info.sourceFilename }) }));
    console.log(`webpack consumer: npm install ${((t1 - t0) / 1000).toFixed(1)} s, webpack build ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  });

  it('emits the model files from the package and exactly one ONNX Runtime .wasm (no WebGPU, JSEP or asyncify build)', () => {
    const wasm = emitted.filter((f) => f.name.endsWith('.wasm'));
    expect(wasm.map((f) => f.from)).toEqual(['node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm']);
    expect(readFileSync(join(dist, wasm[0]!.name)).equals(readFileSync(join(app, wasm[0]!.from!)))).toBe(true);
    expect(wasm[0]!.bytes).toBeLessThanOrEqual(BUDGET.wasmBytes);
    expect(emitted.filter((f) => /webgpu|jsep|asyncify|jspi/i.test(`${f.name} ${f.from ?? ''}`))).toEqual([]);
    const model = 'node_modules/@semroute/model-mini';
    for (const file of ['config.json', 'heads.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx', 'ner/ner.bin']) {
      const asset = emitted.find((f) => f.from === `${model}/${file}`);
      expect(asset, `${file} emitted`).toBeDefined();
      expect(readFileSync(join(dist, asset!.name)).equals(readFileSync(join(app, model, file))), `${file} emitted unchanged`).toBe(true);
    }
    console.log(`webpack consumer: ${wasm.map((f) => `${f.name} ${(f.bytes / 1e6).toFixed(2)} MB`).join(', ')}`);
  });

  it("routes the README's browser snippet in Chromium, same origin only, within the JavaScript budget", async () => {
    const server = await serve(dist);
    servers.push(server);
    const page = await openInChromium(server.origin);
    expect(page.errors).toEqual([]);
    expect(page.lines).toHaveLength(1);
    expect(differsFromReadme(page.lines[0]!)).toEqual([]);
    expect(page.elsewhere).toEqual([]);
    expect(server.served.filter((s) => s.status !== 200)).toEqual([]);
    // The budget is on the JavaScript the page and its classifier worker load. Emitted and not loaded here: the other
    // entry, ORT's pthread script (ort.wasm.bundle.min.mjs as an asset, fetched only by threaded pages, below) and
    // the custom-heads chunk (fetched only with the `heads` option) and the config-text reader with the YAML parser
    // (fetched only for a config given as text).
    const js = server.served.filter((s) => /\.m?js$/.test(s.path));
    const total = js.reduce((n, s) => n + s.bytes, 0);
    const unloaded = emitted.filter((f) => /\.m?js$/.test(f.name) && f.name !== 'threaded.js' && !js.some((s) => s.path === `/${f.name}`));
    expect(unloaded.filter((f) => f.from === 'node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs')).toHaveLength(1);
    console.log(
      `webpack consumer: JavaScript the page loads ${kb(total)} (${js.map((s) => `${s.path.slice(1)} ${kb(s.bytes)}`).join(', ')}); ` +
        `emitted, not loaded: ${unloaded.map((f) => `${f.name}${f.from ? ` (${f.from.split('/').at(-1)})` : ''} ${kb(f.bytes)}`).join(', ')}`,
    );
    expect(total, js.map((s) => `${s.path} ${s.bytes}`).join(', ')).toBeLessThanOrEqual(BUDGET.jsBytes);
  });

  it('routes multi-threaded in a cross-origin-isolated page (ORT pthreads from the script webpack emitted)', async () => {
    const server = await serve(dist, ISOLATION_HEADERS);
    servers.push(server);
    const page = await openInChromium(server.origin, '/threaded.html');
    expect(page.errors).toEqual([]);
    expect(page.lines).toHaveLength(1);
    const [decision, backend] = [page.lines[0]!.split(' ').slice(0, -1).join(' '), page.lines[0]!.split(' ').at(-1)];
    expect(differsFromReadme(decision)).toEqual([]);
    expect(backend).toBe('wasm-simd-threads(2)');
    const pthreadScript = emitted.find((f) => f.from === 'node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs');
    expect(server.served.map((s) => s.path)).toContain(`/${pthreadScript?.name}`);
    expect(page.elsewhere).toEqual([]);
    expect(server.served.filter((s) => s.status !== 200)).toEqual([]);
  });
});
