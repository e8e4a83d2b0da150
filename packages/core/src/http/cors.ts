/**
 * CORS for the API paths (`/v1/*`, `/api/v1/*`), shared by the Node server and the fetch handler: which origins
 * may call, and the headers a preflight and an answer carry.
 * @module
 */
import { CLIENT_RESPONSE_HEADERS, HEADERS } from '../headers.js';

/** Default CORS origins: pages served from this machine's loopback (a playground dev server), nothing else. */
export const DEFAULT_CORS_ORIGINS: readonly string[] = Object.freeze(['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*']);

/** `access-control-allow-methods` of a preflight answer. */
export const CORS_ALLOW_METHODS = 'GET, POST';
/** `access-control-allow-headers` of a preflight answer: content type, authorization and semroute's request headers. */
export const CORS_ALLOW_HEADERS = ['content-type', 'authorization', HEADERS.CLIENT_DECISION, HEADERS.DEBUG, HEADERS.SESSION].join(', ');
/** `access-control-expose-headers` of an answer: the routing headers a page may read, and `retry-after`. */
export const CORS_EXPOSE_HEADERS = [...CLIENT_RESPONSE_HEADERS, 'retry-after'].join(', ');
/** `access-control-max-age` of a preflight answer, in seconds. */
export const CORS_MAX_AGE = '600';

/** True for the paths CORS applies to: `/v1/*` and `/api/v1/*`. */
export const isApiPath = (path: string): boolean => path.startsWith('/v1/') || path.startsWith('/api/v1/');

/** `*`, or `scheme://host[:port]` with `*` allowed as the port (no path, no trailing slash). */
export function isOriginPattern(o: string): boolean {
  return o === '*' || /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:(\d{1,5}|\*))?$/.test(o);
}

/** True when a browser `Origin` is allowed by `patterns`, or is the server's own origin (`host` = the request's Host header). */
export function originAllowed(origin: string, host: string | undefined, patterns: readonly string[]): boolean {
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
  for (const p of patterns) {
    if (p === '*' || p === origin) return true;
    if (!p.endsWith(':*')) continue;
    if (origin === p.slice(0, -2) || (origin.startsWith(p.slice(0, -1)) && /^\d{1,5}$/.test(origin.slice(p.length - 1)))) return true;
  }
  return false;
}

/** Headers every answer on an API path carries for this `Origin` (none without an Origin; only `vary` for a disallowed one). */
export function corsAnswerHeaders(origin: string | null | undefined, host: string | undefined, patterns: readonly string[]): Record<string, string> {
  if (typeof origin !== 'string') return {};
  if (!originAllowed(origin, host, patterns)) return { vary: 'Origin' };
  return { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS };
}

/** Extra headers of a 204 preflight answer (none for a disallowed origin: the browser then refuses the real request). */
export function corsPreflightHeaders(origin: string | null | undefined, host: string | undefined, patterns: readonly string[]): Record<string, string> {
  if (typeof origin !== 'string' || !originAllowed(origin, host, patterns)) return {};
  return { 'access-control-allow-methods': CORS_ALLOW_METHODS, 'access-control-allow-headers': CORS_ALLOW_HEADERS, 'access-control-max-age': CORS_MAX_AGE };
}
