/**
 * The routing proxy as a fetch-API handler (`Request → Response`) for runtimes without Node's HTTP stack:
 * Cloudflare Workers (workerd), Deno (`Deno.serve`), Bun (`Bun.serve`), or any service worker. Same endpoints,
 * validation, OpenAI-shaped errors, blocks, plans and classify records as the Node server (those parts are the
 * shared modules of `@semroute/core/http`); upstream calls use `fetch`, SSE passes through event by event.
 * No timers outside a request, no logging of prompt text.
 * @module
 */
import { HEADERS } from '../headers.js';
import type { TrustClientHints } from '../client-hint.js';
import type { Router } from '../router.js';
import { DEFAULT_BODY_LIMIT, parseJsonBody, readBodyText } from './body.js';
import { DEFAULT_CORS_ORIGINS, corsAnswerHeaders, corsPreflightHeaders, isApiPath } from './cors.js';
import { HttpError, toHttpError, unknownEndpoint, upstreamBroken, upstreamUnavailable } from './errors.js';
import { blockedAnswerBody, checkClassifyKind, classifyAnswer, modelNotFound, parseClassifyRequest, routeChat, type RoutedView } from './route-view.js';
import { MemoryResponseStore, type ResponseStore } from './response-store.js';
import { deleteStoredResponse, getStoredResponse, handleResponses, responsesDisabled } from './responses.js';
import { type PipeOutcome, sseEventStream } from './sse.js';
import { hitAnswer, probeCache, recorder } from './cache.js';
import { createResponseCache } from '../cache/index.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { HOP_RESPONSE_HEADERS, type AttemptOutcome, upstreamRequestHeaders, walkPlans } from './upstream.js';

/** A `fetch`-like function (the global `fetch`, a Worker service binding's `fetch`, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Log fields: names, codes and numbers only, never prompt text. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;
/** Where the fetch handler logs (`console`-like): a level, a message, and fields without prompt text. */
export type EdgeLogger = (level: 'info' | 'warn' | 'error', msg: string, fields?: LogFields) => void;

/** Options of {@link createFetchHandler}: the router (or how to build it), limits, CORS, upstream transport, cache and stores. */
export interface FetchHandlerOptions {
  /**
   * The router, or a function that builds it. A function is called on the first request that needs the router
   * (lazy initialisation) and its result reused for every later request in this isolate/process; a failed build
   * is retried by the next request.
   */
  readonly router: Router | (() => Router | Promise<Router>);
  /** Largest accepted request body, bytes (default 4 MiB, as the Node server). */
  readonly bodyLimit?: number;
  /** Client pre-routing hints policy (default `none`). */
  readonly trustClientHints?: TrustClientHints;
  /** Origins allowed to call the API cross-origin (default: loopback origins, as the Node server). */
  readonly corsOrigins?: readonly string[];
  /** Upstream time to the response head, ms (default 120 000). */
  readonly firstByteTimeoutMs?: number;
  /** Upstream silence between two body chunks, ms (default 60 000). */
  readonly idleTimeoutMs?: number;
  /** Concurrent chat requests before 503 + retry-after (default 2048). */
  readonly maxInflight?: number;
  /** Backend API keys by `api_key_env` name (Worker secrets, `Deno.env.get`, `Bun.env`). Default: none. */
  readonly getSecret?: (name: string) => string | undefined;
  /** Upstream transport (default: the global `fetch`). */
  readonly fetch?: FetchLike;
  /** Where errors and (with `debugLog`) decision summaries go. Default: none. */
  readonly log?: EdgeLogger;
  /** Log one line per routed request: decision, model, category, confidence (never the prompt). */
  readonly debugLog?: boolean;
  /**
   * The semantic response cache. Default: an in-memory cache (per isolate) built from the router's
   * `global.stores.response_cache` when that is enabled; `backend_type: redis` needs the Node adapter, and is
   * served in memory here with a warning. `false`: no cache.
   */
  readonly cache?: ResponseCache | false;
  /**
   * Where `/v1/responses` keeps stored responses. Default: an in-isolate memory store when the config's
   * `global.services.response_api.store_backend` is `memory`; with `redis`, pass a store (none is built here).
   */
  readonly responseStore?: ResponseStore;
}

/** Where a fetch handler's lazy router build stands (`failed`: the last build threw; the next request retries it). */
export type RouterState = 'not_started' | 'loading' | 'ready' | 'failed';

/**
 * semroute's HTTP API as one `Request → Response` function (Workers' `fetch`, `Deno.serve`, `Bun.serve`), with the
 * state of its router. Errors become OpenAI-style error answers; it never rejects.
 */
export interface FetchHandler {
  /** Answers one request: chat completions, Responses, classify, models, health, readiness. */
  (request: Request): Promise<Response>;
  /** Where the lazy router build stands. */
  readonly state: () => RouterState;
  /** Builds (or returns) the router: call it to warm an isolate before the first request. */
  readonly router: () => Promise<Router>;
}

const JSON_TYPE = 'application/json';

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

function errorResponse(err: HttpError, extra: Record<string, string> = {}): Response {
  return new Response(err.json(), { status: err.status, headers: { 'content-type': JSON_TYPE, ...extra, ...err.headers } });
}

/** The request's headers as a lower-case record (what the core's `route()` and the upstream headers read). */
function headerRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

function failureReason(e: unknown): string {
  const err = e as { name?: unknown; cause?: { code?: unknown }; code?: unknown };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timeout';
  const code = err?.cause?.code ?? err?.code;
  return typeof code === 'string' ? code.toLowerCase() : 'error';
}

/** Builds the `Request → Response` handler. */
export function createFetchHandler(opts: FetchHandlerOptions): FetchHandler {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const trust: TrustClientHints = opts.trustClientHints ?? 'none';
  const cors = opts.corsOrigins ?? DEFAULT_CORS_ORIGINS;
  const firstByteMs = opts.firstByteTimeoutMs ?? 120_000;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  const maxInflight = opts.maxInflight ?? 2048;
  const getSecret = opts.getSecret ?? (() => undefined);
  const upstreamFetch: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const log: EdgeLogger = opts.log ?? (() => undefined);

  let state: RouterState = typeof opts.router === 'function' ? 'not_started' : 'ready';
  let built: Router | undefined = typeof opts.router === 'function' ? undefined : opts.router;
  let building: Promise<Router> | undefined;
  const getRouter = (): Promise<Router> => {
    if (built) return Promise.resolve(built);
    if (!building) {
      const make = opts.router as () => Router | Promise<Router>;
      state = 'loading';
      building = Promise.resolve()
        .then(make)
        .then(
          (r) => {
            built = r;
            state = 'ready';
            return r;
          },
          (e: unknown) => {
            state = 'failed';
            building = undefined; // the next request tries again
            log('error', 'router initialisation failed', { error: e instanceof Error ? e.name : 'error', code: (e as { code?: string }).code });
            throw e;
          },
        );
    }
    return building;
  };

  let inflight = 0;
  let memoryStore: MemoryResponseStore | undefined;
  const storeFor = (router: Router): ResponseStore | undefined => {
    if (opts.responseStore) return opts.responseStore;
    const api = router.config.global.services.response_api;
    if (api.store_backend !== 'memory') return undefined;
    memoryStore ??= new MemoryResponseStore(api.max_responses);
    return memoryStore;
  };
  const logRouted = (d: RoutedView['decision'], modelLabel: string) => {
    if (opts.debugLog) log('info', 'routed', { decision: d.decision, model: modelLabel, category: d.category, confidence: d.confidence, reasoning: d.use_reasoning, path: d.response_path });
  };

  const responses = async (request: Request): Promise<Response> => {
    const router = await getRouter();
    const config = router.config;
    if (!config.global.services.response_api.enabled) throw responsesDisabled();
    const body = parseJsonBody(await readBodyText(request, bodyLimit));
    return handleResponses(body, {
      router,
      config,
      headers: headerRecord(request.headers),
      trustClientHints: trust,
      store: storeFor(router),
      fetch: upstreamFetch,
      getSecret,
      firstByteMs,
      idleMs,
      signal: request.signal,
      onRouted: (r) => logRouted(r.decision, r.modelLabel),
      onStoreError: (e) => log('warn', 'storing a response failed', { error: e instanceof Error ? e.name : 'error' }),
    });
  };

  let cache: ResponseCache | undefined = opts.cache || undefined;
  const cacheFor = (router: Router): ResponseCache | undefined => {
    const cfg = router.config.global.stores.response_cache;
    if (!cfg.enabled || opts.cache === false) return undefined;
    if (!cache) {
      if (cfg.backend_type === 'redis') log('warn', 'response_cache backend_type redis is not available in the fetch handler: using memory', {});
      cache = createResponseCache(cfg);
    }
    return cache;
  };

  const chat = async (request: Request): Promise<Response> => {
    const text = await readBodyText(request, bodyLimit);
    const body = parseJsonBody(text);
    const headers = headerRecord(request.headers);
    const router = await getRouter();
    const config = router.config; // one config for the whole request
    const routed = await routeChat(router, body, headers, trust, config);
    logRouted(routed.decision, routed.modelLabel);
    if (routed.blocked) {
      const b = blockedAnswerBody(routed.blocked, routed.stream);
      return new Response(b.body, { status: b.status, headers: b.headers });
    }
    if (routed.plans.length === 0) throw modelNotFound(routed.model);
    const probe = await probeCache(cacheFor(router), routed, headers, config);
    if (probe?.status === 'hit') {
      const a = hitAnswer(probe, routed);
      return new Response(a.body, { status: a.status, headers: a.headers });
    }

    const walk = await walkPlans<Response>(config, routed.plans, async (plan, target): Promise<AttemptOutcome<Response>> => {
      const ac = new AbortController();
      const onClientAbort = () => ac.abort(request.signal.reason);
      if (request.signal.aborted) throw new HttpError(499, 'client closed the request', 'invalid_request_error', 'client_closed');
      request.signal.addEventListener('abort', onClientAbort, { once: true });
      const timer = setTimeout(() => ac.abort(new DOMException('first byte timeout', 'TimeoutError')), firstByteMs);
      try {
        const res = await upstreamFetch(target.url, { method: 'POST', headers: upstreamRequestHeaders(headers, plan, target, getSecret), body: plan.body, signal: ac.signal });
        clearTimeout(timer);
        if (res.status >= 500) {
          await res.body?.cancel().catch(() => undefined);
          request.signal.removeEventListener('abort', onClientAbort);
          return { ok: false, reason: `status_${res.status}` };
        }
        return { ok: true, value: res };
      } catch (e) {
        clearTimeout(timer);
        request.signal.removeEventListener('abort', onClientAbort);
        if (request.signal.aborted) throw e;
        return { ok: false, reason: failureReason(e) };
      }
    });
    if (!walk.got) {
      log('warn', 'no upstream answered', { model: routed.modelLabel, reason: walk.lastReason });
      return errorResponse(upstreamUnavailable(), { ...(walk.primary?.responseHeaders ?? {}), [HEADERS.RESPONSE_PATH]: 'error' });
    }
    const up = walk.got.value;
    const plan = walk.got.plan;
    const out = new Headers();
    up.headers.forEach((v, k) => {
      if (!HOP_RESPONSE_HEADERS.has(k)) out.set(k, v);
    });
    for (const [k, v] of Object.entries(plan.responseHeaders)) out.set(k, v);
    for (const [k, v] of Object.entries(probe?.headers ?? {})) out.set(k, v);
    out.set(HEADERS.RESPONSE_PATH, 'upstream');
    const record = recorder(probe, config, up.status);
    const isSse = (up.headers.get('content-type') ?? '').includes('text/event-stream');
    if (!isSse || !up.body) {
      // A non-streamed answer is one JSON document: read it whole (a body that breaks half-way becomes a clean 502).
      let buf: ArrayBuffer;
      try {
        buf = await up.arrayBuffer();
      } catch {
        if (request.signal.aborted) throw new HttpError(499, 'client closed the request', 'invalid_request_error', 'client_closed');
        return errorResponse(upstreamBroken(), { ...plan.responseHeaders, [HEADERS.RESPONSE_PATH]: 'error' });
      }
      record.json(up.status, new Uint8Array(buf));
      return new Response(buf, { status: up.status, headers: out });
    }
    out.set('cache-control', 'no-cache');
    out.set('x-accel-buffering', 'no');
    const model = routed.modelLabel;
    const stream = sseEventStream(up.body, {
      idleMs,
      onData: record.chunk,
      onEnd: (o: PipeOutcome) => {
        record.end(o === 'ok');
        if (o === 'upstream_broken') log('warn', 'upstream stream broken', { model });
      },
    });
    return new Response(stream, { status: up.status, headers: out });
  };

  const classify = async (request: Request, kind: string | undefined): Promise<Response> => {
    checkClassifyKind(kind);
    const text = await readBodyText(request, bodyLimit);
    const req = parseClassifyRequest(parseJsonBody(text), kind);
    const router = await getRouter();
    return json(200, await classifyAnswer(router, req));
  };

  const route = async (request: Request, path: string): Promise<Response> => {
    const m = request.method;
    if (m === 'POST' && (path === '/v1/chat/completions' || path === '/v1/responses')) {
      if (inflight >= maxInflight) throw new HttpError(503, 'The router is overloaded; retry shortly.', 'server_error', 'overloaded', null, { 'retry-after': '1' });
      inflight++;
      try {
        return await (path === '/v1/responses' ? responses(request) : chat(request));
      } finally {
        inflight--;
      }
    }
    if ((m === 'GET' || m === 'DELETE') && path.startsWith('/v1/responses/') && path.indexOf('/', 14) < 0) {
      const router = await getRouter();
      if (!router.config.global.services.response_api.enabled) throw responsesDisabled();
      const id = decodeURIComponent(path.slice(14));
      return m === 'GET' ? getStoredResponse(storeFor(router), id) : deleteStoredResponse(storeFor(router), id);
    }
    if (m === 'POST' && path === '/api/v1/classify') return classify(request, undefined);
    if (m === 'POST' && path.startsWith('/api/v1/classify/') && path.indexOf('/', 17) < 0) return classify(request, decodeURIComponent(path.slice(17)));
    if ((m === 'GET' || m === 'HEAD') && path === '/health') return json(200, { status: 'ok' });
    if ((m === 'GET' || m === 'HEAD') && path === '/ready') {
      if (state !== 'ready') {
        getRouter().catch(() => undefined); // a readiness probe warms the isolate
        return json(503, { status: 'not_ready', classifier: state }, { 'retry-after': '2' });
      }
      return json(200, { status: 'ready', classifier: 'ready', backend: built!.backend });
    }
    if ((m === 'GET' || m === 'HEAD') && path === '/v1/models') {
      const config = (await getRouter()).config;
      const created = Math.floor(Date.now() / 1000);
      const auto = config.global.passthrough.auto_model_names[0] ?? 'auto';
      return json(200, {
        object: 'list',
        data: [{ id: auto, object: 'model', created, owned_by: 'semroute' }, ...config.providers.models.map((mc) => ({ id: mc.name, object: 'model', created, owned_by: 'semroute' }))],
      });
    }
    throw unknownEndpoint(m, path);
  };

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const api = isApiPath(path);
    const origin = request.headers.get('origin');
    const host = request.headers.get('host') ?? url.host;
    const corsHeaders = api ? corsAnswerHeaders(origin, host, cors) : {};
    if (api && request.method === 'OPTIONS') {
      return new Response(null, { status: 204, headers: { ...corsHeaders, ...corsPreflightHeaders(origin, host, cors) } });
    }
    let res: Response;
    try {
      res = await route(request, path);
    } catch (e) {
      const err = toHttpError(e);
      if (err.status >= 500 && !HttpError.isError(e)) log('error', 'request failed', { error: e instanceof Error ? e.name : 'error', code: (e as { code?: string }).code });
      res = errorResponse(err);
    }
    if (Object.keys(corsHeaders).length === 0) return res;
    const h = new Headers(res.headers);
    for (const [k, v] of Object.entries(corsHeaders)) h.set(k, v);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: h });
  };

  return Object.assign(handler, { state: () => state, router: getRouter });
}
