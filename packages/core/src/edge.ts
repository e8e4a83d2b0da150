/**
 * `@semroute/core/edge`: the core, the edge runtime and the HTTP layer for Cloudflare Workers (workerd), Deno, Bun
 * and other fetch-API runtimes. No Node built-ins, no Web Worker: the classifier runs onnxruntime-web's WASM build
 * inline, single-threaded; `createFetchHandler({ router: () => createRouter({...}) })` builds it lazily on the
 * first request and reuses it for the isolate's lifetime.
 * @module @semroute/core/edge
 */
export * from './index.js';
export * from './http/index.js';
export { createRouter, createEdgeClassifier, edgeMemory } from './runtime/edge.js';
export type { CreateEdgeRouterOptions, EdgeClassifierOptions, EdgeFetch, FileContents, ModelFileLoader, ModelFiles, WasmInput } from './runtime/edge.js';
export { ModelClassifier } from './runtime/classifier.js';
export { MODEL_DTYPES, MODEL_FILES } from './runtime/backends.js';
export type { ModelDtype } from './runtime/backends.js';
export { DEFAULT_WINDOWS } from './runtime/windows.js';
export type { WindowOptions } from './runtime/windows.js';
export type { EngineOptions } from './runtime/classifier.js';
export type { LoadPhase, LoadProgress, ProgressCallback } from './runtime/progress.js';
export type { ConfigInput } from './runtime/create-router.js';
