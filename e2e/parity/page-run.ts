/**
 * Functions evaluated inside the parity page (serialized by Playwright: no closures over test-side values).
 */
import type { ParityPrompt, ParityResult } from './shared.js';

export interface PageRunOptions {
  backend: 'auto' | 'webgpu' | 'wasm';
  dtype?: 'fp32' | 'int8';
  threads?: number;
  /** Only these prompt ids (all when absent). */
  ids?: string[];
  /** Max prompts. */
  limit?: number;
  cache?: string | false;
  /** Also route each prompt with the default config (default true). */
  route?: boolean;
  /** Worker script: `worker.js` (default entry, WASM only) or `worker-webgpu.js` (the WebGPU entry's). */
  worker?: string;
  /** Model folder URL, relative to the page (default: the classifier's own default, `models/semroute-mini/`). */
  model?: string;
  /**
   * URL (relative to the page) of a model package's unbundled `index.js`, imported by the page: its `modelFiles` map
   * (file name → URL next to that index.js, as `@semroute/model-plus` exports it) is the model. Wins over `model`.
   */
  modelFilesModule?: string;
  /** Names left out of that map (a map without an optional file). */
  omitFiles?: string[];
  /** The classifier's `heads` option (custom head models; their `model` URLs relative to the page). */
  heads?: Record<string, { model: string; temperature?: number; output?: string; labels?: string[] }>;
}

export interface PageRunOutput {
  backend: string;
  info: unknown;
  loadMs: number;
  phases: string[];
  results: ParityResult[];
}

/** Loads the classifier in the page and classifies + routes the fixed prompts one by one. */
export async function runParityInPage(o: PageRunOptions): Promise<PageRunOutput> {
  type Api = typeof import('@semroute/core/browser') & { parityRecord: typeof import('./shared.js').parityRecord };
  const api = (globalThis as unknown as { semroute: Api }).semroute;
  const phases: string[] = [];
  const t0 = performance.now();
  const model = o.modelFilesModule
    ? Object.fromEntries(
        Object.entries(((await import(new URL(o.modelFilesModule, location.href).href)) as { modelFiles: Readonly<Record<string, URL>> }).modelFiles).filter(
          ([name]) => !o.omitFiles?.includes(name),
        ),
      )
    : o.model;
  const clf = await api.createBrowserClassifier({
    ...(model !== undefined ? { model } : {}),
    ...(o.heads ? { heads: o.heads } : {}),
    backend: o.backend,
    ...(o.dtype ? { dtype: o.dtype } : {}),
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.cache !== undefined ? { cache: o.cache } : {}),
    worker: new URL(o.worker ?? 'worker.js', location.href),
    wasmPaths: 'ort/',
    onProgress: (p) => phases.push(`${p.phase}:${p.file ?? p.backend ?? ''}`),
  });
  const loadMs = performance.now() - t0;
  const router = new api.Router({ config: api.defaultConfig(), classifier: clf });
  const { prompts } = (await (await fetch('fixtures/parity-prompts.json')).json()) as { prompts: ParityPrompt[] };
  let todo = o.ids ? prompts.filter((p) => o.ids!.includes(p.id)) : prompts;
  if (o.limit) todo = todo.slice(0, o.limit);
  const results: ParityResult[] = [];
  for (const p of todo) results.push(await api.parityRecord({ classifier: clf, ...(o.route !== false ? { router } : {}) }, p));
  const out = { backend: clf.backend, info: clf.info, loadMs, phases, results };
  await clf.dispose();
  return out;
}
