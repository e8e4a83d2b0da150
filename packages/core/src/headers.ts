/**
 * Every HTTP header name semroute reads or writes, in one place. The `x-vsr-*` names are compatible with
 * vLLM Semantic Router v0.3 so existing dashboards, clients and Envoy routes keep working.
 * @module
 */

/** Frozen table of header names (all lower-case). */
export const HEADERS = Object.freeze({
  // ---- response headers (router → client), vSR-compatible ----
  /** The model that served (or would have served) the request. */
  SELECTED_MODEL: 'x-vsr-selected-model',
  /** Name of the routing decision that matched (`default` when none did). */
  SELECTED_DECISION: 'x-vsr-selected-decision',
  /** Confidence of the signal behind the decision, 0..1, 4 decimals. */
  SELECTED_CONFIDENCE: 'x-vsr-selected-confidence',
  /** Category (domain or keyword rule) behind the decision. */
  SELECTED_CATEGORY: 'x-vsr-selected-category',
  /** `on` / `off`: whether reasoning was enabled upstream. */
  SELECTED_REASONING: 'x-vsr-selected-reasoning',
  /** `upstream` | `fast_response` | `blocked` | `error` | `cache` (semroute: served by the response cache). */
  RESPONSE_PATH: 'x-vsr-response-path',
  /** `true` when the router answered itself with a fast_response plugin. */
  FAST_RESPONSE: 'x-vsr-fast-response',
  /** `true` when the answer came from the semantic response cache, `false` when the cache was consulted and missed. */
  CACHE_HIT: 'x-vsr-cache-hit',
  /** Cosine similarity (4 decimals) of the prompt to the cached prompt whose answer was served. */
  CACHE_SIMILARITY: 'x-vsr-cache-similarity',
  /** Matched keyword signals (debug only). */
  MATCHED_KEYWORDS: 'x-vsr-matched-keywords',
  /** Matched domain signals (debug only). */
  MATCHED_DOMAINS: 'x-vsr-matched-domains',
  /** Matched jailbreak signals (debug only). */
  MATCHED_JAILBREAK: 'x-vsr-matched-jailbreak',
  /** Matched PII signals (debug only). */
  MATCHED_PII: 'x-vsr-matched-pii',
  /** Matched context (token band) signals (debug only). */
  MATCHED_CONTEXT: 'x-vsr-matched-context',
  /** Matched exemplar signals (debug only). */
  MATCHED_EXEMPLARS: 'x-vsr-matched-exemplars',

  // ---- upstream request header (router → Envoy / backend) ----
  /** Envoy routes upstream on this header (vSR `x-selected-model`). */
  ENVOY_SELECTED_MODEL: 'x-selected-model',

  // ---- request headers (client → router) ----
  /** `true` adds the `x-vsr-matched-*` debug headers to the response. */
  DEBUG: 'x-vsr-debug',
  /**
   * `true` skips classification and rewriting (the body is forwarded untouched). Honoured only when the config sets
   * `global.allow_skip_processing: true`; otherwise ignored (the trace says so).
   */
  SKIP_PROCESSING: 'x-vsr-skip-processing',
  /** A decision the client (browser) already made, JSON `{"category": …, "confidence"?: …}`; see `RouteOptions.clientHint`. */
  CLIENT_DECISION: 'x-semroute-client-decision',

  // ---- semroute-specific ----
  /**
   * `partial` when the prompt was longer than `global.screening.max_chars` and only its first part was screened for
   * jailbreaks and PII (response header; set with `beyond_cap` `flag` or `allow`, and on the `block` answer).
   */
  SCREENED: 'x-semroute-screened',
  /** Classifier backend in use, e.g. `cpu`, `wasm-simd`, `none` (debug only). */
  BACKEND: 'x-semroute-backend',
  /**
   * `exceeded-default-model`: routing passed `global.limits.routing_deadline_ms` and the request went to the default
   * model without the classifier's verdict (`global.limits.on_deadline: default_model`).
   */
  DEADLINE: 'x-semroute-deadline',
  /** Whole routing time in ms (debug only). */
  ROUTE_MS: 'x-semroute-route-ms',
  /**
   * Where the category came from: `client-hint` (a trusted client hint; the domain head was skipped), `classifier`,
   * `classifier; hint=agrees|differs|ignored` (a hint was present and re-checked or ignored), or `none` (no classifier).
   */
  CATEGORY_SOURCE: 'x-semroute-category-source',
  /**
   * The session marker (`routing.session.mode: sticky`): the route the conversation is on after this turn, as
   * names and numbers (no prompt text). A client that sends it back (same header name by default, see
   * `routing.session.header`) continues the session without the router replaying earlier turns.
   */
  SESSION: 'x-semroute-session',
} as const);

/** Headers a client sends (never in a response). */
export const REQUEST_HEADERS: readonly HeaderName[] = Object.freeze([HEADERS.DEBUG, HEADERS.SKIP_PROCESSING, HEADERS.CLIENT_DECISION]);

/**
 * Response headers a browser client may read (`x-vsr-*` and `x-semroute-*`): what a server lists in
 * `access-control-expose-headers`.
 */
export const CLIENT_RESPONSE_HEADERS: readonly HeaderName[] = Object.freeze(
  (Object.values(HEADERS) as HeaderName[]).filter((h) => (h.startsWith('x-vsr-') || h.startsWith('x-semroute-')) && !REQUEST_HEADERS.includes(h)),
);

/** Any header name in {@link HEADERS}. */
export type HeaderName = (typeof HEADERS)[keyof typeof HEADERS];

/** Values of the `x-vsr-response-path` header (`HEADERS.RESPONSE_PATH`). */
export type ResponsePath = 'upstream' | 'fast_response' | 'blocked' | 'error' | 'cache';

/** Case-insensitive header lookup over a plain record (adapters pass Node's or Fetch's headers flattened). */
export function getHeader(headers: Readonly<Record<string, string | undefined>> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

/** True when a header is set to a truthy flag (`true`, `1`, `yes`, `on`). */
export function headerFlag(headers: Readonly<Record<string, string | undefined>> | undefined, name: string): boolean {
  const v = getHeader(headers, name);
  return v !== undefined && /^(true|1|yes|on)$/i.test(v.trim());
}
