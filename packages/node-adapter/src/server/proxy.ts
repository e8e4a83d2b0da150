/**
 * POST /v1/chat/completions: parse, call the core's `route()`, answer blocks, forward the rewritten body to the
 * chosen model's backends (weighted, one retry on another backend, then the decision's fallback model), and pass
 * the upstream answer back (SSE without buffering) with the `x-vsr-*` headers. No routing decisions here.
 * @module
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { HEADERS, type RouterConfig } from '@semroute/core';
import { HttpError } from './http-error.js';
import type { Metrics } from './metrics.js';
import { pipeBody, sseErrorEvent } from './sse.js';
import { toTarget, weightedOrder, type BackendRef, type Upstream, type UpstreamTarget } from './upstream.js';

/** One upstream plan: a model, the body to send it, and the headers to add. */
export interface UpstreamPlan {
  model: string;
  body: string;
  headers: Record<string, string>;
  /** Header names to remove from the upstream request (header_mutation delete). */
  remove: string[];
  /** Response headers for the client when this plan serves the request. */
  responseHeaders: Record<string, string>;
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'upgrade', 'trailer', 'te', 'proxy-connection']);

/** Backends of a model in the config, as call targets (cached per config object). */
const targetCache = new WeakMap<object, Map<string, UpstreamTarget[]>>();
export function backendsOf(config: RouterConfig, model: string): UpstreamTarget[] {
  let m = targetCache.get(config);
  if (!m) {
    m = new Map();
    for (const mc of config.providers.models) {
      m.set(mc.name, (mc.backend_refs as readonly BackendRef[]).map((r, i) => ({ ...toTarget(r, i), weight: r.weight ?? 1 })));
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
}

type Attempt =
  | { kind: 'response'; res: Dispatcher.ResponseData; target: UpstreamTarget; plan: UpstreamPlan; t0: number }
  | { kind: 'failed'; reason: string };

async function attempt(ctx: ForwardContext, plan: UpstreamPlan, target: UpstreamTarget): Promise<Attempt> {
  const t0 = performance.now();
  try {
    const res = await ctx.upstream.send(target, plan.body, ctx.clientHeaders, plan.headers, plan.remove, ctx.signal);
    if (res.statusCode >= 500) {
      await res.body.dump().catch(() => {});
      ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: 'error' }, (performance.now() - t0) / 1000);
      return { kind: 'failed', reason: `status_${res.statusCode}` };
    }
    return { kind: 'response', res, target, plan, t0 };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: 'error' }, (performance.now() - t0) / 1000);
    const code = (e as { code?: unknown }).code;
    return { kind: 'failed', reason: typeof code === 'string' ? code.toLowerCase() : 'error' };
  }
}

/**
 * Try the plans in order: up to two backends (weighted order) of the first plan's model, then each fallback
 * plan's backends. Streams the first successful answer to the client.
 */
export async function forward(ctx: ForwardContext, plans: readonly (UpstreamPlan | (() => UpstreamPlan))[]): Promise<void> {
  let tries = 0;
  let lastReason = 'no_backend';
  let got: Extract<Attempt, { kind: 'response' }> | undefined;
  let primary: UpstreamPlan | undefined;
  outer: for (let p = 0; p < plans.length; p++) {
    const lazy = plans[p]!;
    const plan = typeof lazy === 'function' ? lazy() : lazy;
    if (p === 0) primary = plan;
    const targets = weightedOrder(backendsOf(ctx.config, plan.model) as (UpstreamTarget & { weight: number })[]);
    // primary model: one retry on another backend; fallback models: their first two backends as well
    for (const target of targets.slice(0, 2)) {
      if (tries++ > 0) ctx.metrics.upstreamRetries.inc({ reason: lastReason });
      const a = await attempt(ctx, plan, target);
      if (a.kind === 'response') {
        got = a;
        break outer;
      }
      lastReason = a.reason;
    }
  }
  if (!got) {
    const err = new HttpError(502, 'The upstream model backend is unavailable.', 'upstream_error', 'upstream_unavailable');
    ctx.onDone(502, 'error', primary?.model ?? '');
    sendError(ctx.res, err, { ...(primary?.responseHeaders ?? {}), [HEADERS.RESPONSE_PATH]: 'error' });
    return;
  }
  const { res: up, plan, target, t0 } = got;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
  Object.assign(headers, plan.responseHeaders);
  headers[HEADERS.RESPONSE_PATH] = 'upstream';
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
      ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: ctx.signal.aborted ? 'client_aborted' : 'upstream_broken' }, (performance.now() - t0) / 1000);
      if (ctx.signal.aborted) return;
      ctx.onDone(502, 'error', plan.model);
      sendError(ctx.res, new HttpError(502, 'The upstream response was interrupted.', 'upstream_error', 'upstream_broken'), { ...plan.responseHeaders, [HEADERS.RESPONSE_PATH]: 'error' });
      return;
    }
    const dt = (performance.now() - t0) / 1000;
    ctx.metrics.ttft.observe({ model: plan.model }, dt);
    ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome: 'ok' }, dt);
    ctx.onDone(up.statusCode, 'upstream', plan.model);
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
    onFirstByte: () => ctx.metrics.ttft.observe({ model: plan.model }, (performance.now() - t0) / 1000),
  });
  ctx.metrics.upstreamLatency.observe({ model: plan.model, backend: target.name, outcome }, (performance.now() - t0) / 1000);
  if (outcome === 'upstream_broken') {
    up.body.destroy();
    if (!ctx.res.destroyed) ctx.res.end(sseErrorEvent('The upstream stream was interrupted.', 'upstream_stream_broken'));
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
