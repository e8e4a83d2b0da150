/**
 * Benchmark (not a test): navigation → first decision of the playground in Debian Chromium, served from loopback.
 *
 *   pnpm --filter @semroute/web-demo build
 *   pnpm --filter @semroute/e2e run bench:cold-start [--runs 5] [--settle 5000] [--query backend=wasm] [--json out.json]
 *
 * Each run launches a fresh Chromium on a new, empty profile folder (so HTTP cache, Cache API and V8/WASM code
 * caches are empty: a cold load), opens the playground from a static server over packages/web-demo/dist with
 * COOP/COEP and `no-cache` + ETag (as `semroute serve` answers), and records the time from navigation start to the
 * moment the first decision is on screen (`body[data-decided]`). It waits `--settle` milliseconds on the page (a
 * visitor reading it; V8 writes its compiled WASM code to the code cache a few seconds after compiling it), closes
 * it and opens the page again in the same profile: the warm load (model files from the Cache API, the rest of the
 * HTTP cache revalidated, compiled code from Chromium's code cache). The profile is an ordinary on-disk one, as a
 * visitor's is: an incognito context (Playwright's `browser.newContext()`) has no code cache at all.
 *
 * Reported: the median of the runs and, for the median cold and the median warm run, where the time went: the
 * resource fetch windows from the network log, the page's `semroute:*` marks, and the classifier worker's
 * `semroute:*` measures (ORT import, `.wasm` compile/instantiate, metadata, tokenizer, model bytes, session, first
 * classification), all in milliseconds since navigation start. The machine and its load are printed with the figures.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page, type Worker } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { startStatic } from '../playground-server.js';

const argv = process.argv.slice(2);
const { values } = parseArgs({
  // `pnpm run bench:cold-start -- --runs 5` passes the `--` through; parseArgs would take what follows as positionals.
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    runs: { type: 'string', default: '5' },
    settle: { type: 'string', default: '5000' },
    query: { type: 'string', default: '' },
    root: { type: 'string' },
    json: { type: 'string' },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const SETTLE_MS = Math.max(0, Number(values.settle));

interface Span {
  name: string;
  start: number;
  end: number;
  bytes: number;
}
interface Load {
  firstDecisionMs: number;
  /** CPU time (user + system, all of Chromium's processes) from navigation to the first decision, Linux only. */
  cpuMs?: number;
  marks: Record<string, number>;
  /** The classifier worker's `semroute:*` measures, in page time: [start, end]. */
  worker: Record<string, [number, number]>;
  resources: Span[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Records, in page time, when `body[data-decided]` first appears (the first decision is on screen). */
const RECORD_FIRST_DECISION = `
  (() => {
    const watch = () => {
      const done = () => { if (document.body.dataset.decided !== undefined && !window.__firstDecisionAt) { window.__firstDecisionAt = performance.now(); } };
      new MutationObserver(done).observe(document.body, { attributes: true, attributeFilter: ['data-decided'] });
      done();
    };
    if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
  })();
`;

/**
 * CPU ticks used so far by each process of the Chromium started on `profile` (its processes and their descendants),
 * from /proc: on a shared machine wall-clock time mostly measures the other tenants, CPU time measures this page's work.
 */
function chromiumCpuTicks(profile: string): Map<number, number> | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const procs = new Map<number, { ppid: number; ticks: number }>();
  const ours = new Set<number>(); // Chromium's processes name the profile in their command line (a zygote's children may not)
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`--user-data-dir=${profile}`)) ours.add(Number(d));
    } catch {
      // the process ended while we read it
    }
  }
  if (!ours.size) return undefined;
  const within = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = procs.get(p)?.ppid ?? 0, hops++) if (ours.has(p)) return true;
    return false;
  };
  return new Map([...procs].filter(([pid]) => within(pid)).map(([pid, p]) => [pid, p.ticks]));
}

/** CPU milliseconds between two snapshots (a process that ended in between is left out; USER_HZ is 100 on Linux). */
function cpuBetween(a: Map<number, number> | undefined, b: Map<number, number> | undefined): number | undefined {
  if (!a || !b) return undefined;
  let ticks = 0;
  for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0);
  return ticks * 10;
}

async function load(context: BrowserContext, url: string, settleMs: number, profile: string): Promise<Load> {
  const page: Page = await context.newPage();
  // The first worker of the page is the classifier's (ORT's pthread workers come later and sit in Atomics.wait,
  // where an evaluate would hang).
  const firstWorker = new Promise<Worker>((resolve) => page.once('worker', resolve));
  const spans: Span[] = [];
  const onFinished = async (r: import('@playwright/test').Request) => {
    const t = r.timing();
    const sizes = await r.sizes().catch(() => ({ responseBodySize: 0 }));
    const path = new URL(r.url()).pathname.split('/').pop() || '/';
    spans.push({ name: path, start: t.startTime, end: t.startTime + t.responseEnd, bytes: sizes.responseBodySize });
  };
  context.on('requestfinished', onFinished);
  await page.addInitScript(RECORD_FIRST_DECISION);
  const cpu0 = chromiumCpuTicks(profile);
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __firstDecisionAt?: number }).__firstDecisionAt, undefined, { timeout: 120_000, polling: 50 });
  const cpu1 = chromiumCpuTicks(profile);
  const cpuMs = cpuBetween(cpu0, cpu1);
  const { at, origin, marks } = await page.evaluate(() => ({
    at: (window as unknown as { __firstDecisionAt: number }).__firstDecisionAt,
    origin: performance.timeOrigin,
    marks: Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('semroute:')).map((m) => [m.name, m.startTime])),
  }));
  const worker: Record<string, [number, number]> = {};
  const w = await Promise.race([firstWorker, page.waitForTimeout(1000).then(() => null)]);
  const got = await w
    ?.evaluate(() => ({
      origin: performance.timeOrigin,
      measures: performance.getEntriesByType('measure').filter((m) => m.name.startsWith('semroute:')).map((m) => [m.name, m.startTime, m.startTime + m.duration] as const),
    }))
    .catch(() => null);
  for (const [name, s, e] of got?.measures ?? []) worker[name] = [got!.origin + s - origin, got!.origin + e - origin];
  if (settleMs) await page.waitForTimeout(settleMs);
  context.off('requestfinished', onFinished);
  await page.close();
  return {
    firstDecisionMs: at,
    ...(cpuMs !== undefined && { cpuMs }),
    marks,
    worker,
    resources: spans.map((s) => ({ ...s, start: s.start - origin, end: s.end - origin })).filter((s) => s.end >= 0 && s.start <= at).sort((a, b) => a.start - b.start),
  };
}

const site = await startStatic({ isolated: true, ...(values.root ? { root: values.root } : {}) });
const url = `${site.url}/${values.query ? `?${values.query}` : ''}`;
const cold: Load[] = [];
const warm: Load[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const profile = mkdtempSync(join(tmpdir(), 'semroute-cold-start-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      cold.push(await load(context, url, SETTLE_MS, profile));
      warm.push(await load(context, url, 0, profile));
      process.stderr.write(`run ${i + 1}/${RUNS}: cold ${cold.at(-1)!.firstDecisionMs.toFixed(0)} ms, warm ${warm.at(-1)!.firstDecisionMs.toFixed(0)} ms\n`);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
} finally {
  await site.close();
}

const fmt = (x: number) => `${x.toFixed(0)} ms`;
const medianRun = (loads: Load[]): Load => {
  const m = median(loads.map((l) => l.firstDecisionMs));
  return loads.reduce((best, l) => (Math.abs(l.firstDecisionMs - m) < Math.abs(best.firstDecisionMs - m) ? l : best));
};
const breakdown = (title: string, run: Load): void => {
  console.log(`\n${title}, ${fmt(run.firstDecisionMs)} (ms since navigation start):`);
  const rows: [number, string][] = [];
  for (const r of run.resources) {
    rows.push([r.start, `  fetch ${r.name.padEnd(40)} ${fmt(r.start).padStart(8)} → ${fmt(r.end).padStart(8)}  ${(r.bytes / 1024).toFixed(0).padStart(7)} KiB`]);
  }
  for (const [k, [s, e]] of Object.entries(run.worker)) {
    rows.push([s, `  worker ${k.padEnd(39)} ${fmt(s).padStart(8)} → ${fmt(e).padStart(8)}  ${fmt(e - s).padStart(8)}`]);
  }
  for (const [k, v] of Object.entries(run.marks)) rows.push([v, `  mark  ${k.padEnd(40)} ${fmt(v).padStart(8)}`]);
  for (const [, line] of rows.sort((a, b) => a[0] - b[0])) console.log(line);
  console.log(`  first decision on screen                       ${fmt(run.firstDecisionMs).padStart(8)}`);
};
/** Median over the runs of each phase's start and end (worker measures and page marks), in page time. */
const phases = (title: string, loads: Load[]): void => {
  console.log(`\n${title}: median over ${loads.length} runs, ms since navigation start`);
  const names = new Set(loads.flatMap((l) => Object.keys(l.worker)));
  const rows: [number, string][] = [];
  for (const n of names) {
    const got = loads.map((l) => l.worker[n]).filter((x): x is [number, number] => x !== undefined);
    const s = median(got.map((x) => x[0]));
    rows.push([s, `  ${`worker ${n}`.padEnd(36)} ${fmt(s).padStart(8)} → ${fmt(median(got.map((x) => x[1]))).padStart(8)}  ${fmt(median(got.map((x) => x[1] - x[0]))).padStart(8)}`]);
  }
  for (const n of new Set(loads.flatMap((l) => Object.keys(l.marks)))) {
    const v = median(loads.map((l) => l.marks[n]).filter((x): x is number => x !== undefined));
    rows.push([v, `  ${`mark ${n}`.padEnd(36)} ${fmt(v).padStart(8)}`]);
  }
  for (const [, line] of rows.sort((a, b) => a[0] - b[0])) console.log(line);
  console.log(`  ${'first decision on screen'.padEnd(36)} ${fmt(median(loads.map((l) => l.firstDecisionMs))).padStart(8)}`);
};
const coldMs = cold.map((l) => l.firstDecisionMs);
const warmMs = warm.map((l) => l.firstDecisionMs);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`;
console.log(`machine: ${machine}; Chromium ${CHROMIUM_PATH}; ${url}; ${SETTLE_MS} ms on the page before the warm load`);
/** Median CPU time of Chromium during the loads (all its processes), when /proc has it. */
const cpu = (loads: Load[]): string => {
  const got = loads.map((l) => l.cpuMs).filter((x): x is number => x !== undefined);
  return got.length ? `; Chromium CPU time median ${fmt(median(got))} [${got.map(fmt).join(', ')}]` : '';
};
console.log(`cold (fresh profile): median ${fmt(median(coldMs))}  [${coldMs.map(fmt).join(', ')}]${cpu(cold)}`);
console.log(`warm (same profile: Cache API, HTTP and code caches): median ${fmt(median(warmMs))}  [${warmMs.map(fmt).join(', ')}]${cpu(warm)}`);
phases('cold phases', cold);
phases('warm phases', warm);
breakdown('median cold run', medianRun(cold));
breakdown('median warm run', medianRun(warm));
if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, url, settleMs: SETTLE_MS, cold, warm }, null, 2)}\n`);
