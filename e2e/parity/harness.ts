/**
 * What the Node ↔ browser parity specs share: the Node side (node-reference.ts in a child process) and a fresh
 * Chromium on the harness page once the page says it is ready.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from '@playwright/test';
import { type PageRunOptions, type PageRunOutput, runParityInPage } from './page-run.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config.js';
import { ROOT } from './server.js';
import type { ParityResult } from './shared.js';

/** Runs node-reference.ts (onnxruntime-node) into `out` with `dtype` and its further options; returns its results. */
export function runNodeReference(out: string, dtype: 'int8' | 'fp32', options: readonly string[] = []): ParityResult[] {
  execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(ROOT, 'e2e/parity/node-reference.ts'), out, dtype, ...options], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return JSON.parse(readFileSync(out, 'utf8')) as ParityResult[];
}

/**
 * A fresh Chromium (fresh profile: nothing cached) on the parity harness page at `base`, once the page says it is
 * ready: the cross-origin isolated page (`coi/`) unless `isolated: false`; `args` are added to the launch flags.
 * Console warnings are collected from the first moment.
 */
export async function openHarness(base: string, o: { isolated?: boolean; args?: readonly string[] } = {}): Promise<{ browser: Browser; page: Page; warnings: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(o.args ?? [])], headless: true });
  const page = await browser.newPage();
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  await page.goto(`${base}/${o.isolated === false ? '' : 'coi/'}index.html`);
  await page.waitForFunction(() => (globalThis as { semrouteReady?: boolean }).semrouteReady === true);
  return { browser, page, warnings };
}

/**
 * Classifies the fixture prompts `ids` in the page with one WASM thread (like Node's one), no Cache API (every model
 * file a plain GET the server log sees) and no routing; `o` adds or overrides options.
 */
export function classifyInPage(page: Page, ids: readonly string[], o: Omit<PageRunOptions, 'backend'> = {}): Promise<PageRunOutput> {
  return page.evaluate(runParityInPage, { backend: 'wasm', threads: 1, cache: false, route: false, ids: [...ids], ...o } as PageRunOptions);
}
