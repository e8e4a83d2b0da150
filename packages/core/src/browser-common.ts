/**
 * What both browser entries export besides their `createRouter` / `createBrowserClassifier` (each starts its own
 * worker): the core, the worker client and the runtime's types. Not an entry itself.
 * @module
 */
export * from './index.js';
export { WorkerClassifier, resolveModelBase } from './runtime/browser.js';
export type { BrowserClassifierOptions, CreateBrowserRouterOptions, WorkerLike } from './runtime/browser.js';
export type { WebInitResult } from './runtime/web.js';
export { BACKEND_CHOICES, MODEL_DTYPES } from './runtime/backends.js';
export type { BackendChoice, ModelDtype } from './runtime/backends.js';
export { DEFAULT_WINDOWS } from './runtime/windows.js';
export type { WindowOptions } from './runtime/windows.js';
export type { EngineOptions } from './runtime/classifier.js';
export type { LoadPhase, LoadProgress, ProgressCallback } from './runtime/progress.js';
export type { ConfigInput } from './runtime/create-router.js';
