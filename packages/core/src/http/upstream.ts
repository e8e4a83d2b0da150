/**
 * Upstream planning shared by every adapter: a model's `backend_refs` as call targets (URL, weight, API-key
 * variable), weighted ordering, which headers go upstream and which come back, and the retry walk over
 * plans (primary model, then the decision's fallbacks). The transport (undici on Node, `fetch` at the edge)
 * is the adapter's; no routing decisions here.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import type { ChatCompletionRequest } from '../openai/types.js';

/** One `backend_refs[]` entry as it appears in the config (vSR shape, plus our `api_key_env`). */
export interface BackendRefLike {
  name?: string;
  endpoint?: string;
  protocol?: string;
  weight?: number;
  api_key_env?: string;
  apiKeyEnv?: string;
  path?: string;
  api_format?: 'openai_chat' | 'openai_responses';
}

/** A backend ready to be called. */
export interface UpstreamTarget {
  readonly name: string;
  /** Full URL of the chat-completions endpoint. */
  readonly url: string;
  /** Name of the env var / secret holding the API key (the key itself is read at call time, never stored or logged). */
  readonly apiKeyEnv?: string;
  /** Which OpenAI API the backend speaks (`api_format`; chat.completions unless it says `openai_responses`). */
  readonly apiFormat: 'openai_chat' | 'openai_responses';
  /** Full URL of its Responses endpoint (used only when `apiFormat` is `openai_responses`). */
  readonly responsesUrl: string;
}

/** One upstream plan: a model, the body to send it, and the headers to add. */
export interface UpstreamPlan {
  model: string;
  body: string;
  headers: Record<string, string>;
  /** Header names to remove from the upstream request (header_mutation delete). */
  remove: string[];
  /** Response headers for the client when this plan serves the request. */
  responseHeaders: Record<string, string>;
  /** `body` as the rewritten object (the Responses API builds a Responses body from it for backends that speak it). */
  request?: ChatCompletionRequest;
}

/** A plan built on demand (fallback bodies are only rewritten when needed). */
export type LazyPlan = UpstreamPlan | (() => UpstreamPlan);

/** `127.0.0.1:8000` + `http` → `http://127.0.0.1:8000/v1/chat/completions`; a base ending in `/v1` gets `/chat/completions`. */
export function chatCompletionsUrl(ref: BackendRefLike): string {
  let endpoint = (ref.endpoint ?? '').trim();
  if (!/^https?:\/\//i.test(endpoint)) endpoint = `${ref.protocol === 'https' ? 'https' : 'http'}://${endpoint}`;
  const u = new URL(endpoint);
  let path = (ref.path ?? u.pathname).replace(/\/+$/, '');
  if (path.endsWith('/chat/completions')) {
    // already complete
  } else if (path === '') path = '/v1/chat/completions';
  else path = `${path}/chat/completions`;
  u.pathname = path;
  return u.toString();
}

/** The backend's Responses endpoint: the chat-completions URL with `/chat/completions` replaced by `/responses`. */
export function responsesUrl(ref: BackendRefLike): string {
  const u = new URL(chatCompletionsUrl(ref));
  u.pathname = u.pathname.replace(/\/chat\/completions$/, '/responses');
  return u.toString();
}

/** A config backend ref as a call target: its chat and Responses URLs, API format, key variable; unnamed → `backend-<index>`. */
export function toTarget(ref: BackendRefLike, index: number): UpstreamTarget {
  const apiKeyEnv = ref.api_key_env ?? ref.apiKeyEnv;
  return {
    name: ref.name ?? `backend-${index}`,
    url: chatCompletionsUrl(ref),
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    apiFormat: ref.api_format ?? 'openai_chat',
    responsesUrl: responsesUrl(ref),
  };
}

/**
 * Weighted random order without replacement (load balancing, not routing): the first element is picked with
 * probability weight/total, the next among the rest, and so on. Weight 0 entries come last.
 */
export function weightedOrder<T extends { weight?: number }>(refs: readonly T[], rnd: () => number = Math.random): T[] {
  const pool = refs.map((r) => ({ r, w: Math.max(0, Number.isFinite(r.weight) ? (r.weight as number) : 1) }));
  const out: T[] = [];
  while (pool.length) {
    const total = pool.reduce((s, p) => s + p.w, 0);
    let i = 0;
    if (total > 0) {
      let x = rnd() * total;
      for (i = 0; i < pool.length - 1; i++) {
        x -= pool[i]!.w;
        if (x < 0) break;
      }
    }
    out.push(pool[i]!.r);
    pool.splice(i, 1);
  }
  return out;
}

/** A call target with its load-balancing weight (`backend_refs[].weight`, default 1). */
export type WeightedTarget = UpstreamTarget & { readonly weight: number };

const targetCache = new WeakMap<object, Map<string, WeightedTarget[]>>();
/** Backends of a model in the config, as call targets (cached per config object); empty for an unknown model. */
export function backendsOf(config: RouterConfig, model: string): WeightedTarget[] {
  let m = targetCache.get(config);
  if (!m) {
    m = new Map();
    for (const mc of config.providers.models) {
      m.set(mc.name, (mc.backend_refs as readonly BackendRefLike[]).map((r, i) => ({ ...toTarget(r, i), weight: r.weight ?? 1 })));
    }
    targetCache.set(config, m);
  }
  return m.get(model) ?? [];
}

/** Split the core's headers: `x-vsr-*`/`x-semroute-*` go to the client; everything goes upstream. */
export function responseHeadersOf(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-vsr-') || k.startsWith('x-semroute-')) out[k] = v;
  return out;
}

/** Upstream response headers never passed back to the client (hop-by-hop, or recomputed). */
export const HOP_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'upgrade', 'trailer', 'te', 'proxy-connection',
]);

/** Client request headers a proxy must not forward (hop-by-hop) or that it sets itself. */
const DROP_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'content-length', 'expect', 'accept-encoding',
]);

/**
 * The headers of one upstream request: the client's (minus hop-by-hop and our own `x-vsr-*`/`x-semroute-*`),
 * minus the plan's removals, plus its additions, JSON content type, and the backend's API key when it names one
 * (`getSecret(name)`: `process.env` on Node, Worker secrets at the edge; an unset key removes `authorization`).
 */
export function upstreamRequestHeaders(
  clientHeaders: Readonly<Record<string, string | string[] | undefined>>,
  plan: { readonly headers: Readonly<Record<string, string>>; readonly remove: readonly string[] },
  target: UpstreamTarget,
  getSecret: (name: string) => string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(clientHeaders)) {
    if (v === undefined || DROP_REQUEST_HEADERS.has(k) || k.startsWith('x-vsr-') || k.startsWith('x-semroute-')) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  for (const k of plan.remove) delete headers[k];
  Object.assign(headers, plan.headers);
  headers['content-type'] = 'application/json';
  if (target.apiKeyEnv) {
    const key = getSecret(target.apiKeyEnv);
    if (key) headers.authorization = `Bearer ${key}`;
    else delete headers.authorization;
  }
  return headers;
}

/** One call to one backend: a usable answer, or a failure reason (retried on the next target). */
export type AttemptOutcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly reason: string };

/** What {@link walkPlans} found: the answer that serves the request, or the last failure reason. */
export interface PlanWalk<R> {
  /** The answer that serves the request, with its plan and target; undefined when every attempt failed. */
  readonly got?: { readonly value: R; readonly plan: UpstreamPlan; readonly target: UpstreamTarget };
  /** The primary plan (for the error answer's headers when nothing answered). */
  readonly primary?: UpstreamPlan;
  /** The last failure reason (`no_backend` when nothing was tried). */
  readonly lastReason: string;
}

/**
 * Try the plans in order: up to two backends (weighted order) of the first plan's model, then each fallback
 * plan's first two backends. `attempt` sends one request; `onRetry(reason)` is called before every attempt
 * after the first (for metrics). Rejections from `attempt` propagate (client aborted).
 */
export async function walkPlans<R>(
  config: RouterConfig,
  plans: readonly LazyPlan[],
  attempt: (plan: UpstreamPlan, target: UpstreamTarget) => Promise<AttemptOutcome<R>>,
  onRetry?: (reason: string) => void,
): Promise<PlanWalk<R>> {
  let tries = 0;
  let lastReason = 'no_backend';
  let primary: UpstreamPlan | undefined;
  for (let p = 0; p < plans.length; p++) {
    const lazy = plans[p]!;
    const plan = typeof lazy === 'function' ? lazy() : lazy;
    if (p === 0) primary = plan;
    const targets = weightedOrder(backendsOf(config, plan.model));
    // primary model: one retry on another backend; fallback models: their first two backends as well
    for (const target of targets.slice(0, 2)) {
      if (tries++ > 0) onRetry?.(lastReason);
      const a = await attempt(plan, target);
      if (a.ok) return { got: { value: a.value, plan, target }, ...(primary ? { primary } : {}), lastReason };
      lastReason = a.reason;
    }
  }
  return { ...(primary ? { primary } : {}), lastReason };
}
