/**
 * Shared helpers of the playground specs: open the page while recording every request that leaves its origin
 * and every console error, wait for the model, drive the prompt box and read the decision panel.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { ROOT } from './playground-server.js';

export interface Watch {
  /** Requests to any origin other than the page's own (data:/blob: excluded). */
  external: string[];
  /** Every request URL the page and its workers made (data:/blob: excluded). */
  all: string[];
  /** console.error messages and uncaught page errors. */
  errors: string[];
  crashed: boolean;
}

export async function openPlayground(page: Page, context: BrowserContext, url: string, opts: { waitReady?: boolean; timeout?: number } = {}): Promise<Watch> {
  const origin = new URL(url).origin;
  const w: Watch = { external: [], all: [], errors: [], crashed: false };
  const onRequest = (r: { url(): string }) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    w.all.push(u);
    try {
      if (new URL(u).origin !== origin) w.external.push(u);
    } catch {
      w.external.push(u);
    }
  };
  // Context-level events also see the module worker's fetches (model, tokenizer, ORT wasm).
  context.on('request', onRequest);
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('crash', () => (w.crashed = true));
  await page.goto(url);
  if (opts.waitReady !== false) await waitReady(page, opts.timeout);
  return w;
}

export async function waitReady(page: Page, timeout = 90_000): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-ready', /true|error/, { timeout });
  const state = await page.locator('body').getAttribute('data-ready');
  if (state !== 'true') {
    const phase = await page.getByTestId('load-phase').textContent();
    throw new Error(`the playground failed to load its model: ${phase}`);
  }
  // The sample prompt's first decision is on screen (so later waits never see it arrive late).
  await expect(page.locator('body')).toHaveAttribute('data-decided', /\d+/, { timeout });
}

export interface PanelDecision {
  decision: string;
  model: string;
  reasoning: string;
}

/** Types a prompt (replacing the last user turn) and waits for the decision panel to show its result. */
export async function decideInUi(page: Page, prompt: string, timeout = 30_000): Promise<PanelDecision> {
  const before = Number((await page.locator('body').getAttribute('data-decided')) ?? 0);
  await page.getByTestId('prompt').fill(prompt);
  await expect
    .poll(async () => Number((await page.locator('body').getAttribute('data-decided')) ?? 0), { timeout })
    .toBeGreaterThan(before);
  return {
    decision: (await page.getByTestId('decision-name').textContent()) ?? '',
    model: (await page.getByTestId('decision-model').textContent()) ?? '',
    reasoning: (await page.getByTestId('decision-reasoning').textContent()) ?? '',
  };
}

export interface ParityCase {
  id: string;
  kind: string;
  messages: { role: string; content: string }[];
  /** Node's decision for the same messages (default config, onnxruntime-node CPU, int8 as in the browser's WASM). */
  decision: string;
  model: string;
  use_reasoning: boolean;
  /**
   * Node's top domain probability minus the runner-up's, for the text the router classified. Below
   * {@link DOMAIN_NEAR_TIE} the two runtimes' dynamic int8 kernels may legitimately rank the two categories the other
   * way round.
   */
  domainMargin: number;
}

/**
 * A domain near-tie. Dynamic int8 quantizes activations with one scale per tensor, so a prompt scored in a padded batch
 * (the playground's Batch tab) or by another runtime's kernels gets logits up to the model contract's int8 tolerance
 * (5e-2, `reference_logits.json`) away from Node's single-prompt run: about 0.005 in probability at the shipped domain
 * temperature. Decisions of prompts whose top two categories are closer than this may differ; all others must not.
 */
export const DOMAIN_NEAR_TIE = 0.01;

/**
 * Held-out prompts from the runtime engineer's parity set (e2e/fixtures/parity-prompts.json: MMLU-Pro test split,
 * PII, jailbreak, benign, unicode, long and multi-turn), each with the decision Node makes for it, computed here
 * in-process with @semroute/node-adapter exactly as e2e/parity/node-reference.ts does.
 */
export async function parityCases(opts: { perKind?: number; dtype?: 'int8' | 'fp32'; kinds?: string[] } = {}): Promise<ParityCase[]> {
  const perKind = opts.perKind ?? 8;
  const { prompts } = JSON.parse(readFileSync(join(ROOT, 'e2e/fixtures/parity-prompts.json'), 'utf8')) as {
    prompts: { id: string; kind: string; messages: { role: string; content: string }[] }[];
  };
  const picked: typeof prompts = [];
  const seen = new Map<string, number>();
  for (const p of prompts) {
    const n = seen.get(p.kind) ?? 0;
    if (n >= perKind || p.kind === 'garbage' || p.kind === 'edge' || (opts.kinds && !opts.kinds.includes(p.kind))) continue;
    seen.set(p.kind, n + 1);
    picked.push(p);
  }
  const core = (await import('@semroute/node-adapter')) as unknown as {
    Router: new (o: { config: unknown; classifier: unknown }) => {
      route(req: unknown): Promise<{ decision: { decision: string; model: string; use_reasoning: boolean }; signals: { categoryScores?: Readonly<Record<string, number>> } }>;
    };
    createNodeClassifier(o: Record<string, unknown>): Promise<{ dispose(): Promise<void> }>;
    defaultConfig(): unknown;
  };
  const modelDir = process.env.SEMROUTE_MODEL_DIR ?? join(ROOT, 'models/semroute-mini');
  const classifier = await core.createNodeClassifier({ model: modelDir, backend: 'cpu', dtype: opts.dtype ?? 'int8', threads: 1 });
  const router = new core.Router({ config: core.defaultConfig(), classifier });
  const out: ParityCase[] = [];
  try {
    for (const p of picked) {
      const { decision: d, signals } = await router.route({ model: 'auto', messages: p.messages });
      // the domain scores the decision was made on (of the text the router classified)
      const [first = 0, second = 0] = Object.values(signals.categoryScores ?? {}).sort((x, y) => y - x);
      out.push({ id: p.id, kind: p.kind, messages: p.messages, decision: d.decision, model: d.model, use_reasoning: d.use_reasoning, domainMargin: first - second });
    }
  } finally {
    await classifier.dispose();
  }
  return out;
}

/** Single-turn cases (a lone user message): those go through the prompt box and the Batch tab. */
export const singleTurn = (c: ParityCase): boolean => c.messages.length === 1 && c.messages[0]!.role === 'user';
