/**
 * `POST /v1/responses` (and `GET` / `DELETE /v1/responses/{id}`) as a `Request`-free function returning a fetch
 * `Response`, shared by the edge handler and the Node server (which passes undici's `fetch`). The request's chat
 * view goes through the same `routeChat` as `/v1/chat/completions` (one decision path); the upstream walk is the
 * shared `walkPlans`. Each backend gets the body of the API it speaks (`api_format`): chat-only backends get the
 * rewritten chat body and their answer (JSON or SSE) is translated back into a Response (or Responses events).
 * Never logs prompt text.
 * @module
 */
import type { TrustClientHints } from '../client-hint.js';
import type { RouterConfig } from '../config/schema.js';
import { HEADERS } from '../headers.js';
import { isObj } from '../json-object.js';
import {
  ChatStreamToResponses,
  chatToResponse,
  refusalResponse,
  responsesBodyFor,
  responsesToChat,
  validateResponsesRequest,
  type ResponseIdentity,
  type ResponseObject,
  type ResponsesRequest,
} from '../openai/responses.js';
import type { Router } from '../router.js';
import { HttpError, upstreamBroken, upstreamUnavailable } from './errors.js';
import { RESPONSE_ID, newResponseId, type ResponseStore, type StoredResponse } from './response-store.js';
import { modelNotFound, routeChat, type RoutedView } from './route-view.js';
import { HOP_RESPONSE_HEADERS, upstreamRequestHeaders, walkPlans, type AttemptOutcome } from './upstream.js';

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Everything {@link handleResponses} needs for one request, supplied by the adapter (Node server or fetch handler). */
export interface ResponsesContext {
  readonly router: Router;
  /** The config for the whole request (one snapshot, even across a hot reload). */
  readonly config: RouterConfig;
  /** The client's headers, lower-case keys. */
  readonly headers: Readonly<Record<string, string>>;
  readonly trustClientHints: TrustClientHints;
  /** The store for `store` / `previous_response_id` (undefined: such requests are refused with a clear error). */
  readonly store: ResponseStore | undefined;
  readonly fetch: FetchLike;
  /** A backend's API key by its `api_key_env` name (`process.env` on Node, Worker secrets at the edge); undefined: none. */
  readonly getSecret: (name: string) => string | undefined;
  /** Upstream time to the response head, ms. */
  readonly firstByteMs: number;
  /** Upstream silence between two body chunks, ms. */
  readonly idleMs: number;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** Called once routed (metrics, the debug log line): names and numbers only. */
  readonly onRouted?: (routed: RoutedView) => void;
  /** Called when storing a response failed (the answer is still sent). */
  readonly onStoreError?: (e: unknown) => void;
}

const JSON_TYPE = 'application/json';
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** The Responses API is off in this config: the endpoint fails closed like any unknown `/v1/*` path. */
export const responsesDisabled = (): HttpError =>
  new HttpError(404, 'The Responses API is not enabled on this router (set global.services.response_api.enabled: true).', 'invalid_request_error', 'not_found');

/** The store failed (Redis down): a clear, retryable error instead of a 500. */
async function fromStore<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new HttpError(503, 'The response store is unavailable; retry shortly.', 'server_error', 'store_unavailable', null, { 'retry-after': '2' });
  }
}

const storeMissing = (): HttpError =>
  new HttpError(501, 'No response store is available here (global.services.response_api.store_backend).', 'server_error', 'store_unavailable');

function responseNotFound(id: string, param: string | null): HttpError {
  return new HttpError(404, `Response with id '${id.slice(0, 140)}' not found.`, 'invalid_request_error', 'not_found', param);
}

/** `GET /v1/responses/{id}`: the stored Response. */
export async function getStoredResponse(store: ResponseStore | undefined, id: string): Promise<Response> {
  if (!store) throw storeMissing();
  const rec = RESPONSE_ID.test(id) ? await fromStore(() => store.get(id)) : undefined;
  if (!rec) throw responseNotFound(id, null);
  return new Response(JSON.stringify(rec.response), { status: 200, headers: { 'content-type': JSON_TYPE } });
}

/** `DELETE /v1/responses/{id}`. */
export async function deleteStoredResponse(store: ResponseStore | undefined, id: string): Promise<Response> {
  if (!store) throw storeMissing();
  if (!RESPONSE_ID.test(id) || !(await fromStore(() => store.delete(id)))) throw responseNotFound(id, null);
  return new Response(JSON.stringify({ id, object: 'response', deleted: true }), { status: 200, headers: { 'content-type': JSON_TYPE } });
}

/** Reads SSE `data:` payloads of a body, one event at a time, with an idle timeout between chunks. */
async function* sseData(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('upstream idle timeout')), idleMs);
      });
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await Promise.race([reader.read(), idle]);
      } finally {
        clearTimeout(timer);
      }
      if (r.done) break;
      buf += dec.decode(r.value, { stream: true });
      for (let at = buf.search(/\r?\n\r?\n/); at >= 0; at = buf.search(/\r?\n\r?\n/)) {
        const event = buf.slice(0, at);
        buf = buf.slice(at + (buf[at] === '\r' ? 4 : 2));
        const data = event
          .split(/\r?\n/)
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(l[5] === ' ' ? 6 : 5))
          .join('\n');
        if (data) yield data;
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

const errorEvent = (seq: number, code: string, message: string): string =>
  `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: seq, code, message, param: null })}\n\n`;

/**
 * One `POST /v1/responses`. Throws {@link HttpError} (or a RequestError) for a bad request; answers upstream
 * failures as OpenAI errors with `x-vsr-response-path: error`.
 */
export async function handleResponses(body: unknown, ctx: ResponsesContext): Promise<Response> {
  const api = ctx.config.global.services.response_api;
  if (!api.enabled) throw responsesDisabled();
  const req = validateResponsesRequest(body);
  const wantStore = req.store !== false;
  if ((req.previous_response_id || (wantStore && req.store === true)) && !ctx.store) throw storeMissing();
  let prev: StoredResponse | undefined;
  if (req.previous_response_id) {
    const store = ctx.store!;
    const prevId = req.previous_response_id;
    prev = RESPONSE_ID.test(prevId) ? await fromStore(() => store.get(prevId)) : undefined;
    if (!prev) throw responseNotFound(req.previous_response_id, 'previous_response_id');
  }
  const view = responsesToChat(req, prev ? [...prev.items, ...prev.response.output] : []);
  const routed = await routeChat(ctx.router, view.chat, ctx.headers, ctx.trustClientHints, ctx.config, prev ? { session: prev.session } : {});
  ctx.onRouted?.(routed);
  const turns = view.chat.messages.filter((m) => m.role === 'user').length;
  const id = newResponseId();
  const createdAt = Math.floor(Date.now() / 1000);
  const stream = req.stream === true;
  const remember = async (response: ResponseObject): Promise<void> => {
    if (!wantStore || !ctx.store) return;
    try {
      await ctx.store.put(id, { response, items: view.items, session: routed.session, turns }, api.ttl_seconds);
    } catch (e) {
      ctx.onStoreError?.(e);
    }
  };

  if (routed.blocked) {
    const d = routed.decision;
    const who: ResponseIdentity = { id, createdAt, model: 'router' };
    const r = refusalResponse(req, who, d.blocked!.message, d.blocked!.reason !== 'fast_response');
    await remember(r.json);
    const headers: Record<string, string> = { ...routed.blocked.headers, ...(stream ? SSE_HEADERS : { 'content-type': JSON_TYPE }) };
    return new Response(stream ? r.sse : JSON.stringify(r.json), { status: routed.blocked.status, headers });
  }
  if (routed.plans.length === 0) throw modelNotFound(routed.model);

  const walk = await walkPlans<Response>(ctx.config, routed.plans, async (plan, target): Promise<AttemptOutcome<Response>> => {
    if (ctx.signal.aborted) throw new HttpError(499, 'client closed the request', 'invalid_request_error', 'client_closed');
    const native = target.apiFormat === 'openai_responses';
    const payload = native ? JSON.stringify(responsesBodyFor(req, view, plan.request ?? (JSON.parse(plan.body) as never))) : plan.body;
    const ac = new AbortController();
    const onAbort = () => ac.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ac.abort(new DOMException('first byte timeout', 'TimeoutError')), ctx.firstByteMs);
    try {
      const res = await ctx.fetch(native ? target.responsesUrl : target.url, { method: 'POST', headers: upstreamRequestHeaders(ctx.headers, plan, target, ctx.getSecret), body: payload, signal: ac.signal });
      if (res.status >= 500) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, reason: `status_${res.status}` };
      }
      // remember which API answered, for the translation below
      return { ok: true, value: Object.assign(res, { semrouteNative: native }) };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      const err = e as { name?: unknown };
      return { ok: false, reason: err?.name === 'TimeoutError' || err?.name === 'AbortError' ? 'timeout' : 'error' };
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  });
  if (!walk.got) {
    const e = upstreamUnavailable();
    return new Response(e.json(), { status: e.status, headers: { 'content-type': JSON_TYPE, ...(walk.primary?.responseHeaders ?? {}), [HEADERS.RESPONSE_PATH]: 'error' } });
  }
  const up = walk.got.value as Response & { semrouteNative: boolean };
  const plan = walk.got.plan;
  const headers = new Headers();
  up.headers.forEach((v, k) => {
    if (!HOP_RESPONSE_HEADERS.has(k) && k !== 'content-type') headers.set(k, v);
  });
  for (const [k, v] of Object.entries(plan.responseHeaders)) headers.set(k, v);
  headers.set(HEADERS.RESPONSE_PATH, 'upstream');
  const isSse = (up.headers.get('content-type') ?? '').includes('text/event-stream');
  const who: ResponseIdentity = { id, createdAt, model: plan.request?.model ?? plan.model };

  const broken = (): Response => {
    const e = upstreamBroken();
    return new Response(e.json(), { status: e.status, headers: { 'content-type': JSON_TYPE, ...plan.responseHeaders, [HEADERS.RESPONSE_PATH]: 'error' } });
  };
  if (up.status >= 400 || (!isSse && !stream)) {
    let text: string;
    try {
      text = await up.text();
    } catch {
      if (ctx.signal.aborted) throw new HttpError(499, 'client closed the request', 'invalid_request_error', 'client_closed');
      return broken();
    }
    headers.set('content-type', up.headers.get('content-type') ?? JSON_TYPE);
    if (up.status >= 400) return new Response(text, { status: up.status, headers });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return broken();
    }
    const response = up.semrouteNative ? adoptNative(parsed, req, who) : chatToResponse(req, who, parsed);
    await remember(response);
    headers.set('content-type', JSON_TYPE);
    return new Response(JSON.stringify(response), { status: 200, headers });
  }

  // A stream: Responses events, translated from chat chunks or passed through (ids made the router's).
  for (const [k, v] of Object.entries(SSE_HEADERS)) headers.set(k, v);
  const enc = new TextEncoder();
  const source = up.body!;
  const nonStreamed = !isSse;
  let cancelled = false;
  const out = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (s: string) => {
        if (s && !cancelled) controller.enqueue(enc.encode(s));
      };
      const close = () => {
        if (!cancelled) controller.close();
      };
      let seq = 0;
      try {
        if (up.semrouteNative) {
          for await (const data of sseData(source, ctx.idleMs)) {
            if (data === '[DONE]') continue;
            let ev: Record<string, unknown>;
            try {
              ev = JSON.parse(data) as Record<string, unknown>;
            } catch {
              continue;
            }
            if (ev.response && typeof ev.response === 'object') {
              ev.response = adoptNative(ev.response, req, who);
              // stored before the client sees the end, so its next request can continue it at once
              if (ev.type === 'response.completed' || ev.type === 'response.incomplete') await remember(ev.response as ResponseObject);
            }
            seq = typeof ev.sequence_number === 'number' ? ev.sequence_number + 1 : seq + 1;
            send(`event: ${String(ev.type)}\ndata: ${JSON.stringify(ev)}\n\n`);
            if (cancelled) break;
          }
        } else {
          const tr = new ChatStreamToResponses(req, who);
          send(tr.start());
          if (nonStreamed) {
            // the backend answered one JSON document although we asked for a stream
            const doc = chatToResponse(req, who, JSON.parse(await new Response(source).text()));
            const msg = doc.output.find((o) => o.type === 'message') as { content?: { text?: string }[] } | undefined;
            send(tr.push({ choices: [{ index: 0, delta: { content: msg?.content?.[0]?.text ?? '' }, finish_reason: 'stop' }] }));
          } else {
            for await (const data of sseData(source, ctx.idleMs)) {
              if (data === '[DONE]') continue;
              let chunk: unknown;
              try {
                chunk = JSON.parse(data);
              } catch {
                continue; // a malformed chunk is skipped, as OpenAI clients do
              }
              send(tr.push(chunk));
              if (cancelled) break;
            }
          }
          const end = tr.finish();
          await remember(tr.response!);
          send(end);
        }
        close();
      } catch {
        if (cancelled || ctx.signal.aborted) return close();
        send(errorEvent(seq, 'upstream_stream_broken', 'The upstream stream was interrupted.'));
        close();
      }
    },
    cancel() {
      cancelled = true;
    },
  });
  return new Response(out, { status: 200, headers });
}

/** A Response from a backend that speaks Responses, made the router's: its id, the client's chain and store flag. */
function adoptNative(value: unknown, req: ResponsesRequest, who: ResponseIdentity): ResponseObject {
  const r = isObj(value) ? value : {};
  return {
    ...r,
    id: who.id,
    created_at: typeof r.created_at === 'number' ? r.created_at : who.createdAt,
    output: Array.isArray(r.output) ? (r.output as ResponseObject['output']) : [],
    previous_response_id: req.previous_response_id ?? null,
    store: req.store ?? true,
    ...(typeof req.instructions === 'string' ? { instructions: req.instructions } : {}),
  };
}
