/**
 * Translation between the core's RouteResult and what the HTTP adapters need: upstream plans (primary +
 * fallbacks), block answers, classification requests and records. No routing logic: every choice comes from
 * the core. Shared by the Node server, its ext_proc server and CLI, and the fetch handler.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import { retargetDecision } from '../decision/retarget.js';
import type { SessionAnchor } from '../decision/session.js';
import type { Decision } from '../decision/types.js';
import { rewrite } from '../openai/rewrite.js';
import type { ChatCompletionRequest } from '../openai/types.js';
import type { RouteResult, RouteTimings, Router } from '../router.js';
import type { TrustClientHints } from '../client-hint.js';
import { traceSources } from '../decision/signal-map.js';
import type { DomainSource, JailbreakSource, PiiSpan, Signals } from '../signals/types.js';
import { HttpError } from './errors.js';
import { type LazyPlan, type UpstreamPlan, backendsOf, responseHeadersOf } from './upstream.js';

/** A classifier head a classify request may ask for alone. */
export type Head = 'domain' | 'jailbreak' | 'pii';
/** The heads to compute (each at most once); `undefined` wherever it is accepted means "what the config needs". */
export type Heads = readonly Head[];
const HEADS: readonly Head[] = Object.freeze(['domain', 'jailbreak', 'pii']);

/** The answer to a blocked request (jailbreak, PII, `fast_response`): status, headers, the JSON body and its SSE events. */
export interface BlockedAnswer {
  status: number;
  headers: Record<string, string>;
  json: object;
  sse: string[];
}

/** One chat request routed, as the HTTP adapters use it: the decision, a block answer or the upstream plans, and trace data. */
export interface RoutedView {
  decision: Decision;
  decisionName: string;
  /** The decision's model: a configured name, or the client's string on passthrough (never use it as a label). */
  model: string;
  /** `model` when it is a configured model, else `unknown`: safe for metrics labels and logs (bounded, not client text). */
  modelLabel: string;
  responsePath: string;
  stream: boolean;
  /** The route the conversation is on after this turn (kept with a stored response). */
  session: SessionAnchor;
  blocked?: BlockedAnswer;
  /** The chosen model's plan; undefined when blocked or when the model has no backend (unknown model). */
  primary?: UpstreamPlan;
  /** Primary plan first, then fallbacks; empty when the model has no backend (unknown model). */
  plans: LazyPlan[];
  /** Where the router's time went (for traces). */
  timings: RouteTimings;
  /** The signals decide() saw: scores, PII types and offsets, token count; never prompt text (for traces). */
  signals: Signals;
  /** The client's request as validated by the core (the response cache's key is built from it). */
  request: ChatCompletionRequest;
  /** The pooled embedding of the classified text, when the classifier computed it. */
  embedding?: Float32Array | readonly number[];
  /** PII spans the classifier found (the response cache keeps sensitive prompts out). */
  pii?: readonly PiiSpan[];
  /** Routing passed its deadline and went to the default model (`global.limits.on_deadline: default_model`). */
  deadlineExceeded?: boolean;
}

function planFrom(model: string, body: ChatCompletionRequest, r: { headers: Record<string, string>; upstreamHeaders: Record<string, string>; removeUpstreamHeaders: string[] }): UpstreamPlan {
  return {
    model,
    request: body,
    body: JSON.stringify(body),
    headers: r.upstreamHeaders,
    remove: r.removeUpstreamHeaders,
    responseHeaders: responseHeadersOf(r.headers),
  };
}

/** route() one chat request through the core and turn the result into plans or a block answer. */
export async function routeChat(
  router: Router,
  request: unknown,
  headers: Readonly<Record<string, string>>,
  trustClientHints: TrustClientHints,
  config: RouterConfig,
  opts: { session?: SessionAnchor } = {},
): Promise<RoutedView> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    throw new HttpError(400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_request');
  }
  // The core reads and validates the client hint (`x-semroute-client-decision`) and applies the policy.
  const result = await router.route(request, { headers, trustClientHints, ...(opts.session ? { session: opts.session } : {}) });
  const decision = result.decision;
  const stream = (request as { stream?: unknown }).stream === true;
  const known = backendsOf(config, decision.model).length > 0 || config.providers.models.some((m) => m.name === decision.model);
  const base = {
    decision,
    decisionName: decision.decision,
    model: decision.model,
    modelLabel: known ? decision.model : 'unknown',
    responsePath: decision.response_path,
    stream,
    timings: result.timings,
    signals: result.signals,
    request: request as ChatCompletionRequest, // route() validated it
    ...(result.embedding ? { embedding: result.embedding } : {}),
    ...(result.signals.pii ? { pii: result.signals.pii } : {}),
    ...(result.deadlineExceeded ? { deadlineExceeded: true } : {}),
  };
  if (result.blocked) return { ...base, session: result.session, blocked: result.blocked as BlockedAnswer, plans: [] };
  if (!known || backendsOf(config, decision.model).length === 0) return { ...base, session: result.session, plans: [] };
  const primary = planFrom(decision.model, result.body, result);
  const plans: LazyPlan[] = [primary];
  if (!decision.passthrough) {
    const seen = new Set([decision.model]);
    const candidates = decision.trace.selection?.candidates ?? [];
    const after = candidates.slice(candidates.indexOf(decision.model) + 1);
    for (const model of [...after, config.providers.defaults.default_model]) {
      if (seen.has(model) || backendsOf(config, model).length === 0) continue;
      seen.add(model);
      plans.push(() => {
        const d = retargetDecision(decision, model, config);
        const rw = rewrite(request as ChatCompletionRequest, d, config);
        return planFrom(model, rw.body, rw);
      });
    }
  }
  return { ...base, session: result.session, primary, plans };
}

/** A block answer as status, headers and body text (JSON, or the SSE events when the client asked to stream). */
export function blockedAnswerBody(b: BlockedAnswer, stream: boolean): { status: number; headers: Record<string, string>; body: string } {
  if (stream) return { status: b.status, headers: { ...b.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: b.sse.join('') };
  return { status: b.status, headers: { ...b.headers, 'content-type': 'application/json' }, body: JSON.stringify(b.json) };
}

/** The error for a routed model without a backend (an unknown model on passthrough). */
export const modelNotFound = (model: string): HttpError =>
  new HttpError(404, `The model \`${model}\` does not exist or has no backend.`, 'invalid_request_error', 'model_not_found', 'model');

/**
 * Reads a request's `heads` (an array, or a comma-separated string); `undefined`/`null` → undefined. Throws a 400
 * {@link HttpError} (`invalid_heads`) on anything else.
 */
export function parseHeads(v: unknown): Heads | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (!list || !list.every((h) => (HEADS as readonly unknown[]).includes(h))) {
    throw new HttpError(400, `Invalid heads; each one of: ${HEADS.join(', ')}.`, 'invalid_request_error', 'invalid_heads', 'heads');
  }
  return list as Heads;
}

/** Heads for a vSR-style classify endpoint (`intent` → domain, `pii`, `security` → jailbreak), or the body's `heads`. */
export function classifyHeads(kind: string | undefined, heads: unknown): Heads | undefined {
  if (kind === 'intent') return ['domain'];
  if (kind === 'pii') return ['pii'];
  if (kind === 'security') return ['jailbreak'];
  return parseHeads(heads);
}

/** `POST /api/v1/classify/:kind` kinds. */
export const CLASSIFY_KINDS: readonly string[] = Object.freeze(['intent', 'pii', 'security', 'combined', 'batch']);
/** Most texts in one classify request. */
export const MAX_CLASSIFY_TEXTS = 256;

/** A validated `/api/v1/classify[/:kind]` request (from {@link parseClassifyRequest}). */
export interface ClassifyRequest {
  readonly texts: readonly string[];
  readonly heads: Heads | undefined;
  /** Answer `{ results: [...] }` (a `texts` array or the `batch` endpoint), else the single record. */
  readonly batch: boolean;
  /** `raw: true`: unrounded scores and the token count (parity checks across runtimes). */
  readonly raw: boolean;
}

/** Validates a classify endpoint kind (`undefined` for `/api/v1/classify`). */
export function checkClassifyKind(kind: string | undefined): void {
  if (kind !== undefined && !CLASSIFY_KINDS.includes(kind)) {
    throw new HttpError(404, `Unknown classifier endpoint \`${kind}\`; one of: ${CLASSIFY_KINDS.join(', ')}.`, 'invalid_request_error', 'not_found');
  }
}

/** Validates a parsed `/api/v1/classify[/:kind]` body: `{ text }` or `{ texts: [...] }`, optional `heads`, `raw`. */
export function parseClassifyRequest(body: unknown, kind: string | undefined): ClassifyRequest {
  checkClassifyKind(kind);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'Expected a JSON object with `text` or `texts`.', 'invalid_request_error', 'invalid_request');
  const b = body as Record<string, unknown>;
  const texts = Array.isArray(b.texts) ? (b.texts as unknown[]) : typeof b.text === 'string' ? [b.text] : undefined;
  if (!texts || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    throw new HttpError(400, 'Expected `text` (string) or `texts` (non-empty array of strings).', 'invalid_request_error', 'invalid_request', texts ? 'texts' : 'text');
  }
  if (texts.length > MAX_CLASSIFY_TEXTS) throw new HttpError(400, `At most ${MAX_CLASSIFY_TEXTS} texts per batch.`, 'invalid_request_error', 'batch_too_large', 'texts');
  return { texts: texts as string[], heads: classifyHeads(kind, b.heads), batch: Array.isArray(b.texts) || kind === 'batch', raw: b.raw === true };
}

/** One classification record (the `semroute classify` line format). */
export interface ClassificationRecord {
  /** The domain category routing uses: the classifier's top category, or `fallback_category` when its score is below the domain threshold (or there are no scores). */
  category?: string;
  /** The classifier's probability for its top category (also when that fell below the threshold). */
  confidence?: number;
  /** Only when the fallback applied: the classifier's top category, whose `confidence` was below the threshold. */
  topCategory?: string;
  categoryScores?: Record<string, number>;
  /** How the classifier made `categoryScores` (the shipped head, a blend with a tower and both top labels, a caller's model). */
  domainSource?: DomainSource;
  /** `source`: how the classifier made the score (the shipped head and its window, a blend and its parts, a caller's model). */
  jailbreak?: { score: number | null; flagged: boolean; source?: JailbreakSource };
  /** `recognizer`: which PII recognizer found the span (see `signals/pii-recognizers.ts`), when the classifier names it. */
  pii?: { type: string; start: number; end: number; score: number; recognizer?: string }[];
  decision: string;
  model: string;
  useReasoning: boolean;
  reasoningEffort: string | null;
  blocked: boolean;
  blockReason?: string;
  backend: string;
  latencyMs: number;
  /** Only with `raw`: tokens the model saw (incl. specials). */
  tokenCount?: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const keep = (x: number) => x;

/**
 * Classifies one prompt (a string, or `{messages}` of a chat request) through `router.route()` and returns its
 * record: category, confidence, jailbreak, PII, decision and latency. Scores are rounded to 4 digits unless `raw`.
 */
export async function classificationRecord(
  router: Router,
  input: string | { messages: unknown[] },
  heads?: Heads,
  opts: { raw?: boolean } = {},
): Promise<ClassificationRecord> {
  const request = typeof input === 'string' ? { model: 'auto', messages: [{ role: 'user', content: input }] } : { model: 'auto', ...input };
  const r4 = opts.raw ? keep : round;
  const t0 = performance.now();
  // One code path with the chat route: the same route() (with `heads`, only those heads run and the decision is
  // made on their signals alone), so the category reported here is the one a chat request with this prompt routes on.
  const result: RouteResult = await router.route(request, heads ? { heads } : {});
  const d: Decision = result.decision;
  const s: Signals = result.signals;
  const backend = result.backend;
  const latencyMs = round(performance.now() - t0, 2);
  const want = (h: Head) => !heads || heads.includes(h);
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.categoryScores ?? {})) scores[k] = r4(v);
  // The sources the decision trace shows, their scores rounded like the others (unless raw).
  const sources = traceSources(s);
  const jbSource = sources.jailbreak?.kind === 'blend' ? { ...sources.jailbreak, shipped: r4(sources.jailbreak.shipped), tower: r4(sources.jailbreak.tower) } : sources.jailbreak;
  const domainSource =
    sources.domain?.kind === 'blend'
      ? { ...sources.domain, shipped: { ...sources.domain.shipped, score: r4(sources.domain.shipped.score) }, tower: { ...sources.domain.tower, score: r4(sources.domain.tower.score) } }
      : sources.domain;
  const rec: ClassificationRecord = {
    ...(want('domain')
      ? {
          // The category after the low-confidence fallback (what routing uses); the classifier's own top pick
          // is kept as `topCategory` when it fell below `global.classifier.domain.threshold`.
          category: d.trace.category.effective,
          confidence: r4(d.trace.category.topScore ?? d.confidence),
          ...(d.trace.category.reason === 'below_threshold' && d.trace.category.top !== undefined ? { topCategory: d.trace.category.top } : {}),
          categoryScores: scores,
          ...(domainSource ? { domainSource } : {}),
        }
      : {}),
    ...(want('jailbreak')
      ? {
          jailbreak: {
            score: s.jailbreak === undefined ? null : r4(s.jailbreak),
            flagged: d.matched.jailbreak.length > 0 || !!d.trace.guard?.triggered,
            ...(jbSource && s.jailbreak !== undefined ? { source: jbSource } : {}),
          },
        }
      : {}),
    // Spans at or above the config's PII threshold (the same cut the core's redact() uses).
    ...(want('pii')
      ? {
          pii: (s.pii ?? [])
            .filter((p) => p.score >= router.config.global.classifier.pii.threshold)
            .map((p) => ({ type: p.type, start: p.start, end: p.end, score: r4(p.score), ...(p.recognizer ? { recognizer: p.recognizer } : {}) })),
        }
      : {}),
    decision: d.decision,
    model: d.model,
    useReasoning: d.use_reasoning,
    reasoningEffort: d.use_reasoning ? (d.reasoning_effort ?? null) : null,
    blocked: !!d.blocked,
    ...(d.blocked ? { blockReason: d.blocked.reason } : {}),
    backend,
    latencyMs,
    ...(opts.raw && s.tokenCount !== undefined ? { tokenCount: s.tokenCount } : {}),
  };
  return rec;
}

/** Runs a validated classify request: the single record, or `{ results }` for a batch. */
export async function classifyAnswer(router: Router, req: ClassifyRequest): Promise<ClassificationRecord | { results: ClassificationRecord[] }> {
  const results = await Promise.all(req.texts.map((t) => classificationRecord(router, t, req.heads, { raw: req.raw })));
  return req.batch ? { results } : results[0]!;
}
