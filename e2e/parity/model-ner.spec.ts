/**
 * A model folder whose heads.json names a natural-text NER file (pii head `"ner": {"file": "ner/ner.bin"}`) in the
 * browser worker (@semroute/core/browser, Chromium WASM): the worker reads the file through the model's own URL resolver
 * (the folder URL, or a model package's `modelFiles` map) and runs it as the `natural_ner` PII recognizer, as the Node
 * runtime does. The folder is a temporary copy of the model under test with the random-weight test file
 * (packages/core/test/fixtures/ner) as its NER file (random weights: many spans, a file that the shipped model's
 * changes do not move), served as /models/semroute-mini/. The shipped model's own NER spans are compared on every
 * parity prompt by browser-parity.spec.ts (fp32: spans identical).
 *   - NER spans depend on the text only: the page's equal Node's exactly (type, start, end), scores within 1e-9;
 *   - a file map without ner/ner.bin fails to load and names the file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { buildHarness } from './build.js';
import { classifyInPage as classifyFixture, openHarness as openHarnessAt, runNodeReference } from './harness.js';
import type { PageRunOptions, PageRunOutput } from './page-run.js';
import { MODEL_DIR, ROOT, startServer } from './server.js';
import type { ParityPrompt, ParityResult } from './shared.js';

const { prompts } = JSON.parse(readFileSync(join(ROOT, 'e2e/fixtures/parity-prompts.json'), 'utf8')) as { prompts: ParityPrompt[] };
/** The PII prompts and a few Unicode ones: names, places, organisations, mixed scripts. */
const IDS = [...prompts.filter((p) => p.kind === 'pii').slice(0, 12), ...prompts.filter((p) => p.kind === 'unicode').slice(0, 4)].map((p) => p.id);
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

let server: Server;
let base = '';
let work = '';
let node: ParityResult[] = [];
const requests: string[] = [];

test.describe.configure({ mode: 'serial', timeout: 120_000 });

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'semroute-ner-e2e-'));
  const model = join(work, 'model');
  mkdirSync(join(model, 'onnx'), { recursive: true });
  mkdirSync(join(model, 'ner'));
  for (const f of MODEL_FILES) copyFileSync(join(MODEL_DIR, f), join(model, f));
  copyFileSync(join(ROOT, 'packages/core/test/fixtures/ner/random-ner.bin'), join(model, 'ner/ner.bin'));
  const heads = JSON.parse(readFileSync(join(MODEL_DIR, 'heads.json'), 'utf8')) as { heads: Array<{ name: string; ner?: unknown }> };
  heads.heads.find((h) => h.name === 'pii')!.ner = { file: 'ner/ner.bin' };
  writeFileSync(join(model, 'heads.json'), JSON.stringify(heads));
  // A model package's file map, as @semroute/model-mini's index.js writes it (URLs next to the module).
  const entries = [...MODEL_FILES, 'heads.json', 'ner/ner.bin'].map((f) => `  '${f}': new URL('./${f}', import.meta.url),`);
  writeFileSync(join(model, 'index.js'), `export const modelFiles = Object.freeze({\n${entries.join('\n')}\n});\n`);
  await buildHarness(join(work, 'site'));
  ({ server, url: base } = await startServer(join(work, 'site'), { modelDir: model, onRequest: (method, path) => requests.push(`${method} ${path}`) }));
  node = runNodeReference(join(work, 'node.json'), 'int8', ['--model', model, '--ids', IDS.join(','), '--no-route']);
});

test.afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (work) rmSync(work, { recursive: true, force: true });
});

const openHarness = () => openHarnessAt(base);

async function classifyInPage(page: Page, o: Omit<PageRunOptions, 'backend'>): Promise<PageRunOutput> {
  requests.length = 0;
  return classifyFixture(page, IDS, o);
}

type Span = ParityResult['pii'][number] & { recognizer?: string };
const nerSpans = (r: ParityResult): Span[] => (r.pii as Span[]).filter((s) => s.recognizer === 'natural_ner');

/** The page's NER spans equal Node's on the same prompts (the first `web.length` of them); returns how many there are. */
function expectNodeNerSpans(web: readonly ParityResult[]): number {
  const ref = node.slice(0, web.length);
  expect(web.map((r) => r.id)).toEqual(ref.map((r) => r.id));
  let count = 0;
  ref.forEach((n, i) => {
    const [a, b] = [nerSpans(n), nerSpans(web[i]!)];
    expect(b.map((s) => [s.type, s.start, s.end]), n.id).toEqual(a.map((s) => [s.type, s.start, s.end]));
    b.forEach((s, k) => expect(Math.abs(s.score - a[k]!.score), n.id).toBeLessThan(1e-9));
    count += a.length;
  });
  return count;
}

test('from the model folder URL: the worker fetches ner/ner.bin and finds the NER spans Node finds', async () => {
  expect(node.length).toBe(IDS.length);
  const { browser, page } = await openHarness();
  let out: PageRunOutput;
  try {
    out = await classifyInPage(page, { model: 'models/semroute-mini/' });
  } finally {
    await browser.close();
  }
  expect(requests).toContain('GET /models/semroute-mini/ner/ner.bin');
  expect(out.phases).toContain('fetch:ner/ner.bin');
  const count = expectNodeNerSpans(out.results);
  console.log(`natural_ner in Chromium WASM: ${count} NER spans on ${out.results.length} prompts, identical to Node's`);
  expect(count).toBeGreaterThan(5);
});

test("from a model package's modelFiles map: the file through the map, the same spans; a map without it names the file", async () => {
  const { browser, page } = await openHarness();
  let out: PageRunOutput;
  let missing: string;
  try {
    out = await classifyInPage(page, { modelFilesModule: 'models/semroute-mini/index.js', limit: 6 });
    expect(requests).toContain('GET /models/semroute-mini/ner/ner.bin');
    missing = await classifyInPage(page, { modelFilesModule: 'models/semroute-mini/index.js', omitFiles: ['ner/ner.bin'], limit: 1 }).then(
      () => 'loaded',
      (e: unknown) => String(e),
    );
  } finally {
    await browser.close();
  }
  expect(out.results).toHaveLength(6);
  expectNodeNerSpans(out.results);
  expect(missing).toMatch(/could not read the model's NER file ner\/ner\.bin \(named by heads\.json pii "ner"\): model file ner\/ner\.bin is not in the model's file map/);
});
