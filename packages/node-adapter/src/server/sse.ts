/**
 * Streaming pass-through helpers: forward upstream bytes to the client as they come, respecting backpressure,
 * cutting only at SSE event boundaries so that a broken upstream can be closed with a clean error event.
 * @module
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

/** Largest partial SSE event held back while waiting for its separator. */
const MAX_PENDING = 1 << 20;

export type PipeOutcome = 'ok' | 'client_aborted' | 'upstream_broken';

/** Index just past the last SSE event separator (`\n\n` or `\r\n\r\n`) in buf, or 0 when there is none. */
export function lastEventEnd(buf: Buffer): number {
  const a = buf.lastIndexOf('\n\n');
  const b = buf.lastIndexOf('\r\n\r\n');
  return Math.max(a < 0 ? 0 : a + 2, b < 0 ? 0 : b + 4);
}

async function write(res: ServerResponse, chunk: Buffer | string, signal: AbortSignal): Promise<void> {
  if (!res.write(chunk)) await once(res, 'drain', { signal });
}

/**
 * Pipe an upstream body to the client. With `sse`, only whole events are forwarded (a partial trailing event is
 * held back until its separator arrives), so the client never sees half an event before an error event.
 */
export async function pipeBody(
  body: AsyncIterable<Buffer>,
  res: ServerResponse,
  opts: { sse: boolean; signal: AbortSignal; onFirstByte?: () => void },
): Promise<PipeOutcome> {
  let first = true;
  let pending: Buffer | undefined;
  try {
    for await (const chunk of body) {
      if (first) {
        first = false;
        opts.onFirstByte?.();
      }
      if (!opts.sse) {
        await write(res, chunk, opts.signal);
        continue;
      }
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      const end = lastEventEnd(buf);
      if (end === 0) {
        if (buf.length <= MAX_PENDING) {
          pending = buf;
          continue;
        }
        // An event larger than the cap: forward it as it comes rather than buffer without bound.
        pending = undefined;
        await write(res, buf, opts.signal);
        continue;
      }
      pending = end < buf.length ? buf.subarray(end) : undefined;
      await write(res, end === buf.length ? buf : buf.subarray(0, end), opts.signal);
    }
    if (pending?.length) await write(res, pending, opts.signal);
    return 'ok';
  } catch {
    if (opts.signal.aborted || res.destroyed) return 'client_aborted';
    return 'upstream_broken';
  }
}

/** The SSE event that ends a stream whose upstream broke: an OpenAI-style error object, then `[DONE]`. */
export function sseErrorEvent(message: string, code: string): string {
  return `data: ${JSON.stringify({ error: { message, type: 'upstream_error', param: null, code } })}\n\ndata: [DONE]\n\n`;
}
