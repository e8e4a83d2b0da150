/**
 * Classifier runtime benchmark (a script, not a timed test). One run; writes packages/core/bench/results/runtime-<date>.json
 * (next to the earlier runs that packages/core/README.md cites)
 * and prints a Markdown summary for the README's "Runtime" section.
 *
 *   cd packages/node-adapter && node --conditions=source --import tsx bench/runtime.bench.ts [--quick] [--no-browser] [--only=node|browser|throughput|naive]
 *
 * Measures on the bundled model (models/semroute-mini, int8 unless noted):
 *   - Node CPU (onnxruntime-node): classify() latency p50/p99 at 16/64/128/512 tokens, 1 and 2 threads
 *     (512 tokens = head+tail window + overlapping PII windows over the whole text), and the raw model forward at S;
 *   - batched throughput (router.route() decisions/s, 1,000 concurrent requests of 64 tokens), 1 and 2 threads;
 *   - naive baselines on the same model, unbatched, one request at a time per call: (a) the definition, a
 *     transformers.js pipeline() per head (text-classification ×2, token-classification; one single-head copy of the
 *     fp32 graph per head, as vSR ships one model per task), and (b) a stronger one: the fp32 file, default session
 *     options, one session.run per request for all heads at once;
 *   - Chromium WASM (Playwright + system Chromium): 1 thread (no isolation) and threaded (COOP/COEP, 2 threads);
 *   - the FLOP floor: model FLOPs at S divided by the CPU's peak fp32 FMA rate.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Router, createNodeClassifier, defaultConfig, resolveModelLocation } from '@semroute/node-adapter';
import { ModelTokenizer } from '../../core/src/runtime/tokenizer.js';
import { softmaxT } from '../../core/src/runtime/postprocess.js';
import { writeSingleHeadFolders } from './single-head.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const noBrowser = process.argv.includes('--no-browser');
const LENGTHS = [16, 64, 128, 512] as const;
const loc = resolveModelLocation(undefined);
if (loc.kind !== 'dir') throw new Error('bench needs a local model folder');
const MODEL = loc.path;
const json = (f: string): any => JSON.parse(readFileSync(join(MODEL, f), 'utf8'));
const tok = new ModelTokenizer(json('tokenizer.json'), json('tokenizer_config.json'));

// ---- inputs of exact token lengths (realistic text: MMLU-style prose) ----
const PROSE =
  'A student measures the period of a pendulum in a laboratory and finds that doubling the length increases the period by about forty percent. ' +
  'Explain, using the small angle approximation, why the period depends on the square root of the length, and estimate the local gravitational acceleration. ' +
  'Then discuss how air resistance, the finite amplitude of the swing and the mass of the string would change the result, and which of these effects dominates in practice. ' +
  'Finally, compare the pendulum with a mass on a spring and say which clock would keep better time on the Moon, giving reasons for each step of the argument. ';
function textOfTokens(n: number): string {
  const words = PROSE.repeat(40).split(' ');
  let lo = 1;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tok.encodeWithSpecials(words.slice(0, mid).join(' ')).length >= n) hi = mid;
    else lo = mid + 1;
  }
  let t = words.slice(0, lo).join(' ');
  while (tok.encodeWithSpecials(t).length > n) t = t.slice(0, -1);
  return t;
}
const TEXTS = Object.fromEntries(LENGTHS.map((n) => [n, textOfTokens(n)])) as Record<(typeof LENGTHS)[number], string>;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;
const iters = (n: number): number => (quick ? 20 : n >= 512 ? 60 : 200);

async function timeLoop(fn: () => Promise<unknown>, n: number): Promise<{ p50: number; p99: number; n: number }> {
  for (let i = 0; i < 5; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return { p50: r2(pct(ts, 50)), p99: r2(pct(ts, 99)), n };
}

// ---- machine ----
function machine(): Record<string, unknown> {
  const c = cpus();
  let flags = '';
  let mhz = c[0]?.speed ?? 0;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    flags = /flags\s*:\s*(.*)/.exec(info)?.[1] ?? '';
    mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? mhz);
  } catch {
    /* not linux */
  }
  return {
    cpu: c[0]?.model,
    cores: c.length,
    mhz: Math.round(mhz),
    avx512f: flags.includes('avx512f'),
    avx512_vnni: flags.includes('avx512_vnni'),
    avx2: flags.includes('avx2'),
    node: process.version,
    onnxruntime: ort.env.versions,
    loadavgAtStart: loadavg().map(r2),
    chromium: (() => {
      try {
        return execSync('/usr/bin/chromium --version', { encoding: 'utf8' }).trim();
      } catch {
        return null;
      }
    })(),
  };
}

// ---- FLOP floor ----
function flopsAt(S: number): number {
  const c = json('config.json');
  const H = c.hidden_size;
  const I = c.intermediate_size;
  const L = c.num_hidden_layers;
  const every = c.global_attn_every_n_layers ?? 1;
  const win = c.local_attention ?? S;
  let macs = 0;
  for (let l = 0; l < L; l++) {
    const span = l % every === 0 ? S : Math.min(S, win + 1);
    macs += S * (4 * H * H + 3 * H * I); // Wqkv, Wo, Wi (2I), Wmo
    macs += 2 * S * span * H; // QK^T and AV (banded for local layers)
  }
  macs += S * H * 35 + 2 * (H * H + H * 14 + H * 2); // PII head per token; pooled heads
  return 2 * macs;
}

// ---- Node ----
async function nodeLatency(threads: number): Promise<Record<string, unknown>> {
  const clf = await createNodeClassifier({ threads, batching: { batchWindowMs: 0 } });
  const session = await ort.InferenceSession.create(join(MODEL, 'onnx/model_quantized.onnx'), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const out: Record<string, unknown> = {};
  for (const n of LENGTHS) {
    const text = TEXTS[n];
    const classify = await timeLoop(() => clf.classify([text]), iters(n));
    const ids = BigInt64Array.from(tok.encodeWithSpecials(text).map(BigInt));
    const mask = new BigInt64Array(ids.length).fill(1n);
    const feeds = { input_ids: new ort.Tensor('int64', ids, [1, ids.length]), attention_mask: new ort.Tensor('int64', mask, [1, ids.length]) };
    const forward = await timeLoop(() => session.run(feeds), iters(n));
    out[n] = { classify, modelForward: forward };
    console.error(`node cpu ${threads}t ${n} tok: classify p50 ${classify.p50} ms p99 ${classify.p99} | forward p50 ${forward.p50}`);
  }
  await session.release();
  await clf.dispose();
  return out;
}

async function nodeThroughput(threads: number, inferenceThread = false, inferenceThreads = 1): Promise<Record<string, number>> {
  const clf = await createNodeClassifier({ threads, inferenceThread, inferenceThreads });
  const router = new Router({ config: defaultConfig(), classifier: clf });
  const N = quick ? 200 : 1000;
  const reqs = Array.from({ length: N }, (_, i) => ({
    model: 'auto',
    messages: [{ role: 'user', content: `${TEXTS[64].slice(0, -6)} #${i}` }],
  }));
  await Promise.all(reqs.slice(0, 50).map((r) => router.route(r)));
  const t0 = performance.now();
  await Promise.all(reqs.map((r) => router.route(r)));
  const s = (performance.now() - t0) / 1000;
  await router.dispose();
  const perSec = r2(N / s);
  const how = inferenceThreads > 1 ? ` × ${inferenceThreads} inference threads` : inferenceThread ? ' (inference thread)' : '';
  console.error(`node cpu ${threads}t${how} batched: ${perSec} decisions/s (${N} concurrent 64-token requests, ${clf.batchesRun} batches)`);
  return { decisionsPerSec: perSec, requests: N };
}

/** A baseline's p50/p99 at 64 and 128 tokens, then requests/s for 1,000 concurrent 64-token requests. */
async function unbatchedLoad(request: (text: string) => Promise<unknown>): Promise<{ lat: Record<string, unknown>; perSec: number }> {
  const lat: Record<string, unknown> = {};
  for (const n of [64, 128] as const) lat[n] = await timeLoop(() => request(TEXTS[n]), iters(n));
  const N = quick ? 200 : 1000;
  const texts = Array.from({ length: N }, (_, i) => `${TEXTS[64].slice(0, -6)} #${i}`);
  const t0 = performance.now();
  await Promise.all(texts.map((x) => request(x)));
  return { lat, perSec: r2(N / ((performance.now() - t0) / 1000)) };
}

/** What a typical user writes: fp32 file, default options, tokenizer, one session.run per request, softmax. */
async function naiveBaseline(): Promise<Record<string, unknown>> {
  const session = await ort.InferenceSession.create(join(MODEL, 'onnx/model.onnx'));
  const classify = async (text: string): Promise<number[]> => {
    const ids = tok.encodeWithSpecials(text).slice(0, 128);
    const t = (a: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), [1, a.length]);
    const r = await session.run({ input_ids: t(ids), attention_mask: t(ids.map(() => 1)) });
    return Array.from(softmaxT(r.domain_logits!.data as Float32Array));
  };
  const { lat, perSec } = await unbatchedLoad(classify);
  await session.release();
  console.error(`naive baseline: 64 tok p50 ${(lat[64] as { p50: number }).p50} ms; ${perSec} req/s unbatched`);
  return { latency: lat, requestsPerSec: perSec, note: 'fp32 model.onnx, default SessionOptions, one session.run per request, no batching' };
}

/**
 * The naive baseline, as a user would write it with transformers.js: a pipeline() per head, awaited one after
 * the other for each request (fp32 single-head copies of the shipped graph, default session options).
 */
async function naivePipelinesBaseline(): Promise<Record<string, unknown>> {
  const { env, pipeline } = await import('@huggingface/transformers');
  const root = join(tmpdir(), `semroute-single-heads-${process.pid}`);
  writeSingleHeadFolders(MODEL, root);
  env.allowRemoteModels = false;
  env.localModelPath = root + '/';
  const options = { dtype: 'fp32', device: 'cpu' } as const;
  const domain = await pipeline('text-classification', 'domain', options);
  const jailbreak = await pipeline('text-classification', 'jailbreak', options);
  const pii = await pipeline('token-classification', 'pii', options);
  const request = async (text: string): Promise<unknown[]> => [await domain(text), await jailbreak(text), await pii(text)];
  const { lat, perSec } = await unbatchedLoad(request);
  await Promise.all([domain.dispose(), jailbreak.dispose(), pii.dispose()]);
  rmSync(root, { recursive: true, force: true });
  console.error(`naive transformers.js pipelines: 64 tok p50 ${(lat[64] as { p50: number }).p50} ms; ${perSec} req/s unbatched`);
  return {
    latency: lat,
    requestsPerSec: perSec,
    note: 'transformers.js pipeline() per head (text-classification domain, text-classification jailbreak, token-classification pii), fp32 single-head copies of model.onnx, awaited in turn per request, no batching',
  };
}

// ---- Chromium WASM ----
const PAGE_BENCH = `async ({ texts, threads, quick }) => {
  const api = globalThis.semroute;
  const clf = await api.createBrowserClassifier({ backend: 'wasm', threads, worker: new URL('worker.js', location.href), wasmPaths: 'ort/', cache: false });
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  const out = { backend: clf.backend };
  for (const [n, text] of Object.entries(texts)) {
    const N = quick ? 20 : Number(n) >= 512 ? 40 : 100;
    for (let i = 0; i < 5; i++) await clf.classify([text]);
    const ts = [];
    const infer = [];
    const inWorker = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const [r] = await clf.classify([text]);
      ts.push(performance.now() - t0);
      const t = r.timings;
      infer.push(t.inferMs);
      inWorker.push(t.tokenizeMs + t.inferMs + t.queueMs + t.postprocessMs);
    }
    const r2 = (x) => Math.round(x * 100) / 100;
    // inferP50: session.run inside the worker; workerP50: the whole classify() there; the rest is the round trip.
    out[n] = { p50: r2(pct(ts, 50)), p99: r2(pct(ts, 99)), n: N, inferP50: r2(pct(infer, 50)), workerP50: r2(pct(inWorker, 50)) };
  }
  const M = quick ? 100 : 400;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: M }, (_, i) => clf.classify([texts['64'] + ' #' + i])));
  out.batchedPerSec = Math.round((M / ((performance.now() - t0) / 1000)) * 100) / 100;
  await clf.dispose();
  return out;
}`;
async function browserBench(): Promise<Record<string, unknown> | { skipped: string }> {
  // Playwright is e2e's dependency: resolved at run time from there.
  let chromium: { launch(o: object): Promise<any> };
  try {
    ({ chromium } = await import(join(here, '../../../e2e/node_modules/@playwright/test/index.mjs')));
  } catch (e) {
    return { skipped: `playwright not installed (${e instanceof Error ? e.message : e})` };
  }
  // @ts-ignore: e2e helper, resolved at run time
  const { buildHarness } = await import(join(here, '../../../e2e/parity/build.ts'));
  // @ts-ignore: e2e helper, resolved at run time
  const { startServer } = await import(join(here, '../../../e2e/parity/server.ts'));
  const site = join(tmpdir(), `semroute-bench-${process.pid}`);
  await buildHarness(site);
  const { server, url } = await startServer(site, MODEL);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const res: Record<string, unknown> = {};
  try {
    for (const [name, prefix, threads] of [
      ['wasm 1 thread', '', 1],
      ['wasm threaded (2)', '/coi', 2],
    ] as const) {
      const page = await browser.newPage();
      await page.goto(`${url}${prefix}/index.html`);
      await page.waitForFunction(() => (globalThis as { semrouteReady?: boolean }).semrouteReady === true);
      // Plain JS source (tsx would inject helpers into a function passed to page.evaluate).
      const r = await page.evaluate(`(${PAGE_BENCH})(${JSON.stringify({ texts: TEXTS, threads, quick })})`);
      console.error(`chromium ${name}: ${JSON.stringify(r)}`);
      res[name] = r;
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return res;
}

// ---- run ----
const started = new Date();
const result: Record<string, unknown> = { date: started.toISOString(), machine: machine(), model: MODEL.replace(resolve(here, '../../..') + '/', ''), quick };
result.inputs = Object.fromEntries(LENGTHS.map((n) => [n, { tokens: tok.encodeWithSpecials(TEXTS[n]).length, chars: TEXTS[n].length }]));
const m = result.machine as { mhz: number; cores: number; avx512f: boolean; avx2: boolean };
const flopsPerCycle = m.avx512f ? 64 : m.avx2 ? 32 : 8; // fp32: 2 FMA ports × lanes × 2
result.flopFloor = Object.fromEntries(
  LENGTHS.map((n) => {
    const f = flopsAt(Math.min(n, 128));
    const windows = n > 128 ? 1 + Math.ceil((n - 2 - 94) / 94) : 1; // classify() at 512 runs summary + PII windows of 128
    const total = f * (n > 128 ? windows + 1 : 1);
    const peak1 = (m.mhz * 1e6 * flopsPerCycle) / 1e9; // GFLOP/s per core
    return [n, { mflops: r2(total / 1e6), ms1Thread: r2((total / (peak1 * 1e9)) * 1e3), ms2Threads: r2((total / (2 * peak1 * 1e9)) * 1e3) }];
  }),
);
const resultsDir = join(here, '..', '..', 'core', 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7); // node | browser | throughput | naive
// --only=browser|throughput|naive updates the newest results file (same machine, same model) instead of starting a new one.
const latest = readdirSync(resultsDir).filter((f) => /^runtime-.*\.json$/.test(f)).sort().at(-1);
const file =
  (only === 'browser' || only === 'throughput' || only === 'naive') && latest
    ? join(resultsDir, latest)
    : join(resultsDir, `runtime-${started.toISOString().slice(0, 16).replace(/[:T]/g, '-')}.json`);
if ((only === 'browser' || only === 'throughput' || only === 'naive') && latest) {
  Object.assign(result, { ...JSON.parse(readFileSync(file, 'utf8')), [`${only}Date`]: started.toISOString() });
}
const save = (): void => {
  result.loadavgAtEnd = loadavg().map(r2);
  writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
};
if (only === undefined || only === 'node') {
  result.nodeCpu = { '1 thread': await nodeLatency(1), '2 threads': await nodeLatency(2) };
  save();
}
if (only === undefined || only === 'node' || only === 'throughput') {
  result.nodeThroughput = {
    '1 thread': await nodeThroughput(1),
    '2 threads': await nodeThroughput(2),
    '1 thread, inferenceThread': await nodeThroughput(1, true),
    '1 thread × 2 inference threads': await nodeThroughput(1, false, 2),
  };
  save();
}
if (only === undefined || only === 'node' || only === 'naive') {
  result.naive = await naiveBaseline();
  result.naivePipelines = await naivePipelinesBaseline();
  save();
}
if (only === undefined || only === 'browser') result.browser = noBrowser ? { skipped: '--no-browser' } : await browserBench();
save();
console.error(`wrote ${file}`);
