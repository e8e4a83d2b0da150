/**
 * A traced `fetch` for the core's fetch-based handlers (the Responses API): each call gets a CLIENT span whose
 * context replaces the client's `traceparent` upstream, and the answer's body is observed on its way to the handler
 * (first byte, then the SSE tail or the whole JSON for model / usage) without changing what the handler reads.
 * @module
 */
import type { FetchLike } from '@semroute/core/http';
import type { RequestTrace } from './tracing.js';

const reason = (e: unknown): string => {
  const code = (e as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (e as { code?: unknown })?.code;
  if (typeof code === 'string') return code.toLowerCase();
  const name = (e as { name?: unknown })?.name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'error';
};

export function tracedFetch(fetch: FetchLike, trace: RequestTrace, signal: AbortSignal): FetchLike {
  return async (url, init) => {
    const span = trace.upstream({ body: typeof init.body === 'string' ? init.body : '', url });
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...span.headers } });
    } catch (e) {
      span.end(signal.aborted ? 'client_aborted' : reason(e));
      throw e;
    }
    span.responded(res.status);
    if (res.status >= 500 || !res.body) {
      span.end(res.status >= 500 ? `status_${res.status}` : 'ok');
      return res;
    }
    const sse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
    const whole: Uint8Array[] = [];
    let first = true;
    const reader = res.body.getReader();
    const observed = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let r: Awaited<ReturnType<typeof reader.read>>;
        try {
          r = await reader.read();
        } catch (e) {
          span.end(signal.aborted ? 'client_aborted' : 'upstream_broken');
          controller.error(e);
          return;
        }
        if (r.done) {
          if (!sse) span.body(Buffer.concat(whole));
          span.end('ok');
          controller.close();
          return;
        }
        if (first && sse) span.firstByte();
        first = false;
        if (sse) span.chunk(r.value);
        else whole.push(r.value);
        controller.enqueue(r.value);
      },
      cancel(why) {
        span.end(signal.aborted ? 'client_aborted' : 'cancelled');
        return reader.cancel(why);
      },
    });
    return new Response(observed, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
