/**
 * The only module that talks to @semroute/core/browser. It loads the Router (model in a module Web Worker,
 * files from this app's own origin) and maps the core's RouteResult onto the view-model the playground
 * renders. No decision logic lives here: the core decides, this file only reshapes its output.
 */
import {
  createBrowserClassifier,
  explainDecision,
  extractClassifiedTextDetailed,
  redact,
  redactMessages,
  type ChatCompletionRequest,
  type Decision,
  type LoadProgress as CoreProgress,
  type RouteResult,
  Router,
  type RouterConfig,
} from '@semroute/core/browser';
import { type DeviceCache, withDeviceCache } from '@semroute/core/browser-cache';
import type { Analysis, BackendInfo, LoadProgress, SpanView, TraceLine, Turn } from './types.js';

export interface Engine {
  readonly backend: BackendInfo;
  setConfig(config: RouterConfig): void;
  analyze(turns: Turn[], config: RouterConfig): Promise<Analysis>;
  analyzeMany(prompts: string[], config: RouterConfig, onEach: (done: number) => void, signal: AbortSignal): Promise<Analysis[]>;
  /** The conversation with every PII span the client found replaced by `<TYPE>` (what Send forwards when asked). */
  redactTurns(turns: Turn[], a: Analysis): Turn[];
  /** The on-device response cache (`router.cache` of @semroute/core/browser, IndexedDB on this origin). */
  readonly cache: DeviceCache;
}

/** Model folder, served from this app's own origin (vite.config.ts copies models/semroute-mini into dist/). */
export const MODEL_URL = new URL('models/semroute-mini/', document.baseURI).href;

/** Concurrent route() calls in Batch: the worker micro-batches concurrent classifications. */
const BATCH_CONCURRENCY = 16;

/**
 * WASM threads: every core when the page is cross-origin isolated (at most 4), else 1. The runtime's own default
 * is ceil(cores / 2), which on a 2-core laptop means no threads at all.
 */
export function defaultThreads(): number {
  if (!crossOriginIsolated) return 1;
  return Math.min(4, Math.max(1, navigator.hardwareConcurrency || 1));
}

/**
 * Backend asked for in the URL. Without `?backend=`, the lean default: `@semroute/core/browser` (WASM only, one
 * ORT `.wasm`). `?backend=webgpu` or `?backend=auto` load the opt-in `@semroute/core/browser-webgpu` entry (its
 * worker and ORT's WebGPU build are separate chunks, fetched only then).
 */
export type BackendParam = 'default' | 'auto' | 'webgpu' | 'wasm';

/**
 * Starts the classifier worker at once (call it before building the page: the model download and the runtime's
 * compilation overlap the UI's start-up) and resolves with the engine; `config()` is read when the model is ready.
 */
export async function loadEngine(opts: {
  backend: BackendParam;
  config: () => RouterConfig;
  threads?: number | undefined;
  onProgress: (p: LoadProgress) => void;
}): Promise<Engine> {
  const progress = aggregateProgress(opts.onProgress);
  const withWebGpu = opts.backend === 'auto' || opts.backend === 'webgpu';
  const create = withWebGpu ? (await import('@semroute/core/browser-webgpu')).createBrowserClassifier : createBrowserClassifier;
  const classifier = await create({
    model: MODEL_URL,
    backend: opts.backend === 'default' ? 'wasm' : opts.backend,
    threads: opts.threads ?? defaultThreads(),
    onProgress: progress,
  });
  const router = withDeviceCache(new Router({ config: opts.config(), classifier }));
  const backend = describeBackend(router, opts.backend, withWebGpu ? await webGpuState() : 'not-bundled');
  return new RouterEngine(router, backend, router.cache);
}

/** Without a model (it failed to load): the core Router on keyword and context signals only. */
export function keywordOnlyEngine(config: RouterConfig, reason: string): Engine {
  const router = withDeviceCache(new Router({ config }));
  return new RouterEngine(router, { label: 'none', kind: 'error', reason: `no model (${reason}): keyword and context signals only` }, router.cache);
}

class RouterEngine implements Engine {
  constructor(
    private readonly router: Router,
    readonly backend: BackendInfo,
    readonly cache: DeviceCache,
  ) {}

  setConfig(config: RouterConfig): void {
    this.router.setConfig(config);
  }

  async analyze(turns: Turn[], config: RouterConfig): Promise<Analysis> {
    const request = toRequest(turns);
    const t0 = performance.now();
    const r = await this.router.route(request, { headers: { 'x-vsr-debug': 'true' } });
    const wall = performance.now() - t0;
    const { text } = extractClassifiedTextDetailed(request, config);
    return toAnalysis(r, text, config, wall);
  }

  async analyzeMany(prompts: string[], config: RouterConfig, onEach: (done: number) => void, signal: AbortSignal): Promise<Analysis[]> {
    const out: Analysis[] = new Array(prompts.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < prompts.length) {
        if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
        const i = next++;
        out[i] = await this.analyze([{ role: 'user', content: prompts[i]! }], config);
        onEach(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, prompts.length) }, worker));
    return out;
  }

  redactTurns(turns: Turn[], a: Analysis): Turn[] {
    if (!a.pii.length) return turns;
    const messages = redactMessages(toRequest(turns), a.pii, a.config);
    return turns.map((t, i) => {
      const content = messages[i]?.content;
      return typeof content === 'string' ? { ...t, content } : { ...t };
    });
  }
}

function toRequest(turns: Turn[]): ChatCompletionRequest {
  return { model: 'auto', messages: turns.map((t) => ({ role: t.role, content: t.content })) };
}

function toAnalysis(r: RouteResult, text: string, config: RouterConfig, wall: number): Analysis {
  const d: Decision = r.decision;
  const s = r.signals;
  const categories = Object.entries(s.categoryScores ?? {})
    .map(([name, p]) => ({ name, p }))
    .sort((a, b) => b.p - a.p);
  const piiThreshold = config.global.classifier.pii.threshold;
  const pii: SpanView[] = (s.pii ?? []).filter((x) => x.score >= piiThreshold).map((x) => ({ type: x.type, start: x.start, end: x.end, score: x.score }));
  return {
    text,
    categories,
    decision: d.decision,
    model: d.model,
    reasoning: d.use_reasoning,
    effort: d.use_reasoning ? d.reasoning_effort : undefined,
    path: d.response_path,
    category: d.category,
    confidence: d.confidence,
    jailbreak: jailbreakView(d, s.jailbreak),
    pii,
    redacted: pii.length ? redact(text, pii).text : text,
    trace: traceLines(d),
    timings: {
      extract: r.timings.extractMs,
      tokenize: r.timings.tokenizeMs,
      infer: r.timings.inferMs,
      classify: r.timings.classifyMs,
      decide: r.timings.decideMs,
      total: r.timings.totalMs,
      wall,
    },
    tokenCount: s.tokenCount,
    hint: {
      decision: d.decision,
      model: d.model,
      use_reasoning: d.use_reasoning,
      ...(d.use_reasoning && d.reasoning_effort ? { reasoning_effort: d.reasoning_effort } : {}),
      // The domain category (not a keyword/exemplar name): the only kind a server can trust as a routing hint.
      category: d.trace.category.effective,
      confidence: Math.round((d.trace.category.topScore ?? d.confidence) * 1e4) / 1e4,
      response_path: d.response_path,
      pii_types: [...new Set(pii.map((p) => p.type))],
      backend: r.backend,
    },
    config,
  };
}

/** The jailbreak score against the threshold that applies: the prompt guard's, else the first jailbreak signal's. */
function jailbreakView(d: Decision, score: number | undefined): Analysis['jailbreak'] {
  const guard = d.trace.guard;
  const sig = d.trace.signals.filter((x) => x.type === 'jailbreak');
  const fromTest = (t: string) => {
    const m = /([0-9]*\.?[0-9]+)/.exec(t);
    return m ? Number(m[1]) : undefined;
  };
  const threshold = guard?.enabled ? guard.threshold : sig[0] ? fromTest(sig[0].test) : undefined;
  return {
    score: score ?? guard?.score ?? 0,
    threshold,
    matched: Boolean(guard?.triggered) || sig.some((x) => x.matched),
  };
}

/** explainDecision()'s lines, flagged for the panel (✓ = matched; the winner's own line is highlighted). */
function traceLines(d: Decision): TraceLine[] {
  return explainDecision(d)
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const t = line.trimStart();
      return {
        text: line,
        hit: t.startsWith('✓'),
        chosen: t.startsWith(`✓ ${d.decision} [`) || t.startsWith('decision '),
      };
    });
}

/** Why WebGPU is or is not an option in this browser (for the badge's reason). */
async function webGpuState(): Promise<'none' | 'no-adapter' | 'adapter'> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'none';
  try {
    return (await gpu.requestAdapter()) ? 'adapter' : 'no-adapter';
  } catch {
    return 'no-adapter';
  }
}

function describeBackend(router: Router, asked: BackendParam, gpu: 'none' | 'no-adapter' | 'adapter' | 'not-bundled'): BackendInfo {
  const label = router.backend;
  if (label === 'webgpu') {
    return { label, kind: 'webgpu', reason: asked === 'webgpu' ? 'WebGPU requested and an adapter is available' : 'a WebGPU adapter is available and was faster than WASM' };
  }
  const threads = /threads\((\d+)\)/.exec(label);
  const why =
    asked === 'wasm'
      ? 'WASM requested'
      : gpu === 'not-bundled'
        ? 'WASM (WebGPU is opt-in: ?backend=webgpu)'
        : gpu === 'none'
        ? 'no WebGPU in this browser'
        : gpu === 'no-adapter'
          ? 'no WebGPU adapter'
          : asked === 'webgpu'
            ? 'WebGPU failed to start'
            : 'WebGPU was slower than WASM here';
  if (threads) {
    return { label, kind: 'threads', threads: Number(threads[1]), reason: `${why} · cross-origin isolated → ${threads[1]} threads` };
  }
  const iso = crossOriginIsolated ? 'one thread' : 'page not cross-origin isolated (needs COOP/COEP headers) → one thread';
  return { label, kind: 'single', reason: `${why} · ${iso}` };
}

/** Sums per-file byte progress into one bar: phase + bytes loaded of all files seen so far. */
function aggregateProgress(onProgress: (p: LoadProgress) => void): (p: CoreProgress) => void {
  const files = new Map<string, { loaded: number; total: number }>();
  let lastEmit = 0;
  const marked = new Set<string>();
  return (p) => {
    // First event of each phase as a performance mark (`semroute:session` …): e2e/bench/cold-start.ts reads them.
    if (!marked.has(p.phase)) {
      marked.add(p.phase);
      performance.mark(`semroute:${p.phase}`);
    }
    if ((p.phase === 'fetch' || p.phase === 'cache') && p.file) {
      files.set(p.file, { loaded: p.loaded, total: Math.max(p.total, p.loaded) });
      const now = performance.now();
      const done = p.loaded >= p.total;
      if (!done && now - lastEmit < 50) return; // progress events arrive per MiB; keep the DOM calm
      lastEmit = now;
      let loaded = 0;
      let total = 0;
      for (const f of files.values()) {
        loaded += f.loaded;
        total += f.total;
      }
      onProgress({ phase: p.phase, loaded, total, detail: p.file });
      return;
    }
    const detail = p.fallback ? `${p.backend} (after ${p.fallback})` : p.backend;
    onProgress({ phase: p.phase, ...(detail ? { detail } : {}) });
  };
}
