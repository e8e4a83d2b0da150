/**
 * The HTTP server (fastify): OpenAI-compatible routing proxy, classification API, health/readiness, metrics,
 * and a static-files hook for the playground. Handlers only translate HTTP ↔ core calls.
 * @module
 */
import { Readable, type Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fetch as undiciFetch } from 'undici';
import { HEADERS } from '@semroute/core';
import {
  blockedAnswerBody,
  checkClassifyKind,
  classifyAnswer,
  corsAnswerHeaders,
  corsPreflightHeaders,
  deleteStoredResponse,
  getStoredResponse,
  handleResponses,
  hitAnswer,
  isApiPath,
  probeCache,
  recorder,
  responsesDisabled,
  modelNotFound,
  parseClassifyRequest,
  parseJsonBody,
  unknownEndpoint,
  type FetchLike,
} from '@semroute/core/http';
import { HttpError, toHttpError } from './http-error.js';
import { ServerCache, type BackendFactory } from './cache.js';
import { RedisCacheBackend } from './redis-cache.js';
import { countLimits, createMetrics, type Metrics } from './metrics.js';
import { forward, sendError } from './proxy.js';
import { ResponseStores } from './response-stores.js';
import { serveStatic } from './static.js';
import { Upstream } from './upstream.js';
import { routeChat } from './route-view.js';
import type { RouterHost } from '../router-host.js';
import { DEFAULT_SETTINGS, type ServerSettings } from '../settings.js';
import { tracedFetch } from '../telemetry/fetch.js';
import { SPAN, parseBodyTraced, type RequestTrace, type Tracing } from '../telemetry/tracing.js';

/** What {@link createApp} builds the HTTP server from: the router host, settings, and optional metrics, tracing, static files. */
export interface AppOptions {
  /** The live router (config, classifier, reload). */
  host: RouterHost;
  /** Overrides of the host config's `server:` section, over {@link DEFAULT_SETTINGS}. */
  settings?: Partial<ServerSettings>;
  /** Serve these static files at `/` (playground build). */
  staticDir?: string;
  /** fastify/pino logger options; false = silent. */
  logger?: boolean | object;
  /** The Prometheus registry and metrics to record into (share one with the ext_proc server). Default: a new one. */
  metrics?: Metrics;
  /** OpenTelemetry traces (from `startTracing()`); undefined: no tracing code runs at all. */
  tracing?: Tracing;
  /** Builds the Redis backend of the response cache (`backend_type: redis`); default: the adapter's `RedisCacheBackend`. */
  redisCache?: BackendFactory;
}

/** The HTTP server, built but not listening: call `fastify.listen()` (as {@link serve} does), and `close()` when done. */
export interface SemrouteApp {
  readonly fastify: FastifyInstance;
  readonly metrics: Metrics;
  readonly upstream: Upstream;
  /** The semantic response cache (follows the live config's `global.stores.response_cache`). */
  readonly cache: ServerCache;
  /** In-flight chat requests. */
  inflight(): number;
  /** Stops accepting, waits for in-flight requests, then closes upstream connections, the cache and response stores. */
  close(): Promise<void>;
}

/** Answers a connection whose request could not be parsed (Node's 'clientError'), then closes it. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request was not received in time.']
        : [400, 'Bad Request', 'Malformed HTTP request (bad header bytes, framing or request line).'];
  const body = JSON.stringify(new HttpError(status, message, 'invalid_request_error', 'bad_http_request').body());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function replyError(reply: FastifyReply, err: HttpError, extra: Record<string, string> = {}): void {
  void reply.code(err.status).headers({ ...extra, ...err.headers }).type('application/json').send(err.body());
}

/**
 * Builds the fastify server of `semroute serve`: `/v1/chat/completions`, `/v1/responses`, `/api/v1/classify`,
 * `/v1/models`, `/health`, `/ready`, `/metrics` and the static playground. Does not listen.
 */
export function createApp(opts: AppOptions): SemrouteApp {
  const settings: ServerSettings = { ...DEFAULT_SETTINGS, ...opts.host.server, ...opts.settings };
  const { host } = opts;
  const metrics = opts.metrics ?? createMetrics();
  metrics.queueSource = () => host.router.queue;
  const upstream = new Upstream({
    connectMs: settings.connectTimeoutMs,
    firstByteMs: settings.firstByteTimeoutMs,
    idleMs: settings.idleTimeoutMs,
  });
  let inflight = 0;
  const cache = new ServerCache(metrics, {
    redis: opts.redisCache ?? ((cfg) => new RedisCacheBackend(cfg, { onError: (op, code) => metrics.cacheErrors.inc({ op, code }) })),
  });
  // At start, not on the first request: a Redis backend begins reading the shared log (its mirror) now.
  cache.for(host.config.global.stores.response_cache);
  const stores = new ResponseStores();

  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: settings.bodyLimit,
    // Per-request access logs only with debug logging (they hold URLs, never bodies).
    logController: new LogController({ disableRequestLogging: !settings.debugLog }),
    return503OnClosing: true,
    keepAliveTimeout: 65_000,
    routerOptions: { ignoreTrailingSlash: true },
    // The client's request id is not trusted; no prompt text is ever logged.
    requestIdHeader: false,
    // A request Node's HTTP parser rejects (CR/LF or control bytes in a header, conflicting lengths, garbage) still
    // gets an OpenAI-shaped error, as every other failure does.
    clientErrorHandler: answerClientError,
  });

  // Traces: one server span per API request, its parent the client's `traceparent`; the handlers add child spans.
  const traces = opts.tracing ? new WeakMap<object, RequestTrace>() : undefined;
  const traceOf = (req: FastifyRequest): RequestTrace | undefined => traces?.get(req.raw);
  if (opts.tracing && traces) {
    const tracing = opts.tracing;
    app.addHook('onRequest', async (req, reply) => {
      if (!isApiPath(req.url)) return;
      const path = req.url.split('?')[0] ?? '/';
      const trace = tracing.startRequest({ method: req.method, path, route: req.routeOptions.url, headers: req.headers, startTime: performance.now() });
      traces.set(req.raw, trace);
      // 'close' also comes for hijacked answers (SSE, blocks, upstream pass-through), which skip fastify's onResponse.
      reply.raw.once('close', () => trace.end(reply.raw.statusCode, reply.raw.writableFinished));
    });
  }

  // Bodies are parsed by the handlers so that every failure becomes an OpenAI error (any content type accepted).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error, req, reply) => {
    const err = toHttpError(error);
    traceOf(req)?.fail(err.code ?? String(err.status));
    if (err.status >= 500 && !HttpError.isError(error)) app.log.error({ code: (error as { code?: string }).code }, 'request failed');
    replyError(reply, err);
  });

  // CORS: an allowed Origin (server.cors_origins, or this server's own origin) gets the allow/expose headers on every
  // API answer. Set on the raw response so that hijacked answers (SSE, blocks, upstream pass-through) carry them too.
  app.addHook('onRequest', async (req, reply) => {
    if (!isApiPath(req.url)) return;
    for (const [k, v] of Object.entries(corsAnswerHeaders(req.headers.origin, req.headers.host, settings.corsOrigins))) reply.raw.setHeader(k, v);
  });
  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    // A disallowed origin gets no allow-* headers: the browser then refuses the real request.
    void reply.headers(corsPreflightHeaders(req.headers.origin, req.headers.host, settings.corsOrigins));
    return reply.code(204).send();
  };
  app.options('/v1/*', preflight);
  app.options('/api/v1/*', preflight);

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if ((req.method === 'GET' || req.method === 'HEAD') && opts.staticDir && !path.startsWith('/v1/') && !path.startsWith('/api/')) {
      reply.hijack();
      if (serveStatic(opts.staticDir, path, reply.raw, { head: req.method === 'HEAD', ifNoneMatch: req.headers['if-none-match'] })) return;
      sendError(reply.raw, new HttpError(404, `Not found: ${path}`, 'invalid_request_error', 'not_found'));
      return;
    }
    replyError(reply, unknownEndpoint(req.method, path));
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_req, reply) => {
    const body = {
      status: host.ready ? 'ready' : 'not_ready',
      classifier: host.classifierState,
      backend: host.router.backend,
      ...(host.classifierError ? { error: host.classifierError } : {}),
    };
    return reply.code(host.ready ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get('/v1/models', async () => {
    const created = Math.floor(Date.now() / 1000);
    const auto = host.config.global.passthrough.auto_model_names[0] ?? 'auto';
    return {
      object: 'list',
      data: [
        { id: auto, object: 'model', created, owned_by: 'semroute' },
        ...host.config.providers.models.map((m) => ({ id: m.name, object: 'model', created, owned_by: 'semroute' })),
      ],
    };
  });

  app.post('/v1/chat/completions', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!host.ready) {
      throw new HttpError(503, 'The router is starting: the classifier model is still loading.', 'server_error', 'not_ready', null, { 'retry-after': '2' });
    }
    if (inflight >= settings.maxInflight) {
      throw new HttpError(503, 'The router is overloaded; retry shortly.', 'server_error', 'overloaded', null, { 'retry-after': '1' });
    }
    inflight++;
    try {
      await chat(req, reply);
    } finally {
      inflight--;
    }
  });

  const chat = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const trace = traceOf(req);
    // The body-parse span starts at the request's arrival (`elapsedTime` ago): reading the body is part of it.
    const request = trace ? parseBodyTraced(trace, req.body, performance.now() - reply.elapsedTime) : parseJsonBody(req.body);
    // Node's header record (lower-case keys; only set-cookie is an array, and requests carry none we read).
    const headers = req.headers as Record<string, string>;
    // One router and its config for the whole request, even if a hot reload swaps them meanwhile.
    const router = host.router;
    const config = router.config;
    const t0 = performance.now();
    let routed: Awaited<ReturnType<typeof routeChat>>;
    try {
      routed = await routeChat(router, request, headers, settings.trustClientHints, config);
    } catch (error) {
      countLimits(metrics, { error });
      throw error;
    }
    countLimits(metrics, routed);
    const t1 = performance.now();
    metrics.classifyLatency.observe({ source: 'chat' }, (t1 - t0) / 1000);
    trace?.routed(routed, request, router.backend, t0, t1);
    if (settings.debugLog) {
      // Opt-in: the decision summary (names and scores only, never prompt text).
      const d = routed.decision;
      req.log.info({ decision: d.decision, model: routed.modelLabel, category: d.category, confidence: d.confidence, reasoning: d.use_reasoning, path: d.response_path }, 'routed');
    }

    if (routed.blocked) {
      metrics.blocks.inc({ reason: routed.decision.blocked?.reason ?? 'blocked', decision: routed.decisionName });
      metrics.requests.inc({ decision: routed.decisionName, model: routed.modelLabel, response_path: routed.responsePath, status: String(routed.blocked.status) });
      const b = blockedAnswerBody(routed.blocked, routed.stream);
      reply.hijack();
      reply.raw.writeHead(b.status, routed.stream ? b.headers : { ...b.headers, 'content-length': Buffer.byteLength(b.body) });
      reply.raw.end(b.body);
      return;
    }
    if (routed.plans.length === 0) throw modelNotFound(routed.model);
    const tc = performance.now();
    const probe = await probeCache(cache.for(config.global.stores.response_cache), routed, headers, config);
    if (probe && trace) {
      const attributes = { 'semroute.cache.hit': probe.status === 'hit', 'semroute.cache.outcome': probe.status === 'bypass' ? probe.reason : probe.status };
      trace.stage(SPAN.cacheLookup, tc, performance.now(), probe.status === 'hit' ? { ...attributes, 'semroute.cache.similarity': Number(probe.similarity.toFixed(4)) } : attributes);
    }
    if (probe?.status === 'hit') {
      const a = hitAnswer(probe, routed);
      metrics.requests.inc({ decision: routed.decisionName, model: routed.modelLabel, response_path: 'cache', status: '200' });
      reply.hijack();
      reply.raw.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
      reply.raw.end(a.body);
      return;
    }

    const ac = new AbortController();
    const res = reply.raw;
    const onClose = () => {
      if (!res.writableFinished) ac.abort();
    };
    res.on('close', onClose);
    reply.hijack();
    try {
      await forward(
        {
          upstream,
          metrics,
          config,
          clientHeaders: req.headers,
          res,
          signal: ac.signal,
          stream: routed.stream,
          ...(trace ? { trace } : {}),
          ...(probe ? { cacheHeaders: probe.headers, record: (status: number) => recorder(probe, config, status) } : {}),
          onDone: (status, path, model) =>
            metrics.requests.inc({ decision: routed.decisionName, model, response_path: path, status: String(status) }),
        },
        routed.plans,
      );
    } catch (e) {
      if (!ac.signal.aborted) sendError(res, toHttpError(e), { [HEADERS.RESPONSE_PATH]: 'error' });
      else if (!res.destroyed) res.destroy();
    } finally {
      res.off('close', onClose);
    }
  };

  // ---- the Responses API: the core's handler (shared with the edge), over undici with this server's agent ----
  app.post('/v1/responses', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!host.config.global.services.response_api.enabled) throw responsesDisabled();
    if (!host.ready) {
      throw new HttpError(503, 'The router is starting: the classifier model is still loading.', 'server_error', 'not_ready', null, { 'retry-after': '2' });
    }
    if (inflight >= settings.maxInflight) {
      throw new HttpError(503, 'The router is overloaded; retry shortly.', 'server_error', 'overloaded', null, { 'retry-after': '1' });
    }
    inflight++;
    const ac = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) ac.abort();
    };
    reply.raw.on('close', onClose);
    try {
      const trace = traceOf(req);
      const body = trace ? parseBodyTraced(trace, req.body, performance.now() - reply.elapsedTime) : parseJsonBody(req.body);
      const router = host.router;
      const config = router.config;
      const t0 = performance.now();
      let routedAt = t0;
      let labels: { decision: string; model: string; response_path: string } | undefined;
      const fetch: FetchLike = (url, init) => undiciFetch(url, { ...(init as object), dispatcher: upstream.agent }) as unknown as Promise<Response>;
      const res = await handleResponses(body, {
        router,
        config,
        headers: req.headers as Record<string, string>,
        trustClientHints: settings.trustClientHints,
        store: stores.for(config.global.services.response_api),
        fetch: trace ? tracedFetch(fetch, trace, ac.signal) : fetch,
        getSecret: (name) => process.env[name],
        firstByteMs: settings.firstByteTimeoutMs,
        idleMs: settings.idleTimeoutMs,
        signal: ac.signal,
        onRouted: (r) => {
          routedAt = performance.now();
          // The route span covers the router's own measured time (not the request validation and store lookup before it).
          trace?.routed(r, body, router.backend, routedAt - r.timings.totalMs, routedAt);
          labels = { decision: r.decisionName, model: r.modelLabel, response_path: r.responsePath };
          if (settings.debugLog) {
            const d = r.decision;
            req.log.info({ decision: d.decision, model: r.modelLabel, category: d.category, confidence: d.confidence, reasoning: d.use_reasoning, path: d.response_path }, 'routed');
          }
        },
        onStoreError: (e) => app.log.warn({ error: e instanceof Error ? e.name : 'error' }, 'storing a response failed'),
      });
      metrics.classifyLatency.observe({ source: 'responses' }, (routedAt - t0) / 1000);
      if (labels) metrics.requests.inc({ ...labels, response_path: res.headers.get(HEADERS.RESPONSE_PATH) ?? labels.response_path, status: String(res.status) });
      await sendWebResponse(reply, res, ac.signal);
    } finally {
      inflight--;
      reply.raw.off('close', onClose);
    }
  });
  const storedResponse = (kind: 'get' | 'delete') => async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const api = host.config.global.services.response_api;
    if (!api.enabled) throw responsesDisabled();
    const res = await (kind === 'get' ? getStoredResponse : deleteStoredResponse)(stores.for(api), req.params.id);
    return sendWebResponse(reply, res, undefined);
  };
  app.get('/v1/responses/:id', storedResponse('get'));
  app.delete('/v1/responses/:id', storedResponse('delete'));

  const classify = async (req: FastifyRequest, reply: FastifyReply, kind: string | undefined) => {
    if (!host.ready) throw new HttpError(503, 'The classifier model is still loading.', 'server_error', 'not_ready', null, { 'retry-after': '2' });
    const trace = traceOf(req);
    const request = parseClassifyRequest(trace ? parseBodyTraced(trace, req.body, performance.now() - reply.elapsedTime) : parseJsonBody(req.body), kind);
    const t0 = performance.now();
    const answer = await classifyAnswer(host.router, request).catch((error: unknown) => {
      countLimits(metrics, { error });
      throw error;
    });
    const t1 = performance.now();
    metrics.classifyLatency.observe({ source: 'api' }, (t1 - t0) / 1000);
    trace?.stage(SPAN.classify, t0, t1, { 'semroute.texts': request.texts.length, 'semroute.classifier.backend': host.router.backend });
    metrics.batchSize.observe({ source: 'api' }, request.texts.length);
    return answer;
  };
  app.post('/api/v1/classify', (req, reply) => classify(req, reply, undefined));
  app.post<{ Params: { kind: string } }>('/api/v1/classify/:kind', (req, reply) => {
    checkClassifyKind(req.params.kind);
    return classify(req, reply, req.params.kind);
  });

  return {
    fastify: app,
    metrics,
    upstream,
    cache,
    inflight: () => inflight,
    close: async () => {
      // Keep-alive connections that go idle after close() began would otherwise hold it until their timeout.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
      await upstream.close();
      await cache.close();
      await stores.close();
    },
  };
}

/** Writes a fetch `Response` (the core's Responses handler answer) on the raw Node response, streaming its body. */
async function sendWebResponse(reply: FastifyReply, res: Response, signal: AbortSignal | undefined): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  raw.writeHead(res.status, headers);
  if (!res.body) {
    raw.end();
    return;
  }
  raw.flushHeaders();
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  try {
    for await (const chunk of body) {
      if (signal?.aborted || raw.destroyed) break;
      if (!raw.write(chunk)) await new Promise<void>((r) => raw.once('drain', r));
    }
  } catch {
    // the body failed half-way: the core already closed the stream with an error event; nothing more to say
  } finally {
    body.destroy();
    if (!raw.destroyed) raw.end();
  }
}
