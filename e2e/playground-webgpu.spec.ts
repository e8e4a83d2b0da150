/**
 * The playground on WebGPU (headless Chromium with --enable-unsafe-webgpu: a SwiftShader software adapter, so this
 * checks correctness, never speed): the badge says WebGPU and the decisions equal Node's for the same prompts
 * (WebGPU runs the fp32 model, so Node is asked for fp32 too).
 */
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './playwright.config.js';
import { decideInUi, openPlayground, parityCases, singleTurn } from './playground-helpers.js';
import { startStatic, type StaticServer } from './playground-server.js';

test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

let site: StaticServer;
test.beforeAll(async () => {
  site = await startStatic({ isolated: true });
});
test.afterAll(async () => {
  await site?.close();
});

test('WebGPU backend gives the same decisions as Node', async ({ page, context }) => {
  test.setTimeout(600_000);
  const hasAdapter = await (async () => {
    await page.goto(`${site.url}/no-such-page`); // a secure context (loopback) without starting the app
    return page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return !!(gpu && (await gpu.requestAdapter()));
    });
  })();
  test.skip(!hasAdapter, 'this Chromium exposes no WebGPU adapter even with --enable-unsafe-webgpu');

  // SwiftShader runs the fp32 model 20–60× slower than WASM: a handful of short prompts of each kind.
  const cases = (await parityCases({ perKind: 4, dtype: 'fp32', kinds: ['mmlu', 'pii', 'jailbreak', 'benign', 'unicode'] }))
    .filter(singleTurn)
    .filter((c) => c.messages[0]!.content.length < 400)
    .slice(0, 10);
  expect(cases.length).toBeGreaterThanOrEqual(8);
  const w = await openPlayground(page, context, `${site.url}/?backend=webgpu`, { timeout: 180_000 });
  await expect(page.getByTestId('backend-badge')).toHaveText(/WebGPU/);
  for (const c of cases) {
    const d = await decideInUi(page, c.messages[0]!.content, 120_000);
    expect({ id: c.id, decision: d.decision, model: d.model }).toEqual({ id: c.id, decision: c.decision, model: c.model });
  }
  expect(w.external).toEqual([]);
});
