/**
 * `@semroute/core/node`: the core plus the Node runtime (onnxruntime-node, CUDA → CPU).
 * `createRouter({ config, model, backend, threads })` loads the bundled model and returns a ready Router.
 * @module
 */
export * from './index.js';
export { createRouter, createNodeClassifier, NodeClassifier, CUDA_INSTALLED, defaultModelCandidates, resolveModelLocation } from './runtime/node.js';
export type { CreateNodeRouterOptions, NodeClassifierOptions } from './runtime/node.js';
export { BACKEND_CHOICES, MODEL_DTYPES } from './runtime/backends.js';
export type { BackendChoice, ModelDtype } from './runtime/backends.js';
export { DEFAULT_WINDOWS } from './runtime/windows.js';
export type { WindowOptions } from './runtime/windows.js';
export type { EngineOptions } from './runtime/classifier.js';
export type { LoadPhase, LoadProgress, ProgressCallback } from './runtime/progress.js';
export type { ConfigInput } from './runtime/create-router.js';
