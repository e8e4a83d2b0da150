/**
 * Router: the one object adapters (proxy, worker, edge handler) call. It validates the request, extracts the
 * classified text, runs the classifier (if any), builds signals, decides, and rewrites or blocks. Adapters only
 * translate HTTP to `route()` and back. Nothing here logs prompt text.
 * @module
 */
import { now, roundMs } from './clock.js';
import { knownCategories, parseClientHint, type ClientHint, type TrustClientHints } from './client-hint.js';
import { validateConfig } from './config/validate.js';
import type { RouterConfig } from './config/schema.js';
import { decide, isPassthroughRequest } from './decision/engine.js';
import { anchorOf, applySession, decodeSessionMarker, encodeSessionMarker, replaySession, type OwnTurn, type SessionAnchor, type SessionSource } from './decision/session.js';
import type { CategorySourceTrace, Decision } from './decision/types.js';
import { ClassifierError, ConfigError, DeadlineError, OverloadedError, SemrouteError } from './errors.js';
import { HEADERS, getHeader, headerFlag } from './headers.js';
import { blockedResponse, type BlockedResponse } from './openai/blocked.js';
import { redact as redactText } from './openai/redact.js';
import { rewrite } from './openai/rewrite.js';
import { validateChatRequest, type ChatCompletionRequest } from './openai/types.js';
import { buildSignals, estimateTokens, type ExemplarEmbeddings } from './signals/build.js';
import { extractClassifiedText, textParts } from './signals/extract.js';
import { hasRecognizerSettings } from './signals/pii-recognizer-settings.js';
import type { Classifier, ClassifierSignals, ClassifyOptions, PiiSpan, Signals } from './signals/types.js';

/** Options of {@link Router}. */
export interface RouterOptions {
  config: RouterConfig;
  /** The ONNX classifier (runtime/); without one the router routes on keywords and context only. */
  classifier?: Classifier;
}

/** Options of {@link Router.route}. */
export interface RouteOptions {
  /**
   * Request headers (any case). `x-vsr-debug` is honoured; `x-vsr-skip-processing` only when the config sets
   * `global.allow_skip_processing`; `x-semroute-client-decision` is read as the client hint when `clientHint` is absent.
   */
  headers?: Record<string, string | undefined>;
  /** Seconds since the epoch for blocked responses' `created` (tests). */
  now?: number;
  /**
   * The decision a client (browser) already made: JSON text (the `x-semroute-client-decision` header value) or an
   * object `{category, confidence?}`. Validated here: junk is ignored with a trace note, never thrown.
   */
  clientHint?: string | ClientHint | Record<string, unknown>;
  /**
   * Server policy for client hints. `none` (default): the hint is only compared with the classifier's category.
   * `routing`: a valid hint whose category is one of the config's categories replaces the domain head (which is
   * not run); jailbreak and PII heads always run, so the hint can never bypass a guard.
   */
  trustClientHints?: TrustClientHints;
  /**
   * Classifier heads to run (default: those the config needs). The decision is then made on those heads' signals
   * alone, e.g. `['domain']` for a category-only answer; heads left out contribute nothing (no jailbreak score, no
   * PII spans), so leaving out `jailbreak` or `pii` also leaves out their guards.
   */
  heads?: readonly Head[];
  /**
   * The session's route from a stored response (Responses API `previous_response_id`); used in
   * `routing.session.mode: sticky` instead of the session header or the replayed messages.
   */
  session?: SessionAnchor;
}

/** Options of {@link Router.classify}. */
export interface RouterClassifyOptions {
  /** Heads to compute (default: those the config needs). `pooled` also yields exemplar scores when the config has exemplars. */
  heads?: readonly Head[];
}

/** Time spent per stage, in milliseconds. */
export interface RouteTimings {
  extractMs: number;
  /** Whole classifier call as seen by the router (includes the worker round trip in browsers). */
  classifyMs: number;
  /** Parts of `classifyMs`, measured by the runtime where the model runs; absent when no classifier ran or it doesn't report them. */
  tokenizeMs?: number;
  /** Waiting for a batch slot (micro-batching window, or another batch still running). */
  queueMs?: number;
  inferMs?: number;
  /** Calibration and PII span decoding. */
  postprocessMs?: number;
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
  /**
   * The L2-normalised pooled embedding of the classified text, when the classifier computed it (exemplar signals,
   * or a decision with the response cache on): the response cache's key.
   */
  embedding?: Float32Array | readonly number[];
  /** The route the conversation is on after this turn (store it with a response; `x-semroute-session` carries it). */
  session: SessionAnchor;
  /**
   * True when routing passed `global.limits.routing_deadline_ms` and the request went to the default model without the
   * classifier's verdict (`on_deadline: default_model`). (With `on_deadline: block`, route() throws a DeadlineError.)
   */
  deadlineExceeded?: boolean;
}

/** What the router is classifying right now: the quantities `global.limits` admits against. */
export interface RouterQueue {
  /** Classifier calls in progress (waiting or running), including ones whose request already passed its deadline. */
  requests: number;
  /** Characters of text in those calls. */
  characters: number;
}

type Head = NonNullable<ClassifyOptions['heads']>[number];
const ALL_HEADS: readonly Head[] = Object.freeze(['domain', 'jailbreak', 'pii', 'pooled']);


/** Which classifier heads a config needs. */
function headsFor(config: RouterConfig): Head[] {
  const heads: Head[] = ['domain'];
  const s = config.routing.signals;
  if (s.jailbreak.length || config.global.prompt_guard.enabled) heads.push('jailbreak');
  const piiPlugins = config.routing.decisions.some((d) => d.plugins.some((p) => p.type === 'pii'));
  if (s.pii.length || piiPlugins || config.providers.models.some((m) => m.pii_types_allowed !== undefined)) heads.push('pii');
  if (s.exemplars.length || usesResponseCache(config)) heads.push('pooled');
  // The cache keeps prompts with sensitive PII types out (response_cache.pii_types_allowed): it needs the spans.
  if (usesResponseCache(config) && !heads.includes('pii')) heads.push('pii');
  return heads;
}

/** Validates a `heads` option (undefined = the config's heads). */
function checkHeads(want: readonly Head[] | undefined, where: string): readonly Head[] | undefined {
  if (want !== undefined && (!Array.isArray(want) || !want.every((h) => ALL_HEADS.includes(h)))) {
    throw new SemrouteError(`${where} heads must be a list of: ${ALL_HEADS.join(', ')}`, { code: 'REQUEST_INVALID' });
  }
  return want;
}

/** True when the response cache is on and some decision has an enabled `response_cache` plugin. */
function usesResponseCache(config: RouterConfig): boolean {
  return (
    config.global.stores.response_cache.enabled &&
    config.routing.decisions.some((d) => d.plugins.some((p) => p.type === 'response_cache' && p.configuration.enabled))
  );
}

const DEADLINE_PASSED: unique symbol = Symbol('deadline passed');

/** `work`, or DEADLINE_PASSED when `ms` (> 0) pass first. The abandoned work keeps running; its failure is swallowed. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof DEADLINE_PASSED> {
  if (!(ms > 0)) return work;
  work.catch(() => {}); // may reject after the deadline answered: not an unhandled rejection
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof DEADLINE_PASSED>((resolve) => (timer = setTimeout(() => resolve(DEADLINE_PASSED), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The config with no decisions: what decide() sees for `on_deadline: default_model` (the default model, no plugins). */
const decisionFree = new WeakMap<RouterConfig, RouterConfig>();
function withoutDecisions(config: RouterConfig): RouterConfig {
  let c = decisionFree.get(config);
  if (!c) {
    c = Object.freeze({ ...config, routing: Object.freeze({ ...config.routing, decisions: [] }) }) as RouterConfig;
    decisionFree.set(config, c);
  }
  return c;
}

function ensureConfig(config: RouterConfig): RouterConfig {
  if (config && typeof config === 'object' && Object.isFrozen(config)) return config;
  // Not produced by parseConfig: validate it (throws ConfigError, never half-applies).
  const r = validateConfig(config);
  if (!r.ok) throw new ConfigError(r.errors);
  return r.config;
}

/** The semantic router. */
export class Router {
  #config: RouterConfig;
  #classifier: Classifier | undefined;
  #heads = new WeakMap<RouterConfig, Head[]>();
  #exemplars = new WeakMap<RouterConfig, Promise<ExemplarEmbeddings>>();
  #queue: RouterQueue = { requests: 0, characters: 0 };

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

  /** Classifier calls in progress now (a copy), for metrics and admission. */
  get queue(): RouterQueue {
    return { ...this.#queue };
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
    const wantHeads = checkHeads(opts.heads, 'route()');
    const debug = headerFlag(opts.headers, HEADERS.DEBUG);
    const notes: string[] = [];
    const skipRequested = headerFlag(opts.headers, HEADERS.SKIP_PROCESSING);
    const skip = skipRequested && config.global.allow_skip_processing;
    if (skipRequested && !skip) notes.push(`${HEADERS.SKIP_PROCESSING} ignored: global.allow_skip_processing is false`);
    const passthrough = isPassthroughRequest(config, req);
    const needClassification = !skip && !(passthrough && !config.global.passthrough.enforce_blocks);

    // ---- client hint: validated; trusted only under `routing` and for a category the config knows ----
    const trust: TrustClientHints = opts.trustClientHints === 'routing' ? 'routing' : 'none';
    const rawHint = opts.clientHint !== undefined ? opts.clientHint : getHeader(opts.headers, HEADERS.CLIENT_DECISION);
    const parsed = needClassification ? parseClientHint(rawHint) : {};
    let hint: ClientHint | undefined;
    let hintNote = parsed.note;
    if (parsed.hint) {
      if (!knownCategories(config).has(parsed.hint.category)) hintNote = "client hint ignored: category is not one of the config's categories";
      else hint = parsed.hint;
    }
    const useHint = hint !== undefined && trust === 'routing';

    const { text } = needClassification ? extractClassifiedText(req, config) : { text: '' };
    // ---- session (routing.session.mode: sticky): the conversation's route from a stored response, the session
    // header, or else its earlier user turns, classified below with the current one and replayed ----
    const session = config.routing.session;
    const sticky = session.mode === 'sticky' && needClassification && !passthrough;
    const userTurns = sticky ? userTurnIndices(req) : [];
    let anchor: SessionAnchor | undefined;
    let source: SessionSource = 'messages';
    // The classifier screens every window of the text up to global.screening.max_chars (cost linear in that cap);
    // what lies beyond is left to global.screening.beyond_cap (decide()).
    const screened = screenedPrefix(text, config.global.screening.max_chars);
    // Texts classified besides the current one (sticky, 2+ user turns): the current turn alone (does the topic
    // change?), and each replayed earlier turn alone. One batch, no text twice.
    const extra: string[] = [];
    const slot = (t: string): number => {
      if (t === screened) return -1;
      const i = extra.indexOf(t);
      return i >= 0 ? i : extra.push(t) - 1;
    };
    let aloneSlot: number | undefined;
    const earlierSlots: number[] = [];
    const textOf = (messages: ChatCompletionRequest['messages']) => screenedPrefix(extractClassifiedText({ ...req, messages }, config).text, config.global.screening.max_chars);
    if (sticky) {
      const marker = getHeader(opts.headers, session.header);
      if (opts.session) {
        anchor = opts.session;
        source = 'previous_response';
      } else if (marker !== undefined && marker.trim() !== '') {
        anchor = decodeSessionMarker(marker.trim());
        if (anchor) source = 'header';
        else notes.push(`${session.header} ignored: not a session marker of this router`);
      }
      if (userTurns.length >= 2) {
        aloneSlot = slot(textOf([req.messages[userTurns[userTurns.length - 1]!]!]));
        if (!anchor) for (const i of userTurns.slice(Math.max(0, userTurns.length - 1 - session.max_turns), -1)) earlierSlots.push(slot(textOf([req.messages[i]!])));
      }
    }
    const t1 = now();
    let cls: ClassifierSignals | undefined;
    let extraCls: (ClassifierSignals | undefined)[] = extra.map(() => undefined);
    let exemplars: ExemplarEmbeddings | undefined;
    let deadlinePassed = false;
    if (this.#classifier && text.length > 0) {
      const all = wantHeads ? [...new Set(wantHeads)] : this.#headsFor(config);
      // A trusted hint replaces the domain head only: jailbreak, PII and pooled (exemplars) always run.
      const heads = useHint ? all.filter((h) => h !== 'domain') : all;
      const { routing_deadline_ms: deadlineMs, on_deadline: onDeadline } = config.global.limits;
      const started = now();
      const work = (async () => {
        let c: ClassifierSignals | undefined;
        let more: (ClassifierSignals | undefined)[] = extra.map(() => undefined);
        if (extra.length && heads.length === all.length) {
          const outs = await this.#classifyMany([screened, ...extra], heads, config);
          c = outs[0];
          more = outs.slice(1);
        } else {
          if (heads.length) c = await this.#classifyOne(screened, heads, config);
          if (extra.length) more = await this.#classifyMany(extra, all, config);
        }
        const e = all.includes('pooled') ? await this.#exemplarEmbeddings(config) : undefined;
        return { c, more, e };
      })();
      const got = await withDeadline(work, deadlineMs);
      if (got === DEADLINE_PASSED) {
        if (onDeadline === 'block') throw new DeadlineError(deadlineMs);
        deadlinePassed = true;
        notes.push(
          `routing deadline passed (global.limits.routing_deadline_ms: ${deadlineMs}, waited ${Math.round(now() - started)} ms): ` +
            'sent to the default model without the classifier (global.limits.on_deadline: default_model)',
        );
      } else ({ c: cls, more: extraCls, e: exemplars } = got);
    }
    const t2 = now();
    let signals: Signals = needClassification && !deadlinePassed ? buildSignals(config, text, cls, exemplars) : {};
    if (cls) {
      const partial = screened.length < text.length;
      signals = {
        ...signals,
        screening: { screenedChars: screened.length, totalChars: text.length },
        // context (token band) signals need the whole prompt's length: scaled from the screened part
        ...(partial ? { tokenCount: Math.ceil((cls.tokenCount * text.length) / Math.max(1, screened.length)), tokenCountEstimated: true } : {}),
      };
      if (partial && config.global.screening.beyond_cap === 'flag') {
        notes.push(`prompt only partly screened: the first ${screened.length} of ${text.length} characters (global.screening.max_chars)`);
      }
    }
    if (useHint && !deadlinePassed) {
      // The hint's category replaces the domain scores: no classifier made them (the trace's category_source says so).
      const { domain: _notRun, ...sources } = signals.sources ?? {};
      signals = { ...signals, categoryScores: { [hint!.category]: hint!.confidence ?? 1 }, ...(signals.sources ? { sources } : {}) };
    }
    let decision = deadlinePassed ? decide(withoutDecisions(config), {}, req) : decide(config, signals, req);
    let categorySource: CategorySourceTrace | undefined;
    if (needClassification) {
      categorySource = settleCategorySource(decision, signals, useHint, hint, hintNote, trust);
      decision = {
        ...decision,
        category_source: categorySource.source,
        trace: { ...decision.trace, category_source: categorySource, ...(notes.length ? { notes } : {}) },
      };
    } else if (notes.length) decision = { ...decision, trace: { ...decision.trace, notes } };
    if (sticky && !deadlinePassed) {
      const ownTurn = (k: number): OwnTurn => {
        if (k === -1) return { decision, tokens: signals.tokenCount ?? estimateTokens(text) };
        const sig = buildSignals(config, extra[k]!, extraCls[k], exemplars);
        return { decision: decide(config, sig, req), tokens: sig.tokenCount ?? estimateTokens(extra[k]!) };
      };
      if (!anchor && earlierSlots.length) anchor = replaySession(config, earlierSlots.map(ownTurn));
      decision = applySession(config, decision, anchor, source, Math.max(1, userTurns.length), ownTurn(aloneSlot ?? -1));
    }
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
    if (categorySource) result.headers[HEADERS.CATEGORY_SOURCE] = categorySourceHeader(categorySource);
    const next = anchorOf(decision);
    if (sticky) result.headers[HEADERS.SESSION] = encodeSessionMarker(next);
    if (deadlinePassed) result.headers[HEADERS.DEADLINE] = 'exceeded-default-model';
    const t4 = now();
    const timings: RouteTimings = { extractMs: roundMs(t1 - t0), classifyMs: roundMs(t2 - t1), decideMs: roundMs(t3 - t2), totalMs: roundMs(t4 - t0) };
    if (cls?.timings) {
      timings.tokenizeMs = cls.timings.tokenizeMs;
      timings.queueMs = cls.timings.queueMs;
      timings.inferMs = cls.timings.inferMs;
      timings.postprocessMs = cls.timings.postprocessMs;
    }
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
      ...(cls?.pooled ? { embedding: cls.pooled } : {}),
      session: next,
      ...(deadlinePassed ? { deadlineExceeded: true } : {}),
    };
  }

  /**
   * Classifies text(s) and returns the signals decide() would see (keywords included). `heads` limits what the
   * classifier computes (passed to `Classifier.classify`); the signals of heads not run are absent or empty.
   */
  classify(text: string, opts?: RouterClassifyOptions): Promise<Signals>;
  classify(texts: string[], opts?: RouterClassifyOptions): Promise<Signals[]>;
  async classify(input: string | string[], opts: RouterClassifyOptions = {}): Promise<Signals | Signals[]> {
    const config = this.#config;
    const texts = Array.isArray(input) ? input : [input];
    if (!texts.every((t) => typeof t === 'string')) throw new SemrouteError('classify() takes a string or an array of strings', { code: 'REQUEST_INVALID' });
    const want = checkHeads(opts?.heads, 'classify()');
    let outs: (ClassifierSignals | undefined)[] = texts.map(() => undefined);
    let exemplars: ExemplarEmbeddings | undefined;
    if (this.#classifier && texts.length && (want === undefined || want.length > 0)) {
      const heads = want ? [...new Set(want)] : this.#headsFor(config);
      outs = await this.#classifyMany(texts, heads, config);
      if (heads.includes('pooled')) exemplars = await this.#exemplarEmbeddings(config);
    }
    const signals = texts.map((t, i) => buildSignals(config, t, outs[i], exemplars));
    return Array.isArray(input) ? signals : signals[0]!;
  }

  /** Detects PII (spans at or above `global.classifier.pii.threshold`) and redacts it. Without a classifier, returns the text unchanged. */
  async redact(text: string): Promise<{ text: string; spans: PiiSpan[] }> {
    if (typeof text !== 'string') throw new SemrouteError('redact() takes a string', { code: 'REQUEST_INVALID' });
    if (!this.#classifier || text.length === 0) return { text, spans: [] };
    const [out] = await this.#classifyMany([text], ['pii'], this.#config);
    const threshold = this.#config.global.classifier.pii.threshold;
    return redactText(text, (out?.pii ?? []).filter((s) => s.score >= threshold));
  }

  /** Releases the classifier. */
  async dispose(): Promise<void> {
    const c = this.#classifier;
    this.#classifier = undefined;
    if (c) await c.dispose();
  }

  /** The classifier heads the active config needs (what `route()` runs without a `heads` option). */
  configHeads(): readonly Head[] {
    return [...this.#headsFor(this.#config)];
  }

  #headsFor(config: RouterConfig): Head[] {
    let h = this.#heads.get(config);
    if (!h) {
      h = headsFor(config);
      this.#heads.set(config, h);
    }
    return h;
  }

  async #classifyOne(text: string, heads: Head[], config: RouterConfig): Promise<ClassifierSignals> {
    const [out] = await this.#classifyMany([text], heads, config);
    return out!;
  }

  /**
   * One classifier call, admitted against `global.limits`: refused (OverloadedError) when the queue is at
   * `max_queued_requests` or the texts would take it past `max_queued_characters` (a call is always admitted into an
   * empty queue). Counted until the classifier answers, even when the request stopped waiting (deadline).
   */
  async #classifyMany(texts: string[], heads: Head[], config: RouterConfig): Promise<ClassifierSignals[]> {
    const c = this.#classifier!;
    const limits = config.global.limits;
    let chars = 0;
    for (const t of texts) chars += t.length;
    const q = this.#queue;
    if (q.requests > 0 && (q.requests >= limits.max_queued_requests || q.characters + chars > limits.max_queued_characters)) {
      throw new OverloadedError(
        q.requests >= limits.max_queued_requests
          ? `the router is classifying ${q.requests} requests already (global.limits.max_queued_requests: ${limits.max_queued_requests}); retry shortly`
          : `the router is classifying ${q.characters} characters already (global.limits.max_queued_characters: ${limits.max_queued_characters}); retry shortly`,
      );
    }
    q.requests++;
    q.characters += chars;
    let outs: ClassifierSignals[];
    try {
      // PII recognizer switches and custom recognizers go along only when the config sets some (plain data: they
      // cross to a classifier worker), so the default call is unchanged.
      const pii = config.global.classifier.pii;
      outs = await c.classify(texts, heads.includes('pii') && hasRecognizerSettings(pii) ? { heads, pii: { recognizers: pii.recognizers, custom_recognizers: pii.custom_recognizers } } : { heads });
    } catch (err) {
      if (ClassifierError.isError(err)) throw err;
      throw new ClassifierError(`classifier (${c.backend}) failed: ${err instanceof Error ? err.name : 'error'}`, { cause: err });
    } finally {
      q.requests--;
      q.characters -= chars;
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
      p = this.#classifyMany(texts, ['pooled'], config).then((outs) => {
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

/** Indices of the user messages that carry text (the conversation's user turns), oldest first. */
function userTurnIndices(req: ChatCompletionRequest): number[] {
  const out: number[] = [];
  req.messages.forEach((m, i) => {
    if (m && m.role === 'user' && textParts(m.content).some(([, t]) => t.length > 0)) out.push(i);
  });
  return out;
}

/**
 * The first `maxChars` UTF-16 code units of `text` (one fewer when the cut would split a surrogate pair): the part the
 * classifier screens. O(1) for a text within the cap, O(maxChars) otherwise.
 */
export function screenedPrefix(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars);
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end);
}

/** How the category was sourced, for the trace and the `x-semroute-category-source` header. */
function settleCategorySource(
  decision: Decision,
  signals: Signals,
  useHint: boolean,
  hint: ClientHint | undefined,
  hintNote: string | undefined,
  trust: TrustClientHints,
): CategorySourceTrace {
  if (useHint) return { source: 'client_hint', hint: 'trusted', hintCategory: hint!.category };
  const scores = signals.categoryScores;
  const source = scores && Object.keys(scores).length > 0 ? 'classifier' : 'none';
  if (hintNote !== undefined) return { source, hint: 'ignored', note: hintNote };
  if (!hint) return { source };
  const policy = trust === 'none' ? 'client hints not trusted (trust_client_hints: none)' : undefined;
  const top = decision.trace.category.top;
  if (source === 'none' || top === undefined) return { source, hint: 'ignored', hintCategory: hint.category, note: `client hint ignored: ${policy ?? 'no classifier scores to re-check it'}` };
  return { source, hint: top === hint.category ? 'agrees' : 'differs', hintCategory: hint.category, ...(policy ? { note: policy } : {}) };
}

function categorySourceHeader(t: CategorySourceTrace): string {
  const base = t.source === 'client_hint' ? 'client-hint' : t.source;
  return t.hint && t.hint !== 'trusted' ? `${base}; hint=${t.hint}` : base;
}
