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
export type { RouterHostOptions, ClassifierState, LoadedConfig, Logger } from './router-host.js';
export { startExtProc } from './extproc/server.js';
export type { ExtProcServer, ExtProcOptions } from './extproc/server.js';
export { startMockBackend } from './mock-backend.js';
export type { MockBackend, MockBackendOptions, MockEcho } from './mock-backend.js';
export { createMetrics } from './server/metrics.js';
export type { Metrics } from './server/metrics.js';
export { DEFAULT_SETTINGS } from './settings.js';
export type { ServerSettings, TrustClientHints } from './settings.js';
export { SPAN, TracingConfigError, startTracing } from './telemetry/tracing.js';
export type { RequestTrace, TraceAttributes, Tracing, UpstreamCall, UpstreamTrace } from './telemetry/tracing.js';
// Internal to the server and CLI, not exported: its error mapping (the core's is `toHttpError` in
// `@semroute/core/http`), the config splitter, the traced body parser, the OTEL_* reader, the ext_proc proto loader
// and the CLI's `main` (run it as the `semroute` binary).
