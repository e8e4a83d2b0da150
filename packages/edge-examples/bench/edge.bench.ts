/**
 * Edge runtimes side by side: workerd, Deno, Bun (the built examples, onnxruntime-web WASM, one thread) and Node
 * (the node-adapter server, onnxruntime-node CPU, one thread), same int8 model and default config, one after the
 * other on loopback. Per runtime: cold start (spawn → listening, and the first request, which loads the model),
 * warm latency of one routing decision (`POST /api/v1/classify`: tokenize, all three heads, decide) at 64 and 128
 * tokens (p50/p99 over N requests, measured by the client, loopback HTTP included), and peak memory (process
 * VmHWM; ORT's WASM heap for the edge runtimes; Deno's V8 JS heap).
 *
 *   pnpm --filter @semroute/edge-examples bench            (N=200; N=… OUT=report.json to change / keep)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG_YAML } from '@semroute/core';
import { startMockBackend } from '@semroute/node-adapter';
import { EDGE_RUNTIMES, MODEL_DIR, PKG, type RunningRuntime, build, configFor, runtimeBinary, startRuntime, wrapProcess } from '../test/harness.js';

const N = Number(process.env.N ?? 200);
const MiB = 1024 * 1024;

interface Row {
  runtime: string;
  version: string;
  listenMs: number;
  firstRequestMs: number;
  p50_64: number;
  p99_64: number;
  p50_128: number;
  p99_128: number;
  peakRssMiB: number;
  baselineRssMiB?: number;
  wasmHeapMiB?: number;
  jsHeapMiB?: number;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

async function classify(base: string, text: string, raw = false): Promise<{ ms: number; body: { tokenCount?: number; decision: string } }> {
  const t0 = performance.now();
  const r = await fetch(`${base}/api/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, raw }) });
  const body = (await r.json()) as { tokenCount?: number; decision: string };
  if (r.status !== 200) throw new Error(`classify: HTTP ${r.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, body };
}

/** A text of exactly `tokens` tokens (specials included), found with the server's own token count. */
async function textOf(base: string, tokens: number): Promise<string> {
  const words = 'Which enzyme in the mitochondria couples electron transport to ATP synthesis during aerobic respiration in eukaryotic cells and why'.split(' ');
  let lo = 1;
  let hi = 400;
  const make = (n: number) => Array.from({ length: n }, (_, i) => words[i % words.length]).join(' ');
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const n = (await classify(base, make(mid), true)).body.tokenCount!;
    if (n < tokens) lo = mid + 1;
    else hi = mid;
  }
  const t = make(lo);
  const got = (await classify(base, t, true)).body.tokenCount;
  if (got !== tokens) console.warn(`text for ${tokens} tokens has ${got}`);
  return t;
}

/** The first successful answer (the Node server answers 503 while its model loads; the edge ones load it inline). */
async function firstAnswer(base: string, text: string): Promise<void> {
  for (;;) {
    const r = await fetch(`${base}/api/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    await r.arrayBuffer();
    if (r.status === 200) return;
    if (r.status !== 503) throw new Error(`first request: HTTP ${r.status}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function measure(srv: RunningRuntime, version: string, texts: Record<64 | 128, string>): Promise<Row> {
  const t0 = performance.now();
  await firstAnswer(srv.url, texts[64]);
  const firstRequestMs = performance.now() - t0;
  const lat: Record<64 | 128, number[]> = { 64: [], 128: [] };
  for (const t of [64, 128] as const) for (let i = 0; i < 10; i++) await classify(srv.url, texts[t]); // warm-up (JIT / wasm tier-up)
  for (let i = 0; i < N; i++) for (const t of [64, 128] as const) lat[t].push((await classify(srv.url, texts[t])).ms);
  const row: Row = {
    runtime: srv.runtime,
    version,
    listenMs: r1(srv.startMs),
    firstRequestMs: r1(firstRequestMs),
    p50_64: r1(pct(lat[64], 50)),
    p99_64: r1(pct(lat[64], 99)),
    p50_128: r1(pct(lat[128], 50)),
    p99_128: r1(pct(lat[128], 99)),
    peakRssMiB: r1(srv.peakRss() / MiB),
  };
  if (srv.runtime !== 'node') {
    const s = (await (await fetch(`${srv.url}/_semroute/stats`)).json()) as { wasmHeapBytes?: number; jsHeapBytes?: number };
    if (s.wasmHeapBytes) row.wasmHeapMiB = r1(s.wasmHeapBytes / MiB);
    if (s.jsHeapBytes) row.jsHeapMiB = r1(s.jsHeapBytes / MiB);
  }
  return row;
}

/** The Node server (`semroute serve`) as a child process, onnxruntime-node CPU with one thread. */
async function startNode(configPath: string): Promise<RunningRuntime> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(PKG, '../node-adapter/src/cli/bin.ts'), 'serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1', '--no-grpc', '--no-watch', '--threads', '1', '--model', MODEL_DIR], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`node server did not start:\n${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
  });
  return wrapProcess('node', child, url, performance.now() - spawnedAt, () => out);
}

async function versionOf(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let s = '';
    c.stdout.on('data', (d: Buffer) => (s += d.toString()));
    c.on('close', () => resolve(s.split('\n')[0]!.trim()));
  });
}

const work = mkdtempSync(join(tmpdir(), 'semroute-edge-bench-'));
const mock = await startMockBackend({ host: '127.0.0.1', port: 0, name: 'mock' });
try {
  const built = await build(join(work, 'dist'));
  const configYaml = configFor(DEFAULT_CONFIG_YAML, `127.0.0.1:${mock.port}`);
  const configPath = join(work, 'config.yaml');
  writeFileSync(configPath, configYaml);
  const load0 = loadavg()[0]!;
  console.log(`machine: ${cpus().length}× ${cpus()[0]?.model}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; N=${N} requests per size`);
  console.log(`Worker upload: worker.js ${(built.sizes.workerJs / 1e6).toFixed(2)} MB (gzip ${(built.sizes.workerJsGzip / 1e6).toFixed(2)}), ORT wasm ${(built.sizes.wasm / 1e6).toFixed(2)} MB (gzip ${(built.sizes.wasmGzip / 1e6).toFixed(2)})`);

  // Texts of 64 and 128 tokens, from the Node server's token count (every runtime tokenizes identically: tested).
  const node = await startNode(configPath);
  await firstAnswer(node.url, 'warm up');
  const texts = { 64: await textOf(node.url, 64), 128: await textOf(node.url, 128) } as Record<64 | 128, string>;
  await node.close();

  const rows: Row[] = [];
  for (const rt of EDGE_RUNTIMES) {
    const bin = runtimeBinary(rt);
    const version = await versionOf(bin, ['--version']);
    const srv = await startRuntime(rt, built, { configYaml, work });
    const base = srv.rss();
    try {
      const row = await measure(srv, version, texts);
      row.baselineRssMiB = r1(base / MiB);
      rows.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await srv.close();
    }
  }
  {
    const n = await startNode(configPath);
    const base = n.rss();
    try {
      const row = await measure(n, `node ${process.versions.node}, onnxruntime-node 1.30.0`, texts);
      row.baselineRssMiB = r1(base / MiB);
      rows.push(row);
      console.log(JSON.stringify(row));
    } finally {
      await n.close();
    }
  }
  const load1 = loadavg()[0]!;
  console.log(`\nload average at start ${load0.toFixed(2)}, at end ${load1.toFixed(2)}\n`);
  console.log('| runtime | cold start: listening + first answer (model load) | warm 64 tok p50 / p99 | warm 128 tok p50 / p99 | peak RSS (idle RSS) | ORT wasm heap | V8 JS heap |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.runtime} (${r.version}) | ${r1(r.listenMs + r.firstRequestMs)} ms (${r.listenMs} + ${r.firstRequestMs}) | ${r.p50_64} / ${r.p99_64} ms | ${r.p50_128} / ${r.p99_128} ms | ` +
        `${r.peakRssMiB} MiB${r.baselineRssMiB ? ` (${r.baselineRssMiB})` : ''} | ${r.wasmHeapMiB !== undefined ? `${r.wasmHeapMiB} MiB` : '–'} | ${r.jsHeapMiB !== undefined ? `${r.jsHeapMiB} MiB` : '–'} |`,
    );
  }
  if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify({ date: new Date().toISOString(), n: N, cpus: cpus().length, cpu: cpus()[0]?.model, loadavg: [load0, load1], sizes: built.sizes, rows }, null, 2));
} finally {
  await mock.close();
  rmSync(work, { recursive: true, force: true });
}
