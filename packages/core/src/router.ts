/**
 * Router: the one object adapters (proxy, worker, edge handler) call. It validates the request, extracts the
 * classified text, runs the classifier (if any), builds signals, decides, and rewrites or blocks. Adapters only
 * translate HTTP to `route()` and back. Nothing here logs prompt text.
 * @module
 */
import { parseConfig } from './config/parse.js';
import type { RouterConfig } from './config/schema.js';
import { decide, isPassthroughRequest } from './decision/engine.js';
import type { Decision } from './decision/types.js';
import { ClassifierError, ConfigError, SemrouteError } from './errors.js';
import { HEADERS, headerFlag } from './headers.js';
import { blockedResponse, type BlockedResponse } from './openai/blocked.js';
import { redact as redactText } from './openai/redact.js';
import { rewrite } from './openai/rewrite.js';
import { validateChatRequest, type ChatCompletionRequest } from './openai/types.js';
import { buildSignals, type ExemplarEmbeddings } from './signals/build.js';
import { extractClassifiedText } from './signals/extract.js';
import type { Classifier, ClassifierSignals, ClassifyOptions, PiiSpan, Signals } from './signals/types.js';

/** Options of {@link Router}. */
export interface RouterOptions {
  config: RouterConfig;
  /** The ONNX classifier (runtime/); without one the router routes on keywords and context only. */
  classifier?: Classifier;
}

/** Options of {@link Router.route}. */
export interface RouteOptions {
  /** Request headers (any case); `x-vsr-debug` and `x-vsr-skip-processing` are honoured. */
  headers?: Record<string, string | undefined>;
  /** Seconds since the epoch for blocked responses' `created` (tests). */
  now?: number;
}

/** Time spent per stage, in milliseconds. */
export interface RouteTimings {
  extractMs: number;
  classifyMs: number;
  decideMs: number;
  totalMs: number;
}

/** Result of {@link Router.route}. */
export interface RouteResult {
  decision: Decision;
  signals: Signals;
  /** True when the body is forwarded as the client sent it (concrete client model or `x-vsr-skip-processing`). */
  passthrough: boolean;
  /** Set when the router answers itself (jailbreak / PII block, fast_response): send this instead of forwarding. */
  blocked?: BlockedResponse;
  /** Upstream body (unchanged copy when passthrough or blocked). */
  body: ChatCompletionRequest;
  /** Response headers for the client. */
  headers: Record<string, string>;
  /** Headers to set on the upstream request (`x-selected-model`, header_mutation). */
  upstreamHeaders: Record<string, string>;
  /** Header names to remove from the upstream request. */
  removeUpstreamHeaders: string[];
  timings: RouteTimings;
  /** Classifier backend (`none` without one). */
  backend: string;
}

type Head = NonNullable<ClassifyOptions['heads']>[number];

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const ms = (x: number): number => Math.round(x * 1000) / 1000;

/** Which classifier heads a config needs. */
function headsFor(config: RouterConfig): Head[] {
  const heads: Head[] = ['domain'];
  const s = config.routing.signals;
  if (s.jailbreak.length || config.global.prompt_guard.enabled) heads.push('jailbreak');
  const piiPlugins = config.routing.decisions.some((d) => d.plugins.some((p) => p.type === 'pii'));
  if (s.pii.length || piiPlugins || config.providers.models.some((m) => m.pii_types_allowed !== undefined)) heads.push('pii');
  if (s.exemplars.length) heads.push('pooled');
  return heads;
}

function ensureConfig(config: RouterConfig): RouterConfig {
  if (config && typeof config === 'object' && Object.isFrozen(config)) return config;
  // Not produced by parseConfig: validate it (throws ConfigError, never half-applies).
  const r = parseConfig(config);
  if (!r.ok) throw new ConfigError(r.errors);
  return r.config;
}

/** The semantic router. */
export class Router {
  #config: RouterConfig;
  #classifier: Classifier | undefined;
  #heads = new WeakMap<RouterConfig, Head[]>();
  #exemplars = new WeakMap<RouterConfig, Promise<ExemplarEmbeddings>>();

  constructor(opts: RouterOptions) {
    if (!opts || typeof opts !== 'object') throw new SemrouteError('Router needs options {config, classifier?}');
    this.#config = ensureConfig(opts.config);
    this.#classifier = opts.classifier;
  }

  /** The active config. */
  get config(): RouterConfig {
    return this.#config;
  }

  /** The classifier's execution provider, or `none`. */
  get backend(): string {
    return this.#classifier?.backend ?? 'none';
  }

  /** Swaps the config atomically: in-flight routes finish with the config they started with. */
  setConfig(config: RouterConfig): void {
    this.#config = ensureConfig(config);
  }

  /**
   * Routes one chat.completions request.
   * @throws RequestError for a malformed request (with the JSON path), ClassifierError when the classifier fails.
   */
  async route(request: unknown, opts: RouteOptions = {}): Promise<RouteResult> {
    const config = this.#config;
    const t0 = now();
    const req = validateChatRequest(request);
    const debug = headerFlag(opts.headers, HEADERS.DEBUG);
    const skip = headerFlag(opts.headers, HEADERS.SKIP_PROCESSING);
    const passthrough = isPassthroughRequest(config, req);
    const needClassification = !skip && !(passthrough && !config.global.passthrough.enforce_blocks);

    const { text } = needClassification ? extractClassifiedText(req, config) : { text: '' };
    const t1 = now();
    let cls: ClassifierSignals | undefined;
    let exemplars: ExemplarEmbeddings | undefined;
    if (this.#classifier && text.length > 0) {
      const heads = this.#headsFor(config);
      cls = await this.#classifyOne(text, heads);
      if (heads.includes('pooled')) exemplars = await this.#exemplarEmbeddings(config);
    }
    const t2 = now();
    const signals: Signals = needClassification ? buildSignals(config, text, cls, exemplars) : {};
    const decision = decide(config, signals, req);
    const t3 = now();

    let result: Pick<RouteResult, 'body' | 'headers' | 'upstreamHeaders' | 'removeUpstreamHeaders' | 'blocked'>;
    if (skip) {
      result = {
        body: { ...req },
        headers: { [HEADERS.RESPONSE_PATH]: 'upstream' },
        upstreamHeaders: typeof req.model === 'string' ? { [HEADERS.ENVOY_SELECTED_MODEL]: req.model } : {},
        removeUpstreamHeaders: [],
      };
    } else if (decision.blocked) {
      const blocked = blockedResponse(decision, req, config, { debug, ...(opts.now !== undefined ? { now: opts.now } : {}) });
      result = { body: { ...req }, headers: blocked.headers, upstreamHeaders: {}, removeUpstreamHeaders: [], blocked };
    } else {
      result = rewrite(req, decision, config, { debug });
    }
    const t4 = now();
    const timings: RouteTimings = { extractMs: ms(t1 - t0), classifyMs: ms(t2 - t1), decideMs: ms(t3 - t2), totalMs: ms(t4 - t0) };
    if (debug) {
      result.headers[HEADERS.BACKEND] = this.backend;
      result.headers[HEADERS.ROUTE_MS] = timings.totalMs.toFixed(3);
    }
    return {
      decision,
      signals,
      passthrough: skip || decision.passthrough,
      ...result,
      timings,
      backend: this.backend,
    };
  }

  /** Classifies text(s) and returns the signals decide() would see (keywords included). */
  classify(text: string): Promise<Signals>;
  classify(texts: string[]): Promise<Signals[]>;
  async classify(input: string | string[]): Promise<Signals | Signals[]> {
    const config = this.#config;
    const texts = Array.isArray(input) ? input : [input];
    if (!texts.every((t) => typeof t === 'string')) throw new SemrouteError('classify() takes a string or an array of strings', { code: 'REQUEST_INVALID' });
    let outs: (ClassifierSignals | undefined)[] = texts.map(() => undefined);
    let exemplars: ExemplarEmbeddings | undefined;
    if (this.#classifier && texts.length) {
      const heads = this.#headsFor(config);
      outs = await this.#classifyMany(texts, heads);
      if (heads.includes('pooled')) exemplars = await this.#exemplarEmbeddings(config);
    }
    const signals = texts.map((t, i) => buildSignals(config, t, outs[i], exemplars));
    return Array.isArray(input) ? signals : signals[0]!;
  }

  /** Detects PII (spans at or above `global.classifier.pii.threshold`) and redacts it. Without a classifier, returns the text unchanged. */
  async redact(text: string): Promise<{ text: string; spans: PiiSpan[] }> {
    if (typeof text !== 'string') throw new SemrouteError('redact() takes a string', { code: 'REQUEST_INVALID' });
    if (!this.#classifier || text.length === 0) return { text, spans: [] };
    const [out] = await this.#classifyMany([text], ['pii']);
    const threshold = this.#config.global.classifier.pii.threshold;
    return redactText(text, (out?.pii ?? []).filter((s) => s.score >= threshold));
  }

  /** Releases the classifier. */
  async dispose(): Promise<void> {
    const c = this.#classifier;
    this.#classifier = undefined;
    if (c) await c.dispose();
  }

  #headsFor(config: RouterConfig): Head[] {
    let h = this.#heads.get(config);
    if (!h) {
      h = headsFor(config);
      this.#heads.set(config, h);
    }
    return h;
  }

  async #classifyOne(text: string, heads: Head[]): Promise<ClassifierSignals> {
    const [out] = await this.#classifyMany([text], heads);
    return out!;
  }

  async #classifyMany(texts: string[], heads: Head[]): Promise<ClassifierSignals[]> {
    const c = this.#classifier!;
    let outs: ClassifierSignals[];
    try {
      outs = await c.classify(texts, { heads });
    } catch (err) {
      if (ClassifierError.isError(err)) throw err;
      throw new ClassifierError(`classifier (${c.backend}) failed: ${err instanceof Error ? err.name : 'error'}`, { cause: err });
    }
    if (!Array.isArray(outs) || outs.length !== texts.length) {
      throw new ClassifierError(`classifier returned ${Array.isArray(outs) ? outs.length : 'no'} results for ${texts.length} texts`);
    }
    return outs;
  }

  /** Example embeddings per exemplar signal, computed once per config through the pooled head. */
  #exemplarEmbeddings(config: RouterConfig): Promise<ExemplarEmbeddings> {
    let p = this.#exemplars.get(config);
    if (!p) {
      const list = config.routing.signals.exemplars;
      const texts = list.flatMap((e) => e.examples);
      p = this.#classifyMany(texts, ['pooled']).then((outs) => {
        const out: Record<string, (Float32Array | readonly number[])[]> = {};
        let i = 0;
        for (const e of list) {
          out[e.name] = e.examples.map(() => outs[i++]?.pooled).filter((v): v is Float32Array | readonly number[] => v !== undefined);
        }
        return out;
      });
      this.#exemplars.set(config, p);
      p.catch(() => this.#exemplars.delete(config));
    }
    return p;
  }
}
