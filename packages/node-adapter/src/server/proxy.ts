/**
 * POST /v1/chat/completions on Node: forward the rewritten body to the chosen model's backends (the shared plan walk
 * of `@semroute/core/http`: weighted, one retry on another backend, then the decision's fallback model) over undici,
 * and pass the upstream answer back (SSE without buffering) with the `x-vsr-*` headers. No routing decisions here.
 * @module
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { HEADERS, type RouterConfig } from '@semroute/core';
import { HOP_RESPONSE_HEADERS, type AnswerRecorder, streamBrokenEvent, upstreamBroken, upstreamUnavailable, walkPlans, type AttemptOutcome, type LazyPlan, type UpstreamPlan, type UpstreamTarget } from '@semroute/core/http';
import { HttpError } from './http-error.js';
import type { Metrics } from './metrics.js';
import type { RequestTrace, UpstreamTrace } from '../telemetry/tracing.js';
import { pipeBody } from './sse.js';
import type { Upstream } from './upstream.js';

export { backendsOf, responseHeadersOf } from '@semroute/core/http';
export type { UpstreamPlan };

export interface ForwardContext {
  upstream: Upstream;
  metrics: Metrics;
  config: RouterConfig;
  clientHeaders: IncomingHttpHeaders;
  res: ServerResponse;
  signal: AbortSignal;
  stream: boolean;
  /** Called once the response head is known, to record the request metric. */
  onDone: (status: number, path: string, model: string) => void;
  /** The request's trace, when tracing is on: each attempt gets a CLIENT span whose context goes upstream. */
  trace?: RequestTrace;
  /** Headers the response cache adds (`x-vsr-cache-hit: false` on a miss). */
  cacheHeaders?: Readonly<Record<string, string>>;
  /** The response cache's recorder for the upstream answer of a miss (given the upstream status). */
  record?: (status: number) => AnswerRecorder;
}

interface Answer {
  res: Dispatcher.ResponseData;
  t0: number;
  span: UpstreamTrace | undefined;
}

async function attempt(ctx: ForwardContext, plan: UpstreamPlan, target: UpstreamTarget): Promise<AttemptOutcome<Answer>> {
  const t0 = performance.now();
  const span = ctx.trace?.upstream({ body: plan.body, url: target.url, model: plan.model, backend: target.name });
  try {
    // With tracing, the backend's parent is this attempt's span (the client's traceparent is replaced).
    const headers = span ? { ...plan.headers, ...span.headers } : plan.headers;
    const res = await ctx.upstream.send(target, plan.body, ctx.clientHeaders, headers, plan.remove, ctx.signal);
    span?.responded(res.statusCode);
    if (res.statusCode >= 500) {
      await res.body.dump().catch(() => {});
      ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: 'error' }, (performance.now() - t0) / 1000);
      span?.end(`status_${res.statusCode}`);
      return { ok: false, reason: `status_${res.statusCode}` };
    }
    return { ok: true, value: { res, t0, span } };
  } catch (e) {
    if (ctx.signal.aborted) {
      span?.end('client_aborted');
      throw e;
    }
    ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: 'error' }, (performance.now() - t0) / 1000);
    const code = (e as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code.toLowerCase() : 'error';
    span?.end(reason);
    return { ok: false, reason };
  }
}

/**
 * Try the plans in order: up to two backends (weighted order) of the first plan's model, then each fallback
 * plan's backends. Streams the first successful answer to the client.
 */
export async function forward(ctx: ForwardContext, plans: readonly LazyPlan[]): Promise<void> {
  const walk = await walkPlans(ctx.config, plans, (plan, target) => attempt(ctx, plan, target), (reason) => ctx.metrics.upstreamRetries.inc({ reason }));
  if (!walk.got) {
    ctx.onDone(502, 'error', walk.primary?.model ?? '');
    sendError(ctx.res, upstreamUnavailable(), { ...(walk.primary?.responseHeaders ?? {}), [HEADERS.RESPONSE_PATH]: 'error' });
    return;
  }
  const { plan, target } = walk.got;
  const { res: up, t0, span } = walk.got.value;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_RESPONSE_HEADERS.has(k)) headers[k] = v;
  Object.assign(headers, plan.responseHeaders, ctx.cacheHeaders);
  headers[HEADERS.RESPONSE_PATH] = 'upstream';
  const record = ctx.record?.(up.statusCode);
  const isSse = String(up.headers['content-type'] ?? '').includes('text/event-stream');
  if (isSse) {
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
  }
  if (!isSse) {
    // A non-streamed answer is one JSON document: read it whole, then send it in one write with a content-length.
    // (Cheaper than chunked piping, and a body that breaks half-way still becomes a clean 502.)
    let buf: Buffer;
    try {
      buf = Buffer.from(await up.body.arrayBuffer());
    } catch {
      const outcome = ctx.signal.aborted ? 'client_aborted' : 'upstream_broken';
      ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome }, (performance.now() - t0) / 1000);
      span?.end(outcome);
      if (ctx.signal.aborted) return;
      ctx.onDone(502, 'error', plan.model);
      sendError(ctx.res, upstreamBroken(), { ...plan.responseHeaders, [HEADERS.RESPONSE_PATH]: 'error' });
      return;
    }
    const dt = (performance.now() - t0) / 1000;
    ctx.metrics.ttft.observe({ model: plan.model }, dt);
    ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: 'ok' }, dt);
    if (span) {
      span.body(buf);
      span.end('ok');
    }
    ctx.onDone(up.statusCode, 'upstream', plan.model);
    record?.json(up.statusCode, buf);
    headers['content-length'] = String(buf.length);
    ctx.res.writeHead(up.statusCode, headers);
    // As a string, Node sends head and body in one write() (a Buffer goes out as a writev of two).
    ctx.res.end(buf.toString('latin1'), 'latin1');
    return;
  }
  ctx.onDone(up.statusCode, 'upstream', plan.model);
  ctx.res.writeHead(up.statusCode, headers);
  ctx.res.flushHeaders();
  const outcome = await pipeBody(up.body as AsyncIterable<Buffer>, ctx.res, {
    sse: true,
    signal: ctx.signal,
    onFirstByte: () => {
      ctx.metrics.ttft.observe({ model: plan.model }, (performance.now() - t0) / 1000);
      span?.firstByte();
    },
    ...(span || record
      ? {
          onChunk: (chunk: Buffer) => {
            span?.chunk(chunk);
            record?.chunk(chunk);
          },
        }
      : {}),
  });
  record?.end(outcome === 'ok');
  ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome }, (performance.now() - t0) / 1000);
  span?.end(outcome);
  if (outcome === 'upstream_broken') {
    up.body.destroy();
    if (!ctx.res.destroyed) ctx.res.end(streamBrokenEvent());
    return;
  }
  if (outcome === 'client_aborted') {
    up.body.destroy();
    return;
  }
  ctx.res.end();
}

/** Write an OpenAI error JSON on a raw response. */
export function sendError(res: ServerResponse, err: HttpError, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(err.body());
  res.writeHead(err.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra, ...err.headers });
  res.end(body);
}
