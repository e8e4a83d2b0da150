/**
 * The only place where errors become HTTP: an OpenAI-style error body `{error: {message, type, param, code}}`
 * with a status. Never a stack trace, never prompt text. Shared by the Node server and the fetch handler.
 * @module
 */
import { ClassifierError, ConfigError, DeadlineError, NoRouteError, OverloadedError, RequestError, SemrouteError } from '../errors.js';

/** The `error.type` values semroute answers with (OpenAI's names, plus `not_found_error` and `upstream_error`). */
export type OpenAIErrorType = 'invalid_request_error' | 'server_error' | 'rate_limit_error' | 'not_found_error' | 'upstream_error';

/** The JSON body of every error answer, shaped like OpenAI's: `{error: {message, type, param, code}}`. */
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

  /** The error as an OpenAI-style body (no stack, no prompt text). */
  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  /** JSON text of {@link body}. */
  json(): string {
    return JSON.stringify(this.body());
  }

  /** `e instanceof HttpError`, as a type guard. */
  static isError(e: unknown): e is HttpError {
    return e instanceof HttpError;
  }
}

/**
 * Map anything thrown while serving a request to an HttpError. Unknown errors become a generic 500.
 * (Adapters map their framework's own errors first, e.g. the Node server's fastify body-limit error.)
 */
export function toHttpError(e: unknown): HttpError {
  if (HttpError.isError(e)) return e;
  if (RequestError.isError(e)) return new HttpError(400, e.message, 'invalid_request_error', 'invalid_request', e.path || null);
  if (NoRouteError.isError(e)) return new HttpError(404, e.message, 'invalid_request_error', 'model_not_found', 'model');
  // Admission control refused it before any work: 429 + Retry-After (the client may retry).
  if (OverloadedError.isError(e)) {
    return new HttpError(429, `Too many requests: ${e.message}.`, 'rate_limit_error', 'router_overloaded', null, { 'retry-after': String(e.retryAfterSeconds) });
  }
  // Routing passed its deadline and the config refuses such requests (the message names the setting; no prompt text).
  if (DeadlineError.isError(e)) return new HttpError(503, e.message, 'server_error', 'routing_deadline_exceeded', null, { 'retry-after': '1' });
  // The classifier failed or its queue is full: transient, retry shortly (never the model's message: no prompt text).
  if (ClassifierError.isError(e)) return new HttpError(503, 'The classifier is unavailable or overloaded; retry shortly.', 'server_error', 'classifier_unavailable', null, { 'retry-after': '1' });
  if (ConfigError.isError(e)) return new HttpError(500, 'Router configuration error.', 'server_error', 'config_error');
  if (SemrouteError.isError(e)) return new HttpError(500, `Router error (${e.code}).`, 'server_error', e.code.toLowerCase());
  return new HttpError(500, 'Internal server error.', 'server_error', 'internal_error');
}

/** A 404 (`not_found`) whose message is `what`, e.g. an unknown stored response id. */
export const notFound = (what: string): HttpError => new HttpError(404, what, 'invalid_request_error', 'not_found');

/** The answer to a body over the size limit (the Node server and the fetch handler send the same). */
export const bodyTooLarge = (): HttpError => new HttpError(413, 'Request body too large.', 'invalid_request_error', 'request_too_large');

/** The answer to a body that is not JSON. */
export const invalidJson = (): HttpError => new HttpError(400, 'We could not parse the JSON body of your request.', 'invalid_request_error', 'invalid_json');

/** No backend of any plan answered (502). */
export const upstreamUnavailable = (): HttpError => new HttpError(502, 'The upstream model backend is unavailable.', 'upstream_error', 'upstream_unavailable');

/** A non-streamed upstream answer broke half-way (502). */
export const upstreamBroken = (): HttpError => new HttpError(502, 'The upstream response was interrupted.', 'upstream_error', 'upstream_broken');

/** 404 text for an unknown path (`/v1/…` names the endpoints semroute serves). */
export function unknownEndpoint(method: string, path: string): HttpError {
  const msg = path.startsWith('/v1/')
    ? `Unsupported endpoint: ${method} ${path}. semroute serves POST /v1/chat/completions and GET /v1/models.`
    : `Not found: ${method} ${path}`;
  return notFound(msg);
}
