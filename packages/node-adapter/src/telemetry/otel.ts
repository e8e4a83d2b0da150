/**
 * The OpenTelemetry side of {@link Tracing}: an SDK tracer provider (batch span processor, OTLP/HTTP exporter in
 * protobuf or JSON, resource from `OTEL_SERVICE_NAME` / `OTEL_RESOURCE_ATTRIBUTES`, sampler from
 * `OTEL_TRACES_SAMPLER`), the W3C trace-context propagator, and the spans of one request. Imported by
 * `startTracing()` only when tracing is on. Nothing is registered globally: the server's spans carry their parent
 * context explicitly, so an application embedding semroute keeps its own global OpenTelemetry setup.
 *
 * Privacy: span names and attributes hold names (decisions, categories, models, PII entity types), numbers and
 * codes. Prompt and answer text appear only with `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, and
 * exception messages are never recorded (a JSON parser's message can quote the body).
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type HrTime,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator, hrTime, setGlobalErrorHandler } from '@opentelemetry/core';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { RoutedView } from '@semroute/core/http';
import type { Logger } from '../router-host.js';
import { StreamTail, inputMessages, outputMessages, summarizeJson, summarizeSse, type ResponseSummary } from './genai.js';
import { SPAN, type RequestTrace, type TraceAttributes, type Tracing, type TracingSettings, type UpstreamCall, type UpstreamTrace } from './tracing.js';

/**
 * GenAI attribute names (OpenTelemetry semantic conventions, GenAI spans, latest experimental version: `provider.name`
 * replaced `system` after v1.36). Written out rather than imported from the package's `incubating` entry point,
 * which may rename them in a minor release.
 */
export const GEN_AI = Object.freeze({
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
});

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const SCOPE = '@semroute/node-adapter';

async function exporterFor(protocol: TracingSettings['protocol']): Promise<SpanExporter> {
  // Both read OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT / _HEADERS / _TIMEOUT / _COMPRESSION themselves.
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}

/** Export failures are logged as a warning at most once a minute (a collector that is down must not flood the log). */
function throttledWarn(log: Logger | undefined): (err: unknown) => void {
  let last = -Infinity;
  let dropped = 0;
  return (err) => {
    const t = performance.now();
    if (t - last < 60_000) {
      dropped++;
      return;
    }
    last = t;
    const message = err instanceof Error ? err.message : String(err);
    (log ?? { warn: (o: object, m: string) => process.stderr.write(`warning: ${m} ${JSON.stringify(o)}\n`) }).warn(
      { err: message, ...(dropped ? { suppressed: dropped } : {}) },
      'OpenTelemetry trace export failed (spans are dropped; the requests are not affected)',
    );
    dropped = 0;
  };
}

export async function createOtelTracing(settings: TracingSettings, log?: Logger): Promise<Tracing> {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'semroute', [ATTR_SERVICE_VERSION]: VERSION }))
    .merge(detectResources({ detectors: [envDetector] }));
  const exporter = await exporterFor(settings.protocol);
  // Sampler (OTEL_TRACES_SAMPLER[_ARG]) and batch settings (OTEL_BSP_*) come from the environment.
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  setGlobalErrorHandler(throttledWarn(log));
  const tracer = provider.getTracer(SCOPE, VERSION);
  const propagator = new W3CTraceContextPropagator();
  return {
    startRequest: (init) => new OtelRequestTrace(tracer, propagator, settings, init),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function contextHeaders(propagator: W3CTraceContextPropagator, ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagator.inject(ctx, headers, defaultTextMapSetter);
  return headers;
}

/**
 * A `performance.now()` value as an absolute HrTime. Given a plain number, the SDK converts it with an offset it
 * takes per span from the millisecond wall clock, so sibling spans could disagree by up to a millisecond; one
 * conversion for all keeps a child inside its parent.
 */
const at = (performanceNow: number): HrTime => hrTime(performanceNow);

function fail(span: Span, code: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, code);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The decision's attributes: config names, scores, flags and PII entity types, never text from the request. */
export function decisionAttributes(view: RoutedView, backend: string): Attributes {
  const d = view.decision;
  const a: Attributes = {
    'semroute.decision': d.decision,
    'semroute.category': d.category,
    'semroute.confidence': d.confidence,
    'semroute.reasoning': d.use_reasoning,
    'semroute.model': view.modelLabel,
    'semroute.response_path': d.response_path,
    'semroute.fallback': d.fallback,
    'semroute.passthrough': d.passthrough,
    'semroute.pii.action': d.pii.action,
    'semroute.classifier.backend': backend,
  };
  if (d.use_reasoning && d.reasoning_effort) a['semroute.reasoning.effort'] = d.reasoning_effort;
  if (d.reasoning_family) a['semroute.reasoning.family'] = d.reasoning_family;
  if (d.category_source) a['semroute.category.source'] = d.category_source;
  if (d.blocked) a['semroute.blocked.reason'] = d.blocked.reason;
  if (d.pii.types.length) a['semroute.pii.types'] = [...d.pii.types];
  if (view.signals.jailbreak !== undefined) a['semroute.jailbreak.score'] = view.signals.jailbreak;
  // How the score was made (model, blend, custom): the trace's jailbreak source; its parts stay in the trace.
  const jbSource = d.trace.guard?.source ?? d.trace.signals.find((e) => e.type === 'jailbreak')?.source;
  if (view.signals.jailbreak !== undefined && jbSource) a['semroute.jailbreak.source'] = jbSource.kind;
  if (view.signals.tokenCount !== undefined) a['semroute.tokens'] = view.signals.tokenCount;
  if (d.trace.selection) a['semroute.selection.algorithm'] = d.trace.selection.algorithm;
  return a;
}

/** The decision attributes that also go on the server span, so that a trace search finds requests by them. */
const ROOT_DECISION_KEYS = ['semroute.decision', 'semroute.category', 'semroute.reasoning', 'semroute.model', 'semroute.response_path', 'semroute.blocked.reason'];

/** `gen_ai.request.*` parameters the client set (numbers only). */
function requestParameters(request: unknown): Attributes {
  const a: Attributes = {};
  if (typeof request !== 'object' || request === null) return a;
  const r = request as Record<string, unknown>;
  const maxTokens = r.max_completion_tokens ?? r.max_tokens ?? r.max_output_tokens;
  if (typeof maxTokens === 'number') a[GEN_AI.requestMaxTokens] = maxTokens;
  if (typeof r.temperature === 'number') a[GEN_AI.requestTemperature] = r.temperature;
  if (typeof r.top_p === 'number') a[GEN_AI.requestTopP] = r.top_p;
  return a;
}

class OtelRequestTrace implements RequestTrace {
  readonly #tracer: Tracer;
  readonly #propagator: W3CTraceContextPropagator;
  readonly #settings: TracingSettings;
  readonly #span: Span;
  readonly #ctx: Context;
  #ended = false;
  #errorCode: string | undefined;
  #request: Attributes = {};

  constructor(tracer: Tracer, propagator: W3CTraceContextPropagator, settings: TracingSettings, init: Parameters<Tracing['startRequest']>[0]) {
    this.#tracer = tracer;
    this.#propagator = propagator;
    this.#settings = settings;
    const parent = propagator.extract(ROOT_CONTEXT, init.headers, defaultTextMapGetter);
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: init.method, [ATTR_URL_PATH]: init.path };
    if (init.route) attributes[ATTR_HTTP_ROUTE] = init.route;
    if (init.via === 'ext_proc') attributes['semroute.via'] = 'ext_proc';
    const name = init.via === 'ext_proc' ? `ext_proc ${init.method} ${init.path}` : init.route ? `${init.method} ${init.route}` : init.method;
    this.#span = tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: at(init.startTime), attributes }, parent);
    this.#ctx = trace.setSpan(parent, this.#span);
  }

  get headers(): Record<string, string> {
    return contextHeaders(this.#propagator, this.#ctx);
  }

  /** A finished INTERNAL span under `parent`. */
  #child(name: string, start: number, end: number, attributes: Attributes | undefined, parent: Context, errorCode?: string): void {
    const span = this.#tracer.startSpan(name, { startTime: at(start), ...(attributes ? { attributes } : {}) }, parent);
    if (errorCode) fail(span, errorCode);
    span.end(at(end));
  }

  stage(name: string, start: number, end: number, attributes?: TraceAttributes, errorCode?: string): void {
    // The SDK copies attribute values (arrays included) when it records them, so read-only input is safe here.
    this.#child(name, start, end, attributes as Attributes | undefined, this.#ctx, errorCode);
  }

  routed(view: RoutedView, request: unknown, backend: string, start: number, end: number): void {
    this.#request = requestParameters(request);
    if (!this.#span.isRecording()) return;
    const decision = decisionAttributes(view, backend);
    for (const k of ROOT_DECISION_KEYS) if (decision[k] !== undefined) this.#span.setAttribute(k, decision[k]!);
    this.#span.setAttribute('semroute.stream', view.stream);
    const route = this.#tracer.startSpan(SPAN.route, { startTime: at(start) }, this.#ctx);
    const ctx = trace.setSpan(this.#ctx, route);
    // The core measured durations, not instants: its stages ran back to back in this order from the route call.
    const t = view.timings;
    const stages = (from: number, parts: ReadonlyArray<readonly [string, number | undefined, Attributes?]>, parent: Context, until: number) => {
      for (const [name, ms, attributes] of parts) {
        if (ms === undefined) continue;
        // Clamped: durations rounded to the microsecond may add up to a hair more than the whole.
        const to = Math.min(from + ms, until);
        this.#child(name, from, to, attributes, parent);
        from = to;
      }
    };
    const classifyStart = start + t.extractMs;
    const classifyEnd = classifyStart + t.classifyMs;
    const classify = this.#tracer.startSpan(SPAN.classify, { startTime: at(classifyStart), attributes: { 'semroute.classifier.backend': backend } }, ctx);
    const classifyCtx = trace.setSpan(ctx, classify);
    stages(classifyStart, [[SPAN.tokenize, t.tokenizeMs], [SPAN.queue, t.queueMs], [SPAN.infer, t.inferMs], [SPAN.postprocess, t.postprocessMs]], classifyCtx, classifyEnd);
    classify.end(at(classifyEnd));
    const routeEnd = Math.max(end, start + t.totalMs);
    stages(start, [[SPAN.extract, t.extractMs]], ctx, classifyStart);
    stages(classifyEnd, [[SPAN.decide, t.decideMs, decision], [SPAN.rewrite, Math.max(0, t.totalMs - t.extractMs - t.classifyMs - t.decideMs)]], ctx, routeEnd);
    route.end(at(routeEnd));
  }

  upstream(call: UpstreamCall): UpstreamTrace {
    return new OtelUpstreamTrace(this.#tracer, this.#propagator, this.#settings, this.#ctx, call, this.#request);
  }

  fail(code: string): void {
    this.#errorCode = code;
  }

  end(status: number, finished = true): void {
    if (this.#ended) return;
    this.#ended = true;
    const span = this.#span;
    if (status > 0) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (this.#errorCode) span.setAttribute(ATTR_ERROR_TYPE, this.#errorCode);
    else if (!finished) span.setAttribute(ATTR_ERROR_TYPE, 'client_aborted');
    // Server spans: 5xx is an error; 4xx is the client's.
    if (status >= 500) {
      if (!this.#errorCode) span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(at(performance.now()));
  }
}

/** `model` field of an upstream body: what the backend is asked for (`gen_ai.request.model`). */
function bodyModel(call: UpstreamCall): string {
  // A scan for the top-level key rather than a parse of the whole prompt (inside strings a quote is escaped, so text
  // in the messages cannot match).
  const m = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(call.body);
  const fallback = call.model ?? 'unknown';
  if (!m) return fallback;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return fallback;
  }
}

class OtelUpstreamTrace implements UpstreamTrace {
  readonly headers: Record<string, string>;
  readonly #span: Span;
  readonly #t0: number;
  readonly #capture: boolean;
  /** False when the sampler dropped this trace: then nothing is parsed or kept for attributes nobody records. */
  readonly #recording: boolean;
  #tail: StreamTail | undefined;
  #summary: ResponseSummary | undefined;
  #status = 0;
  #ended = false;

  constructor(tracer: Tracer, propagator: W3CTraceContextPropagator, settings: TracingSettings, parent: Context, call: UpstreamCall, request: Attributes) {
    this.#t0 = performance.now();
    const model = bodyModel(call);
    this.#span = tracer.startSpan(`chat ${model}`, { kind: SpanKind.CLIENT, startTime: at(this.#t0) }, parent);
    this.headers = contextHeaders(propagator, trace.setSpan(parent, this.#span));
    this.#capture = settings.captureContent;
    this.#recording = this.#span.isRecording();
    if (!this.#recording) return;
    const url = new URL(call.url);
    const attributes: Attributes = {
      [GEN_AI.operationName]: 'chat',
      // The backends speak the OpenAI chat API: the conventions name that flavour `openai` whoever hosts the model
      // (server.address and gen_ai.response.model tell the actual system).
      [GEN_AI.providerName]: 'openai',
      [GEN_AI.requestModel]: model,
      ...request,
      [ATTR_SERVER_ADDRESS]: url.hostname,
      [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      [ATTR_HTTP_REQUEST_METHOD]: 'POST',
      [ATTR_URL_FULL]: `${url.origin}${url.pathname}`,
    };
    if (call.model !== undefined) attributes['semroute.model'] = call.model;
    if (call.backend !== undefined) attributes['semroute.backend'] = call.backend;
    if (this.#capture) {
      const messages = inputMessages(call.body);
      if (messages !== undefined) attributes[GEN_AI.inputMessages] = messages;
    }
    this.#span.setAttributes(attributes);
  }

  responded(status: number): void {
    this.#status = status;
    this.#span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  }

  firstByte(): void {
    const t = performance.now();
    this.#span.setAttribute('semroute.ttft_ms', Math.round((t - this.#t0) * 1000) / 1000);
    this.#span.addEvent('semroute.first_chunk', at(t));
  }

  chunk(data: Uint8Array): void {
    if (this.#recording) (this.#tail ??= new StreamTail()).push(data);
  }

  body(data: Uint8Array): void {
    if (!this.#recording) return;
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
    this.#summary = summarizeJson(text);
    // Non-streamed: the whole answer is the first token's arrival as far as the client can tell.
    this.#span.setAttribute('semroute.ttft_ms', Math.round((performance.now() - this.#t0) * 1000) / 1000);
    if (this.#capture) {
      const out = outputMessages(text);
      if (out !== undefined) this.#span.setAttribute(GEN_AI.outputMessages, out);
    }
  }

  end(outcome: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const span = this.#span;
    const s = this.#summary ?? (this.#tail ? summarizeSse(this.#tail.text()) : undefined);
    if (s) {
      if (s.model !== undefined) span.setAttribute(GEN_AI.responseModel, s.model);
      if (s.id !== undefined) span.setAttribute(GEN_AI.responseId, s.id);
      if (s.finishReasons.length) span.setAttribute(GEN_AI.responseFinishReasons, s.finishReasons);
      if (s.inputTokens !== undefined) span.setAttribute(GEN_AI.usageInputTokens, s.inputTokens);
      if (s.outputTokens !== undefined) span.setAttribute(GEN_AI.usageOutputTokens, s.outputTokens);
    }
    if (outcome !== 'ok') fail(span, outcome);
    else if (this.#status >= 400) fail(span, String(this.#status));
    span.end(at(performance.now()));
  }
}
