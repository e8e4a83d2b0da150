/**
 * Envoy ext_proc: `envoy.service.ext_proc.v3.ExternalProcessor/Process`, a bidirectional gRPC stream per HTTP
 * request. Request headers → CONTINUE; request body → core route(): a body mutation (rewritten JSON) with header
 * mutations (`x-selected-model`, `x-vsr-*`) and a route-cache clear, or an `immediate_response` for blocks;
 * response headers → add the `x-vsr-*` headers. Streamed bodies are held back and answered on end_of_stream.
 * Every other message type is acknowledged without changes, so Envoy's other modes never stall.
 * @module
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HEADERS } from '@semroute/core';
import { parseJsonBody } from '@semroute/core/http';
import type { RouterHost } from '../router-host.js';
import { DEFAULT_BODY_LIMIT, bodyTooLarge } from '@semroute/core/http';
import { countLimits, type Metrics } from '../server/metrics.js';
import { HttpError, toHttpError } from '../server/http-error.js';
import { routeChat } from '../server/route-view.js';
import type { TrustClientHints } from '../settings.js';
import { parseBodyTraced, type RequestTrace, type Tracing } from '../telemetry/tracing.js';

/** Directory of the vendored Envoy protos (packages/node-adapter/proto). */
export const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));
export const EXT_PROC_PROTO = 'envoy/service/ext_proc/v3/external_processor.proto';

export const PROTO_LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});

/** Load the ExternalProcessor service definition (also used by tests to build a client). */
export function loadExtProcService(): grpc.ServiceClientConstructor {
  const def = protoLoader.loadSync(EXT_PROC_PROTO, PROTO_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { ext_proc: { v3: { ExternalProcessor: grpc.ServiceClientConstructor } } } };
  };
  return pkg.envoy.service.ext_proc.v3.ExternalProcessor;
}

interface HeaderValue {
  key?: string;
  value?: string;
  raw_value?: Buffer;
}
interface HttpHeadersMsg {
  headers?: { headers?: HeaderValue[] };
  end_of_stream?: boolean;
}
interface HttpBodyMsg {
  body?: Buffer;
  end_of_stream?: boolean;
}
/** A decoded ProcessingRequest (proto-loader with `oneofs: true` names the set member in `request`). */
export interface ProcessingRequest {
  request?: string;
  request_headers?: HttpHeadersMsg;
  response_headers?: HttpHeadersMsg;
  request_body?: HttpBodyMsg;
  response_body?: HttpBodyMsg;
  request_trailers?: unknown;
  response_trailers?: unknown;
}

const hv = (key: string, value: string) => ({ header: { key, raw_value: Buffer.from(value, 'utf8') }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
const setHeaders = (h: Readonly<Record<string, string>>) => Object.entries(h).map(([k, v]) => hv(k.toLowerCase(), v));

function headerRecord(msg: HttpHeadersMsg | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of msg?.headers?.headers ?? []) {
    if (!h.key) continue;
    const v = h.raw_value && h.raw_value.length ? h.raw_value.toString('utf8') : (h.value ?? '');
    out[h.key.toLowerCase()] = v;
  }
  return out;
}

function immediateError(err: HttpError, extra: Record<string, string>) {
  return {
    immediate_response: {
      status: { code: err.status },
      headers: { set_headers: setHeaders({ 'content-type': 'application/json', ...extra, ...err.headers }) },
      body: Buffer.from(JSON.stringify(err.body())),
      details: `semroute_${err.code ?? 'error'}`,
    },
  };
}

/** What the ext_proc server routes with: the router host, and optional metrics, client-hint policy, log and tracing. */
export interface ExtProcOptions {
  /** The live router (shared with the HTTP server in `semroute serve`). */
  host: RouterHost;
  /** Prometheus metrics to record into. Default: none recorded. */
  metrics?: Metrics;
  /** Client pre-routing hints policy (default `none`). */
  trustClientHints?: TrustClientHints;
  /** Where stream failures are logged (codes, no prompt text). */
  log?: {
    /** Logs one failure: fields first, then the message. */
    error(o: object, m?: string): void;
  };
  /** OpenTelemetry traces: a server span per routed request (child of its `traceparent`), whose context goes upstream. */
  tracing?: Tracing;
  /** Largest request body held for routing, bytes (default: the HTTP server's 4 MiB); a larger one is answered 413. */
  bodyLimit?: number;
}

/** Handle one Process stream. Exported for tests that drive it without a socket. */
export function processStream(call: grpc.ServerDuplexStream<ProcessingRequest, unknown>, opts: ExtProcOptions): void {
  const { host } = opts;
  let reqHeaders: Record<string, string> = {};
  /** When the request headers arrived (the trace's start). */
  let headersAt = 0;
  let responseHeaders: Record<string, string> = {};
  let bodyParts: Buffer[] = [];
  let bodyBytes = 0;
  /** Set once the body passed the limit: the rest of it is dropped unread and the request answered 413. */
  let tooLarge = false;
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let held = false;
  let queue = Promise.resolve();
  let ended = false;
  const send = (msg: object) => {
    if (!ended && !call.cancelled && !call.destroyed) call.write(msg);
  };

  const onBody = async (msg: HttpBodyMsg): Promise<void> => {
    if (tooLarge) {
      if (msg.end_of_stream) tooLarge = false;
      return;
    }
    if (msg.body?.length) {
      bodyBytes += msg.body.length;
      if (bodyBytes > bodyLimit) {
        // Memory per request stays bounded: drop what was held and answer now (Envoy stops processing this stream).
        bodyParts = [];
        bodyBytes = 0;
        held = false;
        tooLarge = !msg.end_of_stream;
        send(immediateError(bodyTooLarge(), { [HEADERS.RESPONSE_PATH]: 'error' }));
        return;
      }
      bodyParts.push(Buffer.from(msg.body));
    }
    if (!msg.end_of_stream) {
      // STREAMED mode: hold the chunk back; the whole rewritten body replaces it at end_of_stream.
      held = true;
      send({ request_body: { response: { status: 'CONTINUE', body_mutation: { clear_body: true } } } });
      return;
    }
    const raw = Buffer.concat(bodyParts);
    bodyParts = [];
    bodyBytes = 0;
    const path = (reqHeaders[':path'] ?? '').split('?')[0] ?? '';
    if (path && !path.endsWith('/chat/completions')) {
      // Not a chat completion (embeddings, other APIs): leave it to Envoy's own routes, untouched. Streamed chunks
      // held back above are given back by replacing the last chunk with the whole body.
      send({ request_body: { response: { status: 'CONTINUE', ...(held ? { body_mutation: { body: raw } } : {}) } } });
      held = false;
      return;
    }
    held = false;
    const trace: RequestTrace | undefined = opts.tracing?.startRequest({
      method: reqHeaders[':method'] ?? 'POST',
      path,
      headers: reqHeaders,
      startTime: headersAt || performance.now(),
      via: 'ext_proc',
    });
    try {
      if (!host.ready) throw new HttpError(503, 'The router is starting: the classifier model is still loading.', 'server_error', 'not_ready', null, { 'retry-after': '2' });
      const text = raw.toString('utf8');
      const request = trace ? parseBodyTraced(trace, text, headersAt || performance.now()) : parseJsonBody(text);
      const t0 = performance.now();
      const router = host.router;
      let routed: Awaited<ReturnType<typeof routeChat>>;
      try {
        routed = await routeChat(router, request, reqHeaders, opts.trustClientHints ?? 'none', router.config);
      } catch (error) {
        countLimits(opts.metrics, { error });
        throw error;
      }
      countLimits(opts.metrics, routed);
      const t1 = performance.now();
      opts.metrics?.classifyLatency.observe({ source: 'ext_proc' }, (t1 - t0) / 1000);
      trace?.routed(routed, request, router.backend, t0, t1);
      if (routed.blocked) {
        const b = routed.blocked;
        opts.metrics?.blocks.inc({ reason: routed.decision.blocked?.reason ?? 'blocked', decision: routed.decisionName });
        opts.metrics?.requests.inc({ decision: routed.decisionName, model: routed.modelLabel, response_path: routed.responsePath, status: String(b.status) });
        const payload = routed.stream ? b.sse.join('') : JSON.stringify(b.json);
        send({
          immediate_response: {
            status: { code: b.status },
            headers: { set_headers: setHeaders({ ...b.headers, 'content-type': routed.stream ? 'text/event-stream' : 'application/json' }) },
            body: Buffer.from(payload),
            details: 'semroute_blocked',
          },
        });
        trace?.end(b.status);
        return;
      }
      const plan = routed.primary;
      if (!plan) {
        // Unknown concrete model: leave the request untouched, Envoy routes it as configured.
        send({ request_body: { response: { status: 'CONTINUE' } } });
        trace?.end(0);
        return;
      }
      responseHeaders = { ...plan.responseHeaders, [HEADERS.RESPONSE_PATH]: 'upstream' };
      opts.metrics?.requests.inc({ decision: routed.decisionName, model: plan.model, response_path: 'upstream', status: 'ext_proc' });
      const body = Buffer.from(plan.body, 'utf8');
      send({
        request_body: {
          response: {
            status: 'CONTINUE',
            header_mutation: {
              // x-selected-model for Envoy's route, the decision's x-vsr-* headers (upstream sees them too, as with vSR),
              // header_mutation plugin headers, and the new content-length.
              // With tracing, traceparent names this request's span: the backend's spans become its children.
              set_headers: setHeaders({
                ...plan.responseHeaders,
                ...plan.headers,
                ...trace?.headers,
                [HEADERS.ENVOY_SELECTED_MODEL]: plan.model,
                'content-length': String(body.length),
              }),
              ...(plan.remove.length ? { remove_headers: plan.remove } : {}),
            },
            body_mutation: { body },
            clear_route_cache: true,
          },
        },
      });
      // Envoy sends the request upstream now: the status is not known here.
      trace?.end(0);
    } catch (e) {
      const err = toHttpError(e);
      if (err.status >= 500 && !HttpError.isError(e)) opts.log?.error({ code: (e as { code?: string }).code }, 'ext_proc request failed');
      send(immediateError(err, { [HEADERS.RESPONSE_PATH]: 'error' }));
      trace?.fail(err.code ?? String(err.status));
      trace?.end(err.status);
    }
  };

  const handle = async (msg: ProcessingRequest): Promise<void> => {
    const kind = msg.request ?? Object.keys(msg).find((k) => k.startsWith('request_') || k.startsWith('response_'));
    switch (kind) {
      case 'request_headers':
        reqHeaders = headerRecord(msg.request_headers);
        headersAt = performance.now();
        send({ request_headers: { response: { status: 'CONTINUE' } } });
        return;
      case 'request_body':
        return onBody(msg.request_body ?? {});
      case 'request_trailers':
        send({ request_trailers: {} });
        return;
      case 'response_headers':
        send({
          response_headers: {
            response: { status: 'CONTINUE', ...(Object.keys(responseHeaders).length ? { header_mutation: { set_headers: setHeaders(responseHeaders) } } : {}) },
          },
        });
        return;
      case 'response_body':
        send({ response_body: { response: { status: 'CONTINUE' } } });
        return;
      case 'response_trailers':
        send({ response_trailers: {} });
        return;
      default:
        return; // unknown / empty message: nothing to answer
    }
  };

  call.on('data', (msg: ProcessingRequest) => {
    // Answers must go out in request order: serialize per stream.
    queue = queue.then(() => handle(msg)).catch(() => {});
  });
  call.on('end', () => {
    void queue.then(() => {
      ended = true;
      call.end();
    });
  });
  call.on('error', () => {
    ended = true;
  });
  call.on('cancelled', () => {
    ended = true;
  });
}

/** A listening Envoy ext_proc gRPC server (from {@link startExtProc}). */
export interface ExtProcServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stop accepting; wait for open streams up to graceMs, then cancel them. */
  close(graceMs?: number): Promise<void>;
}

/** `host:port`, with an IPv6 literal in brackets (`[::1]:50051`) as gRPC's target syntax wants. */
function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Listens on `bindHost` (default loopback `127.0.0.1`; `0.0.0.0` for every interface). */
export async function startExtProc(opts: ExtProcOptions & { port: number; bindHost?: string }): Promise<ExtProcServer> {
  const service = loadExtProcService();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  server.addService(service.service, {
    Process: (call: grpc.ServerDuplexStream<ProcessingRequest, unknown>) => processStream(call, opts),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(hostPort(opts.bindHost ?? '127.0.0.1', opts.port), grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        t.unref();
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}
