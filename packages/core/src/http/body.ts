/**
 * Request bodies: JSON parsing with OpenAI-shaped errors, and reading a fetch `Request` body under a size limit.
 * @module
 */
import { HttpError, bodyTooLarge, invalidJson } from './errors.js';

/** Default largest request body, bytes (the Node server's `server.body_limit_bytes` default). */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Deepest array/object nesting accepted in a request body. Chat requests nest a few levels (tool schemas a few dozen);
 * a body nested 100,000 deep parses, but re-serialising it for the upstream would overflow the stack.
 */
export const MAX_JSON_DEPTH = 128;

/** Index of the first bracket past `max` levels of nesting (outside strings), or -1. One pass, O(length). */
export function jsonDepthExceeded(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/**
 * Parses a request body (text, or an already-parsed value). Empty → 400 `invalid_json`; bad JSON → 400 `invalid_json`;
 * nested deeper than {@link MAX_JSON_DEPTH} → 400 `json_too_deep`.
 */
export function parseJsonBody(body: unknown): unknown {
  if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) {
    throw new HttpError(400, 'The request body is empty; expected a JSON object.', 'invalid_request_error', 'invalid_json');
  }
  if (typeof body !== 'string') return body;
  const tooDeep = jsonDepthExceeded(body);
  if (tooDeep >= 0) {
    throw new HttpError(
      400,
      `The JSON body nests arrays/objects deeper than ${MAX_JSON_DEPTH} levels (at character ${tooDeep}); flatten it.`,
      'invalid_request_error',
      'json_too_deep',
    );
  }
  try {
    return JSON.parse(body);
  } catch {
    throw invalidJson();
  }
}

/** How much of an oversized body is still read (and dropped) before answering 413: a client that is still sending
 * gets its answer instead of a broken pipe (workerd closes the connection once the response is sent). */
const DRAIN_CAP = 16 * 1024 * 1024;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  try {
    for (let left = budget; left > 0; ) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing to answer
  }
}

/**
 * Reads a fetch `Request` body as UTF-8 text, at most `limit` bytes: a larger `content-length`, or a body that grows
 * past the limit while streaming (chunked, no length), is refused with 413 (after reading and dropping up to 16 MiB
 * more, so the client sees the answer).
 */
export async function readBodyText(request: Request, limit = DEFAULT_BODY_LIMIT): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await drain(reader, DRAIN_CAP);
    throw bodyTooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await drain(reader, DRAIN_CAP);
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
