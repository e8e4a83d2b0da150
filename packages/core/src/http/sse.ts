/**
 * SSE pass-through framing shared by the Node server and the fetch handler: forward upstream bytes as they come,
 * but cut only at event boundaries, so that a broken upstream can be closed with a clean error event.
 * @module
 */

/** Largest partial SSE event held back while waiting for its separator. */
export const MAX_PENDING_SSE = 1 << 20;

/** Index just past the last SSE event separator (`\n\n` or `\r\n\r\n`) in buf, or 0 when there is none. */
export function lastEventEnd(buf: Uint8Array): number {
  for (let i = buf.length - 1; i >= 1; i--) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i - 1] === 0x0a) return i + 1;
    if (i >= 3 && buf[i - 1] === 0x0d && buf[i - 2] === 0x0a && buf[i - 3] === 0x0d) return i + 1;
  }
  return 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

/**
 * Holds back a trailing partial event. `push(chunk)` returns the bytes to forward now (whole events; or, past
 * {@link MAX_PENDING_SSE}, an oversized event as it comes), `flush()` what is left when the stream ends.
 */
export class SseGate {
  #pending: Uint8Array | undefined;

  /** Takes the next upstream chunk; returns the bytes to forward now (undefined when everything is held back). */
  push(chunk: Uint8Array): Uint8Array | undefined {
    const buf = this.#pending ? concat(this.#pending, chunk) : chunk;
    const end = lastEventEnd(buf);
    if (end === 0) {
      if (buf.byteLength <= MAX_PENDING_SSE) {
        this.#pending = buf;
        return undefined;
      }
      // An event larger than the cap: forward it as it comes rather than buffer without bound.
      this.#pending = undefined;
      return buf;
    }
    this.#pending = end < buf.byteLength ? buf.subarray(end) : undefined;
    return end === buf.byteLength ? buf : buf.subarray(0, end);
  }

  /** The held-back remainder at the end of the stream (undefined when none). */
  flush(): Uint8Array | undefined {
    const p = this.#pending;
    this.#pending = undefined;
    return p?.byteLength ? p : undefined;
  }
}

/** The SSE event that ends a stream whose upstream broke: an OpenAI-style error object, then `[DONE]`. */
export function sseErrorEvent(message: string, code: string): string {
  return `data: ${JSON.stringify({ error: { message, type: 'upstream_error', param: null, code } })}\n\ndata: [DONE]\n\n`;
}

/** The event that ends a stream whose upstream broke or went idle. */
export const streamBrokenEvent = (): string => sseErrorEvent('The upstream stream was interrupted.', 'upstream_stream_broken');

/** How a forwarded stream ended: upstream finished, the client went away, or the upstream broke or went idle. */
export type PipeOutcome = 'ok' | 'client_aborted' | 'upstream_broken';

/**
 * A Web stream that forwards an upstream SSE body event by event (pull-driven, so the client's pace is the
 * upstream's), ends a broken upstream with {@link sseErrorEvent}, cancels the upstream when the client goes away,
 * and arms an idle timeout between chunks. `onData` sees every forwarded chunk (the response cache records a
 * streamed answer with it); `onEnd` reports the outcome once.
 */
export function sseEventStream(
  upstream: ReadableStream<Uint8Array>,
  opts: { idleMs?: number; onFirstByte?: () => void; onData?: (bytes: Uint8Array) => void; onEnd?: (outcome: PipeOutcome) => void } = {},
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const gate = new SseGate();
  const enc = new TextEncoder();
  let first = true;
  let ended = false;
  const end = (o: PipeOutcome) => {
    if (ended) return;
    ended = true;
    opts.onEnd?.(o);
  };
  const readWithIdle = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    if (!opts.idleMs) return reader.read();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('upstream idle timeout')), opts.idleMs);
    });
    try {
      return await Promise.race([reader.read(), idle]);
    } finally {
      clearTimeout(timer);
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await readWithIdle();
          if (done) {
            const rest = gate.flush();
            if (rest) {
              opts.onData?.(rest);
              controller.enqueue(rest);
            }
            controller.close();
            end('ok');
            return;
          }
          if (first) {
            first = false;
            opts.onFirstByte?.();
          }
          const out = gate.push(value);
          if (out) {
            opts.onData?.(out);
            controller.enqueue(out);
            return;
          }
        }
      } catch {
        reader.cancel().catch(() => undefined);
        if (ended) return;
        controller.enqueue(enc.encode(streamBrokenEvent()));
        controller.close();
        end('upstream_broken');
      }
    },
    cancel() {
      end('client_aborted');
      return reader.cancel().catch(() => undefined);
    },
  });
}
