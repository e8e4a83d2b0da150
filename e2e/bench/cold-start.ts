/**
 * Benchmark (not a test): navigation → first decision of the playground in Debian Chromium, served from loopback.
 *
 *   pnpm --filter @semroute/web-demo build
 *   pnpm --filter @semroute/e2e run bench:cold-start [-- --runs 5] [--query backend=wasm] [--json out.json]
 *
 * Each run launches a fresh Chromium (so HTTP cache, Cache API and V8/WASM code caches are empty: a cold load),
 * opens the playground from a static server over packages/web-demo/dist with COOP/COEP (as `semroute serve` and
 * `vite preview` serve it), and records the time from navigation start to the moment the first decision is on
 * screen (`body[data-decided]`). Then it loads the page again in the same browser context: the warm load (model
 * files from the Cache API, the HTTP cache revalidated). Reported: the median of the runs and, for the median cold
 * run, where the time went (resource fetch windows from the network log, the page's `semroute:*` performance
 * marks). The machine and its load are printed with the figures.
 */
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { startStatic } from '../playground-server.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, query: { type: 'string', default: '' }, json: { type: 'string' } },
});
const RUNS = Math.max(1, Number(values.runs));

interface Span {
  name: string;
  start: number;
  end: number;
  bytes: number;
}
interface Load {
  firstDecisionMs: number;
  marks: Record<string, number>;
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

async function load(context: BrowserContext, url: string): Promise<Load> {
  const page: Page = await context.newPage();
  const spans: Span[] = [];
  const onFinished = async (r: import('@playwright/test').Request) => {
    const t = r.timing();
    const sizes = await r.sizes().catch(() => ({ responseBodySize: 0 }));
    const path = new URL(r.url()).pathname.split('/').pop() || '/';
    spans.push({ name: path, start: t.startTime, end: t.startTime + t.responseEnd, bytes: sizes.responseBodySize });
  };
  context.on('requestfinished', onFinished);
  await page.addInitScript(RECORD_FIRST_DECISION);
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { __firstDecisionAt?: number }).__firstDecisionAt, undefined, { timeout: 120_000, polling: 50 });
  const { at, origin, marks } = await page.evaluate(() => ({
    at: (window as unknown as { __firstDecisionAt: number }).__firstDecisionAt,
    origin: performance.timeOrigin,
    marks: Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('semroute:')).map((m) => [m.name, m.startTime])),
  }));
  context.off('requestfinished', onFinished);
  await page.close();
  return {
    firstDecisionMs: at,
    marks,
    resources: spans.map((s) => ({ ...s, start: s.start - origin, end: s.end - origin })).filter((s) => s.end >= 0).sort((a, b) => a.start - b.start),
  };
}

const site = await startStatic({ isolated: true });
const url = `${site.url}/${values.query ? `?${values.query}` : ''}`;
const cold: Load[] = [];
const warm: Load[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    try {
      const context = await browser.newContext();
      cold.push(await load(context, url));
      warm.push(await load(context, url));
      process.stderr.write(`run ${i + 1}/${RUNS}: cold ${cold.at(-1)!.firstDecisionMs.toFixed(0)} ms, warm ${warm.at(-1)!.firstDecisionMs.toFixed(0)} ms\n`);
    } finally {
      await browser.close();
    }
  }
} finally {
  await site.close();
}

const fmt = (x: number) => `${x.toFixed(0)} ms`;
const coldMs = cold.map((l) => l.firstDecisionMs);
const warmMs = warm.map((l) => l.firstDecisionMs);
const mid = cold.reduce((best, l) => (Math.abs(l.firstDecisionMs - median(coldMs)) < Math.abs(best.firstDecisionMs - median(coldMs)) ? l : best));
const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((x) => x.toFixed(2)).join(' / ')}`;
console.log(`machine: ${machine}; Chromium ${CHROMIUM_PATH}; ${url}`);
console.log(`cold (fresh browser): median ${fmt(median(coldMs))}  [${coldMs.map(fmt).join(', ')}]`);
console.log(`warm (same context, Cache API): median ${fmt(median(warmMs))}  [${warmMs.map(fmt).join(', ')}]`);
console.log(`\nmedian cold run, ${fmt(mid.firstDecisionMs)}:`);
for (const r of mid.resources) console.log(`  fetch ${r.name.padEnd(48)} ${fmt(r.start).padStart(8)} → ${fmt(r.end).padStart(8)}  ${(r.bytes / 1024).toFixed(0).padStart(7)} KiB`);
for (const [k, v] of Object.entries(mid.marks).sort((a, b) => a[1] - b[1])) console.log(`  mark  ${k.padEnd(48)} ${fmt(v).padStart(8)}`);
console.log(`  first decision on screen                              ${fmt(mid.firstDecisionMs).padStart(8)}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, url, cold, warm }, null, 2)}\n`);
