/**
 * Translation between the core's RouteResult and what the adapters need: upstream plans (primary + fallbacks),
 * block answers, classification records, client hints. No routing logic: every choice comes from the core.
 * @module
 */
import {
  decide,
  explainDecision,
  extractClassifiedText,
  retargetDecision,
  rewrite,
  validateChatRequest,
  type ChatCompletionRequest,
  type Decision,
  type RouteResult,
  type Router,
  type RouterConfig,
  type Signals,
  type TrustClientHints,
} from '@semroute/core';
import { backendsOf, responseHeadersOf, type UpstreamPlan } from './proxy.js';
import { HttpError } from './http-error.js';

export type Head = 'domain' | 'jailbreak' | 'pii';
export type Heads = readonly Head[];
const HEADS: readonly Head[] = Object.freeze(['domain', 'jailbreak', 'pii']);

/** A plan built on demand (fallback bodies are only rewritten when needed). */
export type LazyPlan = UpstreamPlan | (() => UpstreamPlan);

export interface RoutedView {
  decision: Decision;
  decisionName: string;
  /** The decision's model: a configured name, or the client's string on passthrough (never use it as a label). */
  model: string;
  /** `model` when it is a configured model, else `unknown`: safe for metrics labels and logs (bounded, not client text). */
  modelLabel: string;
  responsePath: string;
  stream: boolean;
  blocked?: { status: number; headers: Record<string, string>; json: object; sse: string[] };
  /** The chosen model's plan; undefined when blocked or when the model has no backend (unknown model). */
  primary?: UpstreamPlan;
  /** Primary plan first, then fallbacks; empty when the model has no backend (unknown model). */
  plans: LazyPlan[];
}

function planFrom(model: string, body: unknown, r: { headers: Record<string, string>; upstreamHeaders: Record<string, string>; removeUpstreamHeaders: string[] }): UpstreamPlan {
  return {
    model,
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
): Promise<RoutedView> {
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    throw new HttpError(400, 'The request body must be a JSON object.', 'invalid_request_error', 'invalid_request');
  }
  // The core reads and validates the client hint (`x-semroute-client-decision`) and applies the policy.
  const result = await router.route(request, { headers, trustClientHints });
  const decision = result.decision;
  const stream = (request as { stream?: unknown }).stream === true;
  const known = backendsOf(config, decision.model).length > 0 || config.providers.models.some((m) => m.name === decision.model);
  const base = { decision, decisionName: decision.decision, model: decision.model, modelLabel: known ? decision.model : 'unknown', responsePath: decision.response_path, stream };
  if (result.blocked) return { ...base, blocked: result.blocked as RoutedView['blocked'], plans: [] };
  if (!known || backendsOf(config, decision.model).length === 0) return { ...base, plans: [] };
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
  return { ...base, primary, plans };
}

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

/** One classification record (the `semroute classify` line format). */
export interface ClassificationRecord {
  category?: string;
  confidence?: number;
  categoryScores?: Record<string, number>;
  jailbreak?: { score: number | null; flagged: boolean };
  pii?: { type: string; start: number; end: number; score: number }[];
  decision: string;
  model: string;
  useReasoning: boolean;
  reasoningEffort: string | null;
  blocked: boolean;
  blockReason?: string;
  backend: string;
  latencyMs: number;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export async function classificationRecord(router: Router, input: string | { messages: unknown[] }, heads?: Heads): Promise<ClassificationRecord> {
  const request = typeof input === 'string' ? { model: 'auto', messages: [{ role: 'user', content: input }] } : { model: 'auto', ...input };
  const t0 = performance.now();
  // With `heads`, only those heads run (Router.classify passes them to the classifier); the decision fields are then
  // the core's decide() over those signals alone. Without, the full route().
  let d: Decision;
  let s: Signals;
  let backend: string;
  if (heads) {
    const req = validateChatRequest(request);
    s = await router.classify(extractClassifiedText(req, router.config).text, { heads });
    d = decide(router.config, s, req);
    backend = router.backend;
  } else {
    const result: RouteResult = await router.route(request);
    d = result.decision;
    s = result.signals;
    backend = result.backend;
  }
  const latencyMs = round(performance.now() - t0, 2);
  const want = (h: Head) => !heads || heads.includes(h);
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.categoryScores ?? {})) scores[k] = round(v);
  const rec: ClassificationRecord = {
    ...(want('domain')
      ? {
          category: d.trace.category.top ?? d.trace.category.effective,
          confidence: round(d.trace.category.topScore ?? d.confidence),
          categoryScores: scores,
        }
      : {}),
    ...(want('jailbreak')
      ? { jailbreak: { score: s.jailbreak === undefined ? null : round(s.jailbreak), flagged: d.matched.jailbreak.length > 0 || !!d.trace.guard?.triggered } }
      : {}),
    // Spans at or above the config's PII threshold (the same cut the core's redact() uses).
    ...(want('pii')
      ? {
          pii: (s.pii ?? [])
            .filter((p) => p.score >= router.config.global.classifier.pii.threshold)
            .map((p) => ({ type: p.type, start: p.start, end: p.end, score: round(p.score) })),
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
  };
  return rec;
}

/** `semroute explain`: the decision trace for one prompt (text, or JSON with --json). */
export async function explainText(router: Router, prompt: string, json: boolean): Promise<string> {
  const result = await router.route({ model: 'auto', messages: [{ role: 'user', content: prompt }] });
  if (json) return JSON.stringify({ decision: result.decision, signals: result.signals, timings: result.timings }, null, 2);
  return explainDecision(result.decision);
}
