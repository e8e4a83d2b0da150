/**
 * The only place where errors become HTTP: an OpenAI-style error body `{error: {message, type, param, code}}`
 * with a status. Never a stack trace, never prompt text.
 * @module
 */
import { ClassifierError, ConfigError, NoRouteError, RequestError, SemrouteError } from '@semroute/core';

export type OpenAIErrorType = 'invalid_request_error' | 'server_error' | 'rate_limit_error' | 'not_found_error' | 'upstream_error';

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: string | null };
}

/** An error that already knows its HTTP status and OpenAI error fields. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly type: OpenAIErrorType = status >= 500 ? 'server_error' : 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  static isError(e: unknown): e is HttpError {
    return e instanceof HttpError;
  }
}

/** Map anything thrown while serving a request to an HttpError. Unknown errors become a generic 500. */
export function toHttpError(e: unknown): HttpError {
  if (HttpError.isError(e)) return e;
  if (RequestError.isError(e)) return new HttpError(400, e.message, 'invalid_request_error', 'invalid_request', e.path || null);
  if (NoRouteError.isError(e)) return new HttpError(404, e.message, 'invalid_request_error', 'model_not_found', 'model');
  // The classifier failed or its queue is full: transient, retry shortly (never the model's message: no prompt text).
  if (ClassifierError.isError(e)) return new HttpError(503, 'The classifier is unavailable or overloaded; retry shortly.', 'server_error', 'classifier_unavailable', null, { 'retry-after': '1' });
  if (ConfigError.isError(e)) return new HttpError(500, 'Router configuration error.', 'server_error', 'config_error');
  if (SemrouteError.isError(e)) return new HttpError(500, `Router error (${e.code}).`, 'server_error', e.code.toLowerCase());
  // Fastify's own errors (body limit, bad content) carry statusCode + code.
  const fe = e as { statusCode?: unknown; code?: unknown };
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = typeof fe.code === 'string' ? fe.code : null;
    if (fe.statusCode === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return new HttpError(413, 'Request body too large.', 'invalid_request_error', 'request_too_large');
    }
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return new HttpError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error', 'invalid_json');
    }
    return new HttpError(fe.statusCode, 'Bad request.', 'invalid_request_error', code);
  }
  return new HttpError(500, 'Internal server error.', 'server_error', 'internal_error');
}

export const notFound = (what: string) => new HttpError(404, what, 'invalid_request_error', 'not_found');
