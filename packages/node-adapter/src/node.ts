/**
 * The Node runtime of `@semroute/node-adapter` (re-exported from its root): the core plus onnxruntime-node,
 * CUDA → CPU. `createRouter({ config, model, backend, threads })` loads the bundled model and returns a ready Router.
 * @module
 */
export * from '@semroute/core';
export { createRouter, createNodeClassifier, NodeClassifier, CUDA_INSTALLED, MODEL_PACKAGE, defaultModelCandidates, resolveModelLocation } from './runtime/node.js';
export type { CreateNodeRouterOptions, NodeClassifierOptions } from './runtime/node.js';
export { BACKEND_CHOICES, MODEL_DTYPES, DEFAULT_WINDOWS } from '@semroute/core/runtime-kit';
export type { BackendChoice, ModelDtype, WindowOptions, EngineOptions, LoadPhase, LoadProgress, ProgressCallback, ConfigInput } from '@semroute/core/runtime-kit';
