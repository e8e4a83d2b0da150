/**
 * @semroute/node-adapter — semroute on servers: the Node runtime (`createRouter` on onnxruntime-node, CUDA → CPU,
 * with everything from `@semroute/core`), the OpenAI-compatible routing proxy, the Envoy ext_proc server, the mock
 * backend and the CLI. Re-exports only.
 * @module @semroute/node-adapter
 */
export * from './node.js';
export { serve } from './serve.js';
export type { ServeOptions, RunningServer } from './serve.js';
export { createApp } from './server/app.js';
export type { AppOptions, SemrouteApp } from './server/app.js';
export { RouterHost, loadConfigFile, loadConfigText } from './router-host.js';
export type { RouterHostOptions, ClassifierState, Logger } from './router-host.js';
export { startExtProc, loadExtProcService, PROTO_DIR } from './extproc/server.js';
export type { ExtProcServer, ExtProcOptions } from './extproc/server.js';
export { startMockBackend } from './mock-backend.js';
export type { MockBackend, MockBackendOptions, MockEcho } from './mock-backend.js';
export { HttpError, toHttpError } from './server/http-error.js';
export { createMetrics } from './server/metrics.js';
export type { Metrics } from './server/metrics.js';
export { DEFAULT_SETTINGS, splitConfig } from './settings.js';
export type { ServerSettings, TrustClientHints } from './settings.js';
export { main } from './cli/main.js';
export { SPAN, TracingConfigError, parseBodyTraced, startTracing, tracingSettingsFromEnv } from './telemetry/tracing.js';
export type { RequestTrace, TraceAttributes, Tracing, TracingSettings, UpstreamCall, UpstreamTrace } from './telemetry/tracing.js';
