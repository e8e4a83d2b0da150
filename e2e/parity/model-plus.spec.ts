/**
 * The server model semroute-plus in the browser worker (@semroute/core/browser, Chromium WASM): heads.json names a
 * domain tower (towers/use-lite/), which the worker loads through the model's own URL resolver and blends into the
 * domain scores, as the Node runtime does.
 *   - from the model folder URL (modelBase): the tower's files are fetched (server request log), the domain scores
 *     are exactly the blend of the page's own semroute-mini scores and the tower alone (heads.json's weight and
 *     temperature), and they agree with Node's (onnxruntime-node, CPU, one thread); jailbreak equal to Node's and, with a
 *     heads.json jailbreak tower, to the blend of the page's semroute-mini and tower-alone jailbreak scores;
 *   - from @semroute/model-plus's `modelFiles` map (its unbundled index.js imported by the page): the tower's files
 *     through the map, the very same scores;
 *   - a heads.json jailbreak tower (a test model: semroute-plus whose tower graph also has a jailbreak output,
 *     packages/node-adapter/test/runtime/jailbreak-tower-fixture.ts): the tower graph fetched once for both heads,
 *     jailbreak scores the blend of the page's own parts and equal to Node's;
 *   - semroute-mini: no tower request and the custom-heads chunk (ort-web-byo) is never fetched.
 * Node vs browser on the tower: the tower ships in fp32, so both runtimes compute the same float graph and the blended
 * domain probabilities agree within NATIVE_TOL, as on the shipped graph (a weight-only int8 tower differed by ~1e-2:
 * native ORT fused it into MatMulNBits with int8 activations, ORT-web computed it in float).
 * A spread of the parity fixture's prompts (every kind), classified only: decisions are browser-parity.spec.ts's job.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { blendDomainScores, blendJailbreakScore } from '@semroute/core/runtime-kit';
import { buildHarness } from './build.js';
import { classifyInPage as classifyFixture, openHarness as openHarnessAt, runNodeReference } from './harness.js';
import type { PageRunOptions, PageRunOutput } from './page-run.js';
import { PLUS_DIR, ROOT, startServer } from './server.js';
import { FIXTURE_OUTPUT, makeJailbreakTowerModel, removeJailbreakTowerModels } from '../../packages/node-adapter/test/runtime/jailbreak-tower-fixture.js';
import type { ParityPrompt, ParityResult } from './shared.js';

/** Largest allowed |browser − Node| of a domain probability (the same fp32 tower graph on two kernels). */
const NATIVE_TOL = 1e-3;
/** Largest allowed difference where both sides run the same arithmetic (the mini graph; the blend; one runtime twice). */
const TOL = 1e-3;
const BLEND_TOL = 1e-5;
const TOWER = 'towers/use-lite';
type TowerBlock = { folder: string; output?: string; temperature: number; blend: { weight: number; temperature: number } };
const plusHeads = (JSON.parse(readFileSync(join(PLUS_DIR, 'heads.json'), 'utf8')) as { heads: Array<{ name: string; tower?: TowerBlock }> }).heads;
const towerSpec = plusHeads.find((h) => h.name === 'domain')!.tower!;
/** heads.json's jailbreak tower, where semroute-plus has one (another output of the same tower graph). */
const jailbreakTower = plusHeads.find((h) => h.name === 'jailbreak')?.tower;
/** Every 12th fixture prompt: 18 prompts (MMLU, jailbreak, benign, PII, multi-turn, unicode, garbage). */
const { prompts } = JSON.parse(readFileSync(join(ROOT, 'e2e/fixtures/parity-prompts.json'), 'utf8')) as { prompts: ParityPrompt[] };
const IDS = prompts.filter((_, i) => i % 12 === 0).map((p) => p.id);
/** The file-map run repeats the model-folder run on one runtime: its first few prompts say whether the numbers are the same. */
const FILE_MAP_PROMPTS = 4;

/** A model with a heads.json jailbreak tower: semroute-plus whose tower graph also has a jailbreak output (test fixture). */
let jbTowerDir = '';
const JB_BLEND = { weight: 0.5, temperature: 1.2 };
/** Prompts of the jailbreak-tower run (the fixture's first few: MMLU, jailbreak, benign, PII). */
const JB_PROMPTS = 6;
let server: Server;
let base = '';
let nodePlus: ParityResult[] = [];
/** The browser's semroute-plus results from the model folder (the file-map run must reproduce them). */
let webPlus: ParityResult[] = [];
/** Requests the server answered (`METHOD /path`, the /coi/ prefix removed), since the last reset. */
const requests: string[] = [];

test.describe.configure({ mode: 'serial', timeout: 120_000 });

test.beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'semroute-plus-e2e-'));
  await buildHarness(join(work, 'site'));
  jbTowerDir = makeJailbreakTowerModel({ blend: JB_BLEND });
  ({ server, url: base } = await startServer(join(work, 'site'), { onRequest: (method, path) => requests.push(`${method} ${path}`), mounts: { '/models/jb-tower/': jbTowerDir } }));
  nodePlus = runNodeReference(join(work, 'node-plus.json'), 'int8', ['--model', PLUS_DIR, '--ids', IDS.join(','), '--no-route']);
});

test.afterAll(async () => {
  await new Promise((r) => server?.close(r));
  removeJailbreakTowerModels();
});

const openHarness = () => openHarnessAt(base);

/**
 * Classifies the fixed prompts in the page, the request log starting empty. One WASM thread (like Node's one) and no
 * Cache API, so every model file is a plain GET the log sees.
 */
async function classifyInPage(page: Page, o: Omit<PageRunOptions, 'backend'>): Promise<PageRunOutput> {
  requests.length = 0;
  return classifyFixture(page, IDS, o);
}

/** The largest |a − b| of any domain probability over all prompts, and the prompt it occurs on; same prompts, same labels. */
function worstScoreDiff(a: readonly ParityResult[], b: readonly ParityResult[]): { diff: number; id: string } {
  expect(b.map((r) => r.id)).toEqual(a.map((r) => r.id));
  let worst = { diff: 0, id: '' };
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(Object.keys(y.categoryScores).sort(), x.id).toEqual(Object.keys(x.categoryScores).sort());
    for (const [label, p] of Object.entries(x.categoryScores)) {
      const diff = Math.abs(p - y.categoryScores[label]!);
      if (!(diff <= worst.diff)) worst = { diff, id: x.id };
    }
  });
  return worst;
}

const fetched = (path: string): boolean => requests.includes(`GET ${path}`);
const byoChunk = (): string[] => requests.filter((r) => /^GET \/chunks\/ort-web-byo-[\w-]+\.js$/.test(r));
const top = (s: Readonly<Record<string, number>>): [string, number, number] => {
  const [a, b] = Object.entries(s).sort((x, y) => y[1] - x[1]);
  return [a![0], a![1], b![1]];
};

/** The tower's files were requested from the model's folder and reported by their path in the model. */
function expectTowerFetched(out: PageRunOutput): void {
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    expect(fetched(`/models/semroute-plus/${TOWER}/${f}`), `${TOWER}/${f} requested`).toBe(true);
    // Progress names the tower's files by their path in the model (not a second bare 'tokenizer.json').
    expect(out.phases).toContain(`fetch:${TOWER}/${f}`);
  }
  // One tower graph for the domain and (heads.json) jailbreak towers: fetched once.
  expect(requests.filter((r) => r === `GET /models/semroute-plus/${TOWER}/onnx/model.onnx`)).toHaveLength(1);
  expect(fetched('/models/semroute-plus/onnx/model_quantized.onnx')).toBe(true);
  expect(requests.filter((r) => r.includes('/models/semroute-mini/')), 'nothing of semroute-mini').toEqual([]);
  expect(byoChunk(), 'the custom-heads chunk (tower code) once').toHaveLength(1);
}

test('semroute-plus from its model folder URL: the tower is fetched and blended as heads.json says; domain scores agree with Node', async () => {
  expect(nodePlus.length).toBe(IDS.length);
  const { browser, page } = await openHarness();
  let mini: PageRunOutput;
  let towerAlone: PageRunOutput;
  try {
    const plus = await classifyInPage(page, { model: 'models/semroute-plus/' });
    expect(plus.backend).toBe('wasm-simd');
    expectTowerFetched(plus);
    webPlus = plus.results;
    // Its parts in the same page: semroute-mini alone, and the tower alone as a custom domain head (no blend).
    mini = await classifyInPage(page, { model: 'models/semroute-mini/' });
    towerAlone = await classifyInPage(page, {
      model: 'models/semroute-mini/',
      heads: {
        domain: { model: `models/semroute-plus/${TOWER}/`, temperature: towerSpec.temperature },
        ...(jailbreakTower
          ? { jailbreak: { model: `models/semroute-plus/${jailbreakTower.folder}/`, output: jailbreakTower.output ?? 'logits', temperature: jailbreakTower.temperature, labels: ['benign', 'jailbreak'] } }
          : {}),
      },
    });
  } finally {
    await browser.close();
  }

  // The blend, exactly: heads.json's weight and temperature over the page's own parts.
  const labels = Object.keys(webPlus[0]!.categoryScores);
  const blended = mini.results.map((m, i) => ({ ...m, categoryScores: blendDomainScores(labels, m.categoryScores, towerAlone.results[i]!.categoryScores, towerSpec.blend) }));
  const blend = worstScoreDiff(blended, webPlus);
  expect(blend.diff, `blend on ${blend.id}`).toBeLessThanOrEqual(BLEND_TOL);
  // Jailbreak: the shipped score, or with a jailbreak tower its blend with the tower's (heads.json's weight and temperature).
  mini.results.forEach((m, i) => {
    const want = jailbreakTower ? blendJailbreakScore(m.jailbreak, towerAlone.results[i]!.jailbreak, jailbreakTower.blend) : m.jailbreak;
    expect(Math.abs(webPlus[i]!.jailbreak - want), m.id).toBeLessThanOrEqual(BLEND_TOL);
  });
  // The tower moves the scores (it is not a no-op): by more than the Node tolerance somewhere.
  expect(worstScoreDiff(mini.results, webPlus).diff).toBeGreaterThan(NATIVE_TOL);

  // Against Node: the shipped graph's outputs equal (same int8 arithmetic); the domain within NATIVE_TOL, same top domain.
  const native = worstScoreDiff(nodePlus, webPlus);
  nodePlus.forEach((n, i) => {
    const w = webPlus[i]!;
    expect(w.tokenCount, n.id).toBe(n.tokenCount);
    expect(Math.abs(w.jailbreak - n.jailbreak), n.id).toBeLessThanOrEqual(TOL);
    const [label, p1, p2] = top(n.categoryScores);
    if (p1 - p2 > 2 * NATIVE_TOL) expect(top(w.categoryScores)[0], n.id).toBe(label);
  });
  console.log(
    `semroute-plus, Chromium WASM (1 thread): ${webPlus.length} prompts; max domain score diff vs Node CPU ${native.diff.toExponential(2)} (${native.id}), ` +
      `vs blend of its own parts ${blend.diff.toExponential(2)}`,
  );
  expect(native.diff, `worst on ${native.id}`).toBeLessThanOrEqual(NATIVE_TOL);
});

test("semroute-plus from @semroute/model-plus's modelFiles map: the tower's files through the map, the same scores", async () => {
  expect(webPlus.length, 'runs after the model-folder test').toBe(IDS.length);
  const { browser, page } = await openHarness();
  let out: PageRunOutput;
  let lean: PageRunOutput;
  try {
    out = await classifyInPage(page, { modelFilesModule: 'models/semroute-plus/index.js', limit: FILE_MAP_PROMPTS });
    expect(fetched('/models/semroute-plus/index.js')).toBe(true);
    expectTowerFetched(out);
    // The tower's tokenizer_config.json is optional (as the model's own is): a map without it still loads.
    lean = await classifyInPage(page, { modelFilesModule: 'models/semroute-plus/index.js', omitFiles: [`${TOWER}/tokenizer_config.json`], limit: 1 });
  } finally {
    await browser.close();
  }
  expect(out.results).toHaveLength(FILE_MAP_PROMPTS);
  const same = worstScoreDiff(webPlus.slice(0, FILE_MAP_PROMPTS), out.results);
  console.log(`semroute-plus from its file map: max domain score diff vs the model-folder run ${same.diff.toExponential(2)}`);
  expect(same.diff, `worst on ${same.id}`).toBeLessThanOrEqual(BLEND_TOL);
  expect(fetched(`/models/semroute-plus/${TOWER}/onnx/model.onnx`)).toBe(true);
  expect(fetched(`/models/semroute-plus/${TOWER}/tokenizer_config.json`)).toBe(false);
  // A short first prompt: the tower's max length (tokenizer_config.json's 128, else 512) does not come into it.
  expect(worstScoreDiff(webPlus.slice(0, 1), lean.results).diff).toBeLessThanOrEqual(BLEND_TOL);
});

test('a heads.json jailbreak tower (fixture) in the worker: one tower graph for both heads, jailbreak blended as heads.json says, as on Node', async () => {
  const ids = IDS.slice(0, JB_PROMPTS);
  const nodeJb = runNodeReference(join(jbTowerDir, 'node-reference.json'), 'int8', ['--model', jbTowerDir, '--ids', ids.join(','), '--no-route']);
  const { browser, page } = await openHarness();
  let fx: PageRunOutput;
  let mini: PageRunOutput;
  let alone: PageRunOutput;
  try {
    fx = await classifyInPage(page, { model: 'models/jb-tower/', limit: JB_PROMPTS });
    // The domain and jailbreak towers name one folder: its graph is fetched (and its session made) once.
    expect(requests.filter((r) => r === `GET /models/jb-tower/${TOWER}/onnx/model.onnx`)).toHaveLength(1);
    mini = await classifyInPage(page, { model: 'models/semroute-mini/', limit: JB_PROMPTS });
    alone = await classifyInPage(page, {
      model: 'models/semroute-mini/',
      heads: { jailbreak: { model: `models/jb-tower/${TOWER}/`, output: FIXTURE_OUTPUT, labels: ['benign', 'jailbreak'] } },
      limit: JB_PROMPTS,
    });
  } finally {
    await browser.close();
  }
  expect(fx.results.map((r) => r.id)).toEqual(ids);
  let moved = 0;
  fx.results.forEach((f, i) => {
    const want = blendJailbreakScore(mini.results[i]!.jailbreak, alone.results[i]!.jailbreak, JB_BLEND);
    expect(Math.abs(f.jailbreak - want), f.id).toBeLessThanOrEqual(BLEND_TOL);
    // The score source crossed from the worker: a blend of the page's own parts, which reproduce the score.
    const src = f.sources?.jailbreak;
    expect(src, f.id).toMatchObject({ kind: 'blend', ...JB_BLEND, windows: expect.any(Number) });
    if (src?.kind === 'blend') {
      expect(Math.abs(src.shipped - mini.results[i]!.jailbreak), f.id).toBeLessThanOrEqual(BLEND_TOL);
      expect(Math.abs(src.tower - alone.results[i]!.jailbreak), f.id).toBeLessThanOrEqual(BLEND_TOL);
      expect(Math.abs(blendJailbreakScore(src.shipped, src.tower, src) - f.jailbreak), f.id).toBeLessThanOrEqual(1e-12);
    }
    expect(mini.results[i]!.sources, f.id).toMatchObject({ jailbreak: { kind: 'model' }, domain: { kind: 'model' } });
    expect(alone.results[i]!.sources?.jailbreak, f.id).toEqual({ kind: 'custom' });
    expect(f.sources?.domain, f.id).toMatchObject({ kind: 'blend' });
    expect(Math.abs(f.jailbreak - nodeJb[i]!.jailbreak), f.id).toBeLessThanOrEqual(TOL);
    if (Math.abs(f.jailbreak - mini.results[i]!.jailbreak) > TOL) moved++;
  });
  expect(moved, 'the tower moves some jailbreak scores').toBeGreaterThan(0);
  // The domain tower is blended as before: the same scores as semroute-plus's own run.
  expect(worstScoreDiff(webPlus.slice(0, JB_PROMPTS), fx.results).diff).toBeLessThanOrEqual(BLEND_TOL);
});

test('semroute-mini (no tower in heads.json): no tower request and the custom-heads chunk is never fetched', async () => {
  const { browser, page } = await openHarness();
  let out: PageRunOutput;
  try {
    out = await classifyInPage(page, { limit: 2 });
  } finally {
    await browser.close();
  }
  expect(out.results).toHaveLength(2);
  expect(fetched('/models/semroute-mini/onnx/model_quantized.onnx')).toBe(true);
  expect(requests.filter((r) => r.includes('towers/') || r.includes('/models/semroute-plus/'))).toEqual([]);
  expect(requests.some((r) => /^GET \/chunks\/ort\.wasm/.test(r)), 'the log sees the worker\'s chunks').toBe(true);
  expect(byoChunk()).toEqual([]);
});
