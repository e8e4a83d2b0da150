/**
 * `semroute bench`: proxy overhead on loopback. Starts the mock backend and semroute in child processes, drives
 * them with autocannon at a fixed rate, and compares latency through the proxy with calling the mock directly.
 * Latencies are taken from autocannon's per-response timings (sub-millisecond), not its integer-ms histogram.
 * Then the same scenarios one request at a time (closed loop: the proxy's own cost), and open loop at the same rate
 * with evenly spaced arrivals (autocannon's rate limit is bursty: each connection sends its share of a second back to
 * back, so its latencies are those of `connections` requests in flight at once).
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

export interface BenchOptions {
  durationS: number;
  rate: number;
  connections: number;
  /** Also measure with the classifier model loaded (skipped when it cannot load). */
  withClassifier: boolean;
  /**
   * Linux with >= 2 cores: pin the load generator (this process) to CPU 0 and the servers (mock, semroute) to the
   * other CPUs (`taskset`), so the load generator does not compete with what it measures.
   */
  pin?: boolean;
  /**
   * Soak: after the scenarios, keep loading both proxies for this many seconds (paced: the keyword-only proxy at
   * `rate`, the proxy with the model at min(rate, 100) req/s) and sample each server's RSS every 10 s.
   */
  soakS?: number;
  /**
   * Also run each semroute scenario with OpenTelemetry traces on (`OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a loopback
   * OTLP/HTTP sink that this process runs), interleaved with the untraced ones, to measure what tracing costs.
   */
  traces?: boolean;
  log?: (s: string) => void;
}

export interface ScenarioResult {
  name: string;
  /** CPU time of the server process under test per request, ms (Linux /proc; robust to a noisy machine). */
  serverCpuMsPerRequest?: number;
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export interface LatencyComparison {
  requests: number;
  p50: Record<string, number>;
  p99: Record<string, number>;
  addedP50ExclClassification: number;
  addedP99ExclClassification: number;
}

export interface BenchReport {
  machine: string;
  node: string;
  rate: number;
  durationS: number;
  connections: number;
  scenarios: ScenarioResult[];
  addedP50ExclClassification?: number;
  addedP99ExclClassification?: number;
  /**
   * Closed loop, one request in flight at a time (no queueing, no load generator competing for the cores): latency
   * per scenario and what the proxy adds. This is the proxy's own per-request cost on this machine.
   */
  sequential?: LatencyComparison;
  /**
   * Open loop at the offered rate with evenly spaced arrivals (one request every 1000/rate ms, each on its own;
   * latency from its send; `sendLagP99`: how far sends fell behind the schedule). autocannon's `overallRate` is bursty: each
   * connection sends its share of a second back to back and then waits for the next second, so its figures are
   * latencies with `connections` requests in flight at once.
   */
  paced?: LatencyComparison & { rate: number; sendLagP99: number };
  /** RSS (MiB) of each server, sampled every 10 s under sustained load; `growthMiB` = last − first sample after 60 s. */
  soak?: { seconds: number; rates: Record<string, number>; rssMiB: Record<string, number[]>; growthMiB: Record<string, number>; p50: Record<string, number>; p99: Record<string, number> };
  /** 1/5/15-minute load averages at the end (context for a shared machine). */
  loadAverage?: number[];
  /** With `traces`: what the traced servers exported to the sink (OTLP/HTTP protobuf requests and bytes). */
  traces?: { exports: number; bytes: number };
}

/** utime+stime of a process in ms (Linux only; undefined elsewhere). */
function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const PROMPT = 'Explain how a hash map handles collisions, briefly.';

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');

/** Spawn `semroute ARGS` from this build (dist) or from sources (tsx) and wait for a line matching `ready`. */
function spawnCli(args: string[], ready: RegExp | null, env: Record<string, string> = {}): Promise<ChildProcess> {
  const nodeArgs = fromSource
    ? ['--conditions=source', '--import', 'tsx', join(here, 'cli', 'bin.ts'), ...args]
    : [join(here, 'cli', 'bin.js'), ...args];
  const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, UV_THREADPOOL_SIZE: '2', ...env } });
  if (!ready) {
    child.stdout!.resume();
    child.stderr!.resume();
    return Promise.resolve(child);
  }
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`semroute ${args[0]} exited (${code}) before ready:\n${out.slice(-2000)}`)));
    setTimeout(() => reject(new Error(`semroute ${args[0]} not ready in 60 s:\n${out.slice(-2000)}`)), 60_000).unref();
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 180_000): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    // Without this, a server that could not bind its port would go unnoticed and the bench would measure whatever
    // else listens there (on a shared machine, another user's server).
    if (child.exitCode !== null) throw new Error(`semroute for ${url} exited (code ${child.exitCode}) before it was ready`);
    try {
      const r = await fetch(`${url}/ready`);
      const j = (await r.json()) as { classifier?: string };
      if (r.status === 200) return j.classifier === 'loaded' || j.classifier === 'none';
      if (j.classifier === 'failed') return false;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

type Autocannon = (opts: object) => { on(ev: string, fn: (...a: unknown[]) => void): void } & PromiseLike<{ errors: number; non2xx: number; requests: { total: number } }>;

function autocannonModule(): Autocannon {
  const require = createRequire(import.meta.url);
  try {
    return require('autocannon') as Autocannon;
  } catch {
    throw new Error('semroute bench needs the dev dependency `autocannon` (run it from the workspace: pnpm install)');
  }
}

interface Scenario {
  name: string;
  url: string;
  /** The request body, serialised once. */
  json: string;
  pid: number | undefined;
  lat: number[];
  requests: number;
  errors: number;
  non2xx: number;
  cpuMs: number;
  seconds: number;
}

/** One fixed-rate window against one scenario; latencies appended to the scenario. */
async function window(sc: Scenario, o: BenchOptions, seconds: number, record: boolean): Promise<void> {
  const autocannon = autocannonModule();
  const inst = autocannon({
    url: sc.url,
    method: 'POST',
    body: sc.json,
    headers: { 'content-type': 'application/json' },
    connections: o.connections,
    overallRate: o.rate,
    duration: seconds,
  });
  if (record) {
    inst.on('response', (_client: unknown, status: unknown, _bytes: unknown, ms: unknown) => {
      if (typeof status === 'number' && status < 300) sc.lat.push(ms as number);
    });
  }
  const cpu0 = cpuMs(sc.pid);
  const r = await inst;
  const cpu1 = cpuMs(sc.pid);
  if (!record) return;
  sc.requests += r.requests.total;
  sc.errors += r.errors;
  sc.non2xx += r.non2xx;
  sc.seconds += seconds;
  if (cpu0 !== undefined && cpu1 !== undefined) sc.cpuMs += cpu1 - cpu0;
}

function summarize(sc: Scenario, o: BenchOptions): ScenarioResult {
  const lat = [...sc.lat].sort((a, b) => a - b);
  const res: ScenarioResult = {
    name: sc.name,
    requests: sc.requests,
    errors: sc.errors,
    non2xx: sc.non2xx,
    rps: Math.round(lat.length / Math.max(1, sc.seconds)),
    p50: +pct(lat, 50).toFixed(3),
    p90: +pct(lat, 90).toFixed(3),
    p99: +pct(lat, 99).toFixed(3),
    mean: +(lat.reduce((s, x) => s + x, 0) / Math.max(1, lat.length)).toFixed(3),
    ...(sc.pid && sc.requests ? { serverCpuMsPerRequest: +(sc.cpuMs / sc.requests).toFixed(3) } : {}),
  };
  o.log?.(
    `${sc.name.padEnd(44)} p50 ${res.p50.toFixed(3)} ms  p90 ${res.p90.toFixed(3)} ms  p99 ${res.p99.toFixed(3)} ms  ${res.rps} req/s  errors ${res.errors + res.non2xx}${res.serverCpuMsPerRequest !== undefined ? `  server CPU ${res.serverCpuMsPerRequest.toFixed(3)} ms/req` : ''}`,
  );
  return res;
}

/** POSTs a scenario's body (serialised once per scenario, outside any timed region) and reads the whole response. */
async function post(sc: Scenario, dispatcher?: Agent): Promise<number> {
  const r = await request(sc.url, { method: 'POST', body: sc.json, headers: { 'content-type': 'application/json' }, ...(dispatcher ? { dispatcher } : {}) });
  await r.body.text();
  return r.statusCode;
}

/** Enough connections that open-loop requests never wait for a free one. */
const openLoopAgent = (): Agent => new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });

/** p50 and p99 of latencies in ms (sorts `xs` in place), rounded to µs. */
function p50p99(xs: number[]): { p50: number; p99: number } {
  xs.sort((a, b) => a - b);
  return { p50: +pct(xs, 50).toFixed(3), p99: +pct(xs, 99).toFixed(3) };
}

/** Resident set size of a process in MiB (Linux /proc; undefined elsewhere). */
function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? +(Number(m[1]) / 1024).toFixed(1) : undefined;
  } catch {
    return undefined;
  }
}

async function soak(targets: { sc: Scenario; rate: number }[], seconds: number, log: (s: string) => void): Promise<NonNullable<BenchReport['soak']>> {
  const agent = openLoopAgent();
  const rss: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.sc.name, []]));
  const lat: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.sc.name, []]));
  const lag: number[] = [];
  log(`soak: ${seconds} s, ${targets.map((t) => `${t.sc.name} at ${t.rate} req/s`).join(', ')}`);
  try {
    for (let done = 0; done < seconds; done += 10) {
      await Promise.all(targets.map((t) => pacedWindow(t.sc, t.rate, 10, agent, lat[t.sc.name]!, lag)));
      for (const t of targets) {
        const r = rssMiB(t.sc.pid);
        if (r !== undefined) rss[t.sc.name]!.push(r);
      }
      log(`soak ${done + 10} s: RSS ${targets.map((t) => `${rss[t.sc.name]!.at(-1) ?? '?'} MiB`).join(' / ')}`);
    }
  } finally {
    await agent.close();
  }
  const growthMiB: Record<string, number> = {};
  const p50: Record<string, number> = {};
  const p99: Record<string, number> = {};
  for (const t of targets) {
    const xs = rss[t.sc.name]!;
    growthMiB[t.sc.name] = xs.length > 6 ? +(xs.at(-1)! - xs[5]!).toFixed(1) : NaN;
    ({ p50: p50[t.sc.name]!, p99: p99[t.sc.name]! } = p50p99(lat[t.sc.name]!));
    log(`soak: ${t.sc.name}: p50 ${p50[t.sc.name]} ms  p99 ${p99[t.sc.name]} ms; RSS ${xs[0]} → ${xs.at(-1)} MiB (max ${Math.max(...xs)}; after the first minute ${growthMiB[t.sc.name]! >= 0 ? '+' : ''}${growthMiB[t.sc.name]} MiB)`);
  }
  return { seconds, rates: Object.fromEntries(targets.map((t) => [t.sc.name, t.rate])), rssMiB: rss, growthMiB, p50, p99 };
}

/** CPU 0 for this process (the load generator), the rest for the servers; every thread of each (`taskset -a`). */
function pinProcesses(servers: ChildProcess[], log: (s: string) => void): void {
  const n = cpus().length;
  const pin = (cpuList: string, pid: number | undefined): boolean =>
    pid !== undefined && spawnSync('taskset', ['-a', '-cp', cpuList, String(pid)], { stdio: 'ignore' }).status === 0;
  if (n < 2 || !pin('0', process.pid) || !servers.every((c) => pin(`1-${n - 1}`, c.pid))) {
    log('could not pin processes (needs Linux taskset and >= 2 CPUs): running unpinned');
    return;
  }
  log(`pinned: load generator on CPU 0, servers on CPU ${n === 2 ? '1' : `1-${n - 1}`}`);
}

/** One request at a time, interleaved across scenarios in rounds of 100 (after 50 warm-up requests each). */
async function sequential(scenarios: Scenario[], rounds: number, log: (s: string) => void): Promise<LatencyComparison> {
  const lat = new Map<string, number[]>(scenarios.map((sc) => [sc.name, []]));
  const once = async (sc: Scenario): Promise<number> => {
    const t0 = performance.now();
    await post(sc);
    return performance.now() - t0;
  };
  for (const sc of scenarios) for (let i = 0; i < 50; i++) await once(sc);
  for (let r = 0; r < rounds; r++) for (const sc of scenarios) for (let i = 0; i < 100; i++) lat.get(sc.name)!.push(await once(sc));
  return compare('one at a time', scenarios, lat, rounds * 100, log);
}

/** p50/p99 per scenario and what the proxy (second scenario) adds over direct (first scenario). */
function compare(label: string, scenarios: Scenario[], lat: Map<string, number[]>, requests: number, log: (s: string) => void): LatencyComparison {
  const p50: Record<string, number> = {};
  const p99: Record<string, number> = {};
  for (const [name, xs] of lat) {
    ({ p50: p50[name]!, p99: p99[name]! } = p50p99(xs));
    log(`${label}: ${name.padEnd(44)} p50 ${p50[name]!.toFixed(3)} ms  p99 ${p99[name]!.toFixed(3)} ms`);
  }
  const [direct, excl] = scenarios.map((sc) => sc.name);
  const out = {
    requests,
    p50,
    p99,
    addedP50ExclClassification: +(p50[excl!]! - p50[direct!]!).toFixed(3),
    addedP99ExclClassification: +(p99[excl!]! - p99[direct!]!).toFixed(3),
  };
  log(`${label}, added by the proxy excluding classification: p50 ${out.addedP50ExclClassification} ms, p99 ${out.addedP99ExclClassification} ms`);
  return out;
}

/**
 * Evenly spaced open-loop arrivals at `rate` req/s for `seconds`: latency per request from its send; `lag` collects
 * how late each send was against its schedule (a generator that falls behind would hide queueing).
 */
async function pacedWindow(sc: Scenario, rate: number, seconds: number, agent: Agent, into: number[] | null, lag: number[]): Promise<void> {
  const interval = 1000 / rate;
  const n = Math.round(rate * seconds);
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // Node timers tick in whole milliseconds
    const sent = performance.now();
    if (into) lag.push(sent - due);
    inflight.push(
      post(sc, agent).then((status) => {
        if (into && status < 300) into.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(inflight);
}

async function paced(scenarios: Scenario[], rate: number, rounds: number, log: (s: string) => void): Promise<NonNullable<BenchReport['paced']>> {
  const agent = openLoopAgent();
  try {
    const lat = new Map<string, number[]>(scenarios.map((sc) => [sc.name, []]));
    const lag: number[] = [];
    for (const sc of scenarios) await pacedWindow(sc, rate, 1, agent, null, lag);
    for (let r = 0; r < rounds; r++) for (const sc of scenarios) await pacedWindow(sc, rate, 2, agent, lat.get(sc.name)!, lag);
    const sendLagP99 = p50p99(lag).p99;
    log(`paced ${rate} req/s: sends left p99 ${sendLagP99} ms behind schedule`);
    return { rate, sendLagP99, ...compare(`paced ${rate} req/s`, scenarios, lat, rounds * Math.round(rate * 2), log) };
  } finally {
    await agent.close();
  }
}

/** `n` distinct ports free on loopback right now (bound together on port 0, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** An OTLP/HTTP sink on loopback: accepts `POST /v1/traces` and counts what arrives (it does not decode it). */
async function startTraceSink(): Promise<{ url: string; exports: number; bytes: number; close(): Promise<void> }> {
  const sink = { url: '', exports: 0, bytes: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    req.on('data', (c: Buffer) => (sink.bytes += c.length));
    req.on('end', () => {
      sink.exports++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  o = { ...o, log };
  const dir = mkdtempSync(join(tmpdir(), 'semroute-bench-'));
  const children: ChildProcess[] = [];
  // Free ports, so that concurrent benches (or a server already on 8801) on the same machine do not collide.
  const [mockPort, proxyPort, modelPort, tracedPort, tracedModelPort] = await freePorts(5);
  const cfg = join(dir, 'bench.yaml');
  writeFileSync(
    cfg,
    `providers:
  defaults: {default_model: qwen3-8b}
  models:
    - name: qwen3-8b
      reasoning_family: qwen3
      backend_refs: [{name: mock, endpoint: "127.0.0.1:${mockPort}"}]
    - name: gpt-oss-20b
      reasoning_family: gpt-oss
      backend_refs: [{name: mock, endpoint: "127.0.0.1:${mockPort}"}]
routing:
  signals:
    keywords: [{name: code, keywords: [hash map, python, typescript]}]
    domains: [{name: computer science, mmlu_categories: [computer science]}]
  decisions:
    - name: code_route
      priority: 100
      rules: {operator: OR, conditions: [{type: keyword, name: code}]}
      modelRefs: [{model: gpt-oss-20b, use_reasoning: true}]
      plugins: [{type: system_prompt, configuration: {mode: insert, system_prompt: "You are a senior engineer."}}]
`,
  );
  const report: BenchReport = {
    machine: `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}`,
    node: process.version,
    rate: o.rate,
    durationS: o.durationS,
    connections: o.connections,
    scenarios: [],
  };
  const kill = async (c: ChildProcess) => {
    if (c.exitCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await done;
  };
  const sink = o.traces ? await startTraceSink() : undefined;
  try {
    const mock = await spawnCli(['mock-backend', '--port', String(mockPort)], /listening/);
    children.push(mock);
    const common = ['serve', '--config', cfg, '--no-grpc', '--no-watch', '--no-mock', '--log-level', 'warn', '--host', '127.0.0.1'];
    const c1 = await spawnCli([...common, '--port', String(proxyPort), '--no-classifier'], null);
    children.push(c1);
    const c2 = o.withClassifier ? await spawnCli([...common, '--port', String(modelPort)], null) : undefined;
    if (c2) children.push(c2);
    // The same servers with traces on, exporting to the sink with the SDK's default batching.
    const traced = sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'semroute-bench' } : undefined;
    const c3 = traced ? await spawnCli([...common, '--port', String(tracedPort), '--no-classifier'], null, traced) : undefined;
    const c4 = traced && o.withClassifier ? await spawnCli([...common, '--port', String(tracedModelPort)], null, traced) : undefined;
    for (const c of [c3, c4]) if (c) children.push(c);
    if (o.pin) pinProcesses(children, log);
    if (!(await waitReady(`http://127.0.0.1:${proxyPort}`, c1, 60_000))) throw new Error('semroute did not become ready');
    if (c3 && !(await waitReady(`http://127.0.0.1:${tracedPort}`, c3, 60_000))) throw new Error('semroute with traces did not become ready');
    const modelOk = c2 ? await waitReady(`http://127.0.0.1:${modelPort}`, c2) : false;
    if (c2 && !modelOk) log('classifier model did not load: "with classifier" scenario skipped');
    const tracedModelOk = c4 ? await waitReady(`http://127.0.0.1:${tracedModelPort}`, c4) : false;

    const mk = (name: string, url: string, body: object, pid: number | undefined): Scenario => ({ name, url, json: JSON.stringify(body), pid, lat: [], requests: 0, errors: 0, non2xx: 0, cpuMs: 0, seconds: 0 });
    const body = { model: 'auto', messages: [{ role: 'user', content: PROMPT }] };
    const scenarios = [
      mk('direct to mock backend', `http://127.0.0.1:${mockPort}/v1/chat/completions`, { model: 'gpt-oss-20b', messages: [{ role: 'user', content: PROMPT }] }, mock.pid),
      mk('via semroute, keyword signals (no model)', `http://127.0.0.1:${proxyPort}/v1/chat/completions`, body, c1.pid),
      ...(modelOk && c2 ? [mk('via semroute, with classifier model', `http://127.0.0.1:${modelPort}/v1/chat/completions`, body, c2.pid)] : []),
      ...(c3 ? [mk('via semroute, keyword signals, traces on', `http://127.0.0.1:${tracedPort}/v1/chat/completions`, body, c3.pid)] : []),
      ...(tracedModelOk && c4 ? [mk('via semroute, with model, traces on', `http://127.0.0.1:${tracedModelPort}/v1/chat/completions`, body, c4.pid)] : []),
    ];
    const rounds = Math.max(1, Math.round(o.durationS / 2));
    log(
      `semroute bench: ${o.rate} req/s, ${o.connections} connections, ${rounds} interleaved 2 s windows per scenario (after a 2 s warm-up), ${report.machine}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    );
    // Interleaved windows, so that every scenario sees the same background load on a shared machine.
    for (const sc of scenarios) await window(sc, o, 2, false);
    for (let r = 0; r < rounds; r++) for (const sc of scenarios) await window(sc, o, 2, true);
    report.scenarios = scenarios.map((sc) => summarize(sc, o));
    const [direct, excl] = report.scenarios;
    report.addedP50ExclClassification = +(excl!.p50 - direct!.p50).toFixed(3);
    report.addedP99ExclClassification = +(excl!.p99 - direct!.p99).toFixed(3);
    log(`added by the proxy excluding classification: p50 ${report.addedP50ExclClassification} ms, p99 ${report.addedP99ExclClassification} ms`);
    report.sequential = await sequential(scenarios, rounds, log);
    report.paced = await paced(scenarios, o.rate, rounds, log);
    if (sink) {
      report.traces = { exports: sink.exports, bytes: sink.bytes };
      log(`traces: ${sink.exports} OTLP exports, ${(sink.bytes / 1024).toFixed(0)} KiB received by the sink`);
    }
    if (o.soakS) {
      const [, viaKeywords, viaModel] = scenarios;
      report.soak = await soak([{ sc: viaKeywords!, rate: o.rate }, ...(viaModel ? [{ sc: viaModel, rate: Math.min(o.rate, 100) }] : [])], o.soakS, log);
    }
    report.loadAverage = loadavg().map((x) => +x.toFixed(2));
    return report;
  } finally {
    await Promise.all(children.map(kill));
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
