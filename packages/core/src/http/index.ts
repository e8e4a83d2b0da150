/**
 * `@semroute/core/http`: the runtime-agnostic HTTP layer of the routing proxy. Request validation, OpenAI-shaped
 * errors, block answers, route → upstream plans, classify records, CORS and SSE framing are shared by the Node
 * server (`@semroute/node-adapter`) and {@link createFetchHandler}, the `Request → Response` handler used at the
 * edge (Cloudflare Workers, Deno, Bun).
 * @module @semroute/core/http
 */
export { HttpError, toHttpError, notFound, bodyTooLarge, invalidJson, unknownEndpoint, upstreamBroken, upstreamUnavailable } from './errors.js';
export type { OpenAIErrorBody, OpenAIErrorType } from './errors.js';
export { DEFAULT_BODY_LIMIT, MAX_JSON_DEPTH, parseJsonBody, readBodyText } from './body.js';
export {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE,
  DEFAULT_CORS_ORIGINS,
  corsAnswerHeaders,
  corsPreflightHeaders,
  isApiPath,
  isOriginPattern,
  originAllowed,
} from './cors.js';
export {
  CLASSIFY_KINDS,
  MAX_CLASSIFY_TEXTS,
  blockedAnswerBody,
  checkClassifyKind,
  classificationRecord,
  classifyAnswer,
  classifyHeads,
  modelNotFound,
  parseClassifyRequest,
  parseHeads,
  routeChat,
} from './route-view.js';
export type { BlockedAnswer, ClassificationRecord, ClassifyRequest, Head, Heads, RoutedView } from './route-view.js';
export { MAX_PENDING_SSE, SseGate, lastEventEnd, sseErrorEvent, sseEventStream, streamBrokenEvent } from './sse.js';
export type { PipeOutcome } from './sse.js';
export {
  HOP_RESPONSE_HEADERS,
  backendsOf,
  chatCompletionsUrl,
  responseHeadersOf,
  responsesUrl,
  toTarget,
  upstreamRequestHeaders,
  walkPlans,
  weightedOrder,
} from './upstream.js';
export type { AttemptOutcome, BackendRefLike, LazyPlan, PlanWalk, UpstreamPlan, UpstreamTarget, WeightedTarget } from './upstream.js';
export { MemoryResponseStore, RESPONSE_ID, newResponseId } from './response-store.js';
export type { ResponseStore, StoredResponse } from './response-store.js';
export { deleteStoredResponse, getStoredResponse, handleResponses, responsesDisabled } from './responses.js';
export type { ResponsesContext } from './responses.js';
export { createFetchHandler } from './handler.js';
export { hitAnswer, jsonAnswer, probeCache, recorder } from './cache.js';
export type { AnswerRecorder } from './cache.js';
export type { EdgeLogger, FetchHandler, FetchHandlerOptions, FetchLike, LogFields, RouterState } from './handler.js';
