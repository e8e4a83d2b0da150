/**
 * Streaming pass-through on Node's ServerResponse: forward upstream bytes as they come, respecting backpressure,
 * cutting only at SSE event boundaries (the shared {@link SseGate} of `@semroute/core/http`, which the edge fetch
 * handler uses too) so that a broken upstream can be closed with a clean error event.
 * @module
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { SseGate, type PipeOutcome } from '@semroute/core/http';

export { lastEventEnd, sseErrorEvent } from '@semroute/core/http';
export type { PipeOutcome };

async function write(res: ServerResponse, chunk: Uint8Array | string, signal: AbortSignal): Promise<void> {
  if (!res.write(chunk)) await once(res, 'drain', { signal });
}

/**
 * Pipe an upstream body to the client. With `sse`, only whole events are forwarded (a partial trailing event is
 * held back until its separator arrives), so the client never sees half an event before an error event.
 */
export async function pipeBody(
  body: AsyncIterable<Buffer>,
  res: ServerResponse,
  opts: { sse: boolean; signal: AbortSignal; onFirstByte?: () => void; onChunk?: (chunk: Buffer) => void },
): Promise<PipeOutcome> {
  let first = true;
  const gate = new SseGate();
  try {
    for await (const chunk of body) {
      if (first) {
        first = false;
        opts.onFirstByte?.();
      }
      opts.onChunk?.(chunk);
      if (!opts.sse) {
        await write(res, chunk, opts.signal);
        continue;
      }
      const out = gate.push(chunk);
      if (out) await write(res, out, opts.signal);
    }
    const rest = gate.flush();
    if (rest) await write(res, rest, opts.signal);
    return 'ok';
  } catch {
    if (opts.signal.aborted || res.destroyed) return 'client_aborted';
    return 'upstream_broken';
  }
}
