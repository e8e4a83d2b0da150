/**
 * `@semroute/core/browser`: the core plus the browser runtime. Inference runs in a module Web Worker
 * (WebGPU → WASM SIMD); `createRouter({ config, model, backend, worker, onProgress })` returns a ready Router.
 * @module @semroute/core/browser
 */
export * from './index.js';
export { createRouter, createBrowserClassifier, WorkerClassifier, resolveModelBase } from './runtime/browser.js';
export type { BrowserClassifierOptions, CreateBrowserRouterOptions, WorkerLike } from './runtime/browser.js';
export type { WebInitResult } from './runtime/web.js';
export { BACKEND_CHOICES, MODEL_DTYPES } from './runtime/backends.js';
export type { BackendChoice, ModelDtype } from './runtime/backends.js';
export { DEFAULT_WINDOWS } from './runtime/windows.js';
export type { WindowOptions } from './runtime/windows.js';
export type { EngineOptions } from './runtime/classifier.js';
export type { LoadPhase, LoadProgress, ProgressCallback } from './runtime/progress.js';
export type { ConfigInput } from './runtime/create-router.js';
