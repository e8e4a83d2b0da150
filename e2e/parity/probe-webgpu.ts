/** Manual probe: WebGPU classifier in headless Chromium, logging each load phase (not a test). */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { buildHarness } from './build.js';
import { startServer } from './server.js';

const site = join(tmpdir(), 'semroute-probe');
await buildHarness(site);
const { server, url } = await startServer(site);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...process.argv.slice(2)] });
const page = await browser.newPage();
page.on('console', (m) => console.log('[page]', m.type(), m.text().slice(0, 300)));
await page.goto(`${url}/coi/index.html`);
await page.waitForFunction(() => (globalThis as { semrouteReady?: boolean }).semrouteReady === true);
const r = await page.evaluate(`(async () => {
  const t0 = performance.now();
  const ad = await navigator.gpu?.requestAdapter();
  const info = ad ? (ad.info ? { vendor: ad.info.vendor, arch: ad.info.architecture, desc: ad.info.description } : 'adapter') : null;
  console.log('adapter', JSON.stringify(info), (performance.now() - t0).toFixed(0));
  const api = globalThis.semroute;
  const clf = await api.createBrowserClassifier({
    backend: 'webgpu', cache: false, worker: new URL('worker.js', location.href), wasmPaths: 'ort/',
    onProgress: (p) => console.log('progress', p.phase, p.file ?? '', p.backend ?? '', (performance.now() - t0).toFixed(0)),
  });
  console.log('loaded', clf.backend, (performance.now() - t0).toFixed(0));
  const ts = [];
  for (const t of ['hello world', 'What is the derivative of x squared with respect to x?', 'a b c d e f g', 'Explain how photosynthesis works in plants and why it matters for the carbon cycle on Earth today.', 'hi', 'My name is John Smith and my email is john@example.com']) {
    const a = performance.now();
    const [s] = await clf.classify([t]);
    ts.push([(performance.now() - a).toFixed(0), s.jailbreak]);
  }
  await clf.dispose();
  return { info, ts };
})()`);
console.log(JSON.stringify(r));
await browser.close();
server.close();
