/**
 * OpenTelemetry traces of the server, off unless the standard OTLP environment variables ask for them.
 *
 * This module holds what the server calls (the {@link Tracing} / {@link RequestTrace} interfaces) and the checks of
 * the `OTEL_*` variables; the SDK lives in `./otel.ts` and is imported only when tracing is on. A server started
 * without `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` loads no OpenTelemetry code, registers
 * no hook, and pays one `undefined` check per traced step.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseJsonBody, type RoutedView } from '@semroute/core/http';
import type { Logger } from '../router-host.js';

/** Attribute values a span takes (names, numbers, flags: never prompt text unless content capture is opted in). */
export type TraceAttributes = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** Names of the spans a request trace holds (the README lists them with their attributes). */
export const SPAN = Object.freeze({
  parseBody: 'semroute.parse_body',
  route: 'semroute.route',
  extract: 'semroute.extract',
  classify: 'semroute.classify',
  tokenize: 'semroute.tokenize',
  queue: 'semroute.queue',
  infer: 'semroute.infer',
  postprocess: 'semroute.postprocess',
  decide: 'semroute.decide',
  rewrite: 'semroute.rewrite',
  /** For a response cache: `trace.stage(SPAN.cacheLookup, start, end, {'semroute.cache.hit': …})`. */
  cacheLookup: 'semroute.cache.lookup',
});

/** One request's server span, started by {@link Tracing.startRequest}. Times are `performance.now()` values. */
export interface RequestTrace {
  /** A finished step as a child span (body parse, cache lookup …); `errorCode` marks it failed. */
  stage(name: string, start: number, end: number, attributes?: TraceAttributes, errorCode?: string): void;
  /**
   * The core's routing of the request ran from `start` to `end`: a route span with extract / classify (tokenize,
   * queue, infer, postprocess when the classifier measured them) / decide / rewrite children laid out from the
   * durations the core measured, and the decision's attributes. `request` is the client's parsed body (for the
   * `gen_ai.request.*` parameters of the upstream spans); `backend` the classifier's execution provider.
   */
  routed(view: RoutedView, request: unknown, backend: string, start: number, end: number): void;
  /** One call to one backend (a CLIENT span, child of the server span). */
  upstream(call: UpstreamCall): UpstreamTrace;
  /** The request failed with this OpenAI error code (`invalid_json`, `not_ready` …: a code, never a message). */
  fail(code: string): void;
  /**
   * End the server span with the HTTP status sent (0: not known, as in ext_proc, where Envoy forwards the request);
   * `finished`: false when the client went away first. Idempotent.
   */
  end(status: number, finished?: boolean): void;
  /** `traceparent` / `tracestate` naming this request's server span (for ext_proc's upstream request). */
  readonly headers: Readonly<Record<string, string>>;
}

/** One upstream request as its span describes it. */
export interface UpstreamCall {
  /** The body sent (JSON text): its `model` is the span's `gen_ai.request.model`. */
  readonly body: string;
  readonly url: string;
  /** The configured model's name (`semroute.model`), when the caller knows it. */
  readonly model?: string;
  /** The backend_ref's name (`semroute.backend`), when the caller knows it. */
  readonly backend?: string;
}

/** One upstream call. */
export interface UpstreamTrace {
  /** `traceparent` / `tracestate` of this call's span: sent upstream instead of the client's. */
  readonly headers: Readonly<Record<string, string>>;
  /** The response head arrived. */
  responded(status: number): void;
  /** The first byte of a streamed body arrived (time to first token). */
  firstByte(): void;
  /** A chunk of a streamed body: the last few KiB are kept to read the model, usage and finish reasons at the end. */
  chunk(data: Uint8Array): void;
  /** The whole non-streamed body (read for model, usage and finish reasons). */
  body(data: Uint8Array): void;
  /** The call ended: `ok`, or why not (`status_502`, `econnrefused`, `upstream_broken`, `client_aborted` …). Idempotent. */
  end(outcome: string): void;
}

/** The tracer of a server: one per process, built from the environment by {@link startTracing}. */
export interface Tracing {
  /** Start a request's server span; the client's `traceparent` (and `tracestate`) in `headers` makes it a child. */
  startRequest(init: {
    method: string;
    path: string;
    /** Route pattern (`/v1/chat/completions`), when the request matched one. */
    route?: string;
    headers: IncomingHttpHeaders | Readonly<Record<string, string>>;
    startTime: number;
    /** `ext_proc`: the request came through Envoy's external processor (gRPC) rather than the HTTP proxy. */
    via?: 'http' | 'ext_proc';
  }): RequestTrace;
  /** Export what is buffered now (tests, shutdown). */
  forceFlush(): Promise<void>;
  /** Flush and stop exporting. */
  shutdown(): Promise<void>;
}

/**
 * parseJsonBody with a body-parse span from `start` (the body's arrival) to the end of the JSON parse. A failure
 * marks the span with its error code only: no message (a JSON parser's message can quote the body).
 */
export function parseBodyTraced(trace: RequestTrace, body: unknown, start: number): unknown {
  const attributes = { 'http.request.body.size': typeof body === 'string' ? Buffer.byteLength(body) : 0 };
  try {
    const parsed = parseJsonBody(body);
    trace.stage(SPAN.parseBody, start, performance.now(), attributes);
    return parsed;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    trace.stage(SPAN.parseBody, start, performance.now(), attributes, typeof code === 'string' ? code : 'invalid_json');
    throw e;
  }
}

/** What the `OTEL_*` variables select. */
export interface TracingSettings {
  /** OTLP/HTTP encoding: `http/protobuf` (default) or `http/json`. */
  protocol: 'http/protobuf' | 'http/json';
  /** `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`: put the messages on the upstream spans (off by default). */
  captureContent: boolean;
}

/** A bad `OTEL_*` value: names the variable, the value and what is accepted. */
export class TracingConfigError extends Error {
  constructor(variable: string, value: string, accepted: string) {
    super(`${variable}=${JSON.stringify(value)} is not supported: ${accepted}`);
    this.name = 'TracingConfigError';
  }
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

type Env = Readonly<Record<string, string | undefined>>;

function get(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function flag(env: Env, name: string): boolean {
  const v = get(env, name)?.toLowerCase();
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new TracingConfigError(name, env[name]!, 'use true or false');
}

function checkUrl(env: Env, name: string): void {
  const v = get(env, name);
  if (v === undefined) return;
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(v).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new TracingConfigError(name, v, 'give an http:// or https:// URL of an OTLP/HTTP receiver, e.g. http://127.0.0.1:4318');
}

/**
 * Read the `OTEL_*` variables: undefined when tracing is off (no OTLP endpoint set, `OTEL_SDK_DISABLED=true`, or
 * `OTEL_TRACES_EXPORTER=none`). Throws {@link TracingConfigError} for a value semroute cannot honour. The exporter
 * (endpoint, headers, timeout, compression), the sampler and the resource read their variables themselves, as the
 * OpenTelemetry SDK defines them; they are checked here only so that a typo fails at startup, not silently.
 */
export function tracingSettingsFromEnv(env: Env = process.env): TracingSettings | undefined {
  if (flag(env, 'OTEL_SDK_DISABLED')) return undefined;
  const exporter = get(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter === 'none') return undefined;
  if (!get(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') && !get(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')) return undefined;
  if (exporter !== undefined && exporter !== 'otlp') throw new TracingConfigError('OTEL_TRACES_EXPORTER', env.OTEL_TRACES_EXPORTER!, 'semroute exports traces over OTLP only: use otlp or none');
  checkUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  checkUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const protocolVar = get(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = get(env, protocolVar) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new TracingConfigError(protocolVar, protocol, 'semroute speaks OTLP over HTTP: use http/protobuf (default) or http/json (for gRPC, put an OpenTelemetry Collector in between)');
  }
  const sampler = get(env, 'OTEL_TRACES_SAMPLER');
  if (sampler !== undefined && !SAMPLERS.includes(sampler)) throw new TracingConfigError('OTEL_TRACES_SAMPLER', sampler, `use one of ${SAMPLERS.join(', ')}`);
  const ratio = get(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (ratio !== undefined && sampler?.endsWith('traceidratio')) {
    const r = Number(ratio);
    if (!Number.isFinite(r) || r < 0 || r > 1) throw new TracingConfigError('OTEL_TRACES_SAMPLER_ARG', ratio, 'give the sampled fraction, a number from 0 to 1');
  }
  return { protocol, captureContent: flag(env, 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') };
}

/**
 * The server's tracer when the environment asks for traces, else undefined (and no OpenTelemetry module is loaded).
 * Throws {@link TracingConfigError} for a bad `OTEL_*` value.
 */
export async function startTracing(log?: Logger): Promise<Tracing | undefined> {
  // process.env only: the SDK's exporter, sampler and resource read it too, so the two can never disagree.
  const settings = tracingSettingsFromEnv(process.env);
  if (!settings) return undefined;
  const { createOtelTracing } = await import('./otel.js');
  return createOtelTracing(settings, log);
}
