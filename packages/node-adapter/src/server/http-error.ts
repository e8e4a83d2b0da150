/**
 * Errors → HTTP for the Node server: the shared mapping of `@semroute/core/http` (OpenAI-style error bodies, never
 * a stack trace or prompt text), plus fastify's own client errors (body limit, bad content).
 * @module
 */
import { HttpError, bodyTooLarge, invalidJson, notFound, toHttpError as coreToHttpError } from '@semroute/core/http';

export { HttpError, notFound };
export type { OpenAIErrorBody, OpenAIErrorType } from '@semroute/core/http';

/** Map anything thrown while serving a request to an HttpError. Unknown errors become a generic 500. */
export function toHttpError(e: unknown): HttpError {
  if (HttpError.isError(e)) return e;
  // Fastify's own errors (body limit, bad content) carry statusCode + code; semroute's errors carry neither.
  const fe = e as { statusCode?: unknown; code?: unknown };
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = typeof fe.code === 'string' ? fe.code : null;
    if (fe.statusCode === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') return bodyTooLarge();
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalidJson();
    return new HttpError(fe.statusCode, 'Bad request.', 'invalid_request_error', code);
  }
  return coreToHttpError(e);
}
