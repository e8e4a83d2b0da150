/**
 * `@semroute/core/runtime-kit`: the building blocks a runtime package assembles a classifier from: the model
 * contract (files, graph outputs, head spec), backend choice and fallback order, the tokenizer, the shared
 * {@link ModelClassifier} engine (windows, micro-batching, post-processing) and custom ("bring your own") heads;
 * and the response cache's pieces that cache backends and their benchmarks need (int8 vectors, prompt signatures,
 * the lexical guard).
 *
 * The browser and edge runtimes inside `@semroute/core` and the Node runtime in `@semroute/node-adapter` are built
 * from exactly these. Applications use `createRouter` from one of those entry points instead.
 * @module @semroute/core/runtime-kit
 */
export { GRAPH, MODEL_JSON_FILES, fetchOk, hasModelTower, parseModelSpec } from './runtime/artifacts.js';
export type { HeadSpec, ModelSpec } from './runtime/artifacts.js';
export {
  BACKEND_CHOICES,
  DEFAULT_DTYPE,
  MODEL_DTYPES,
  MODEL_FILES,
  backendCandidates,
  defaultDtypeFor,
  backendLabel,
  parseBackendChoice,
  parseDtype,
} from './runtime/backends.js';
export type { BackendChoice, ExecutionTarget, ModelDtype, TargetCapabilities } from './runtime/backends.js';
export type { BatchOutputs, BatchRunner, BatcherOptions } from './runtime/batcher.js';
export { ModelClassifier } from './runtime/classifier.js';
export type { DisposableRunner, EngineOptions } from './runtime/classifier.js';
export {
  BLENDABLE_HEADS,
  BYO_HEADS,
  ByoHead,
  blendDomainScores,
  blendJailbreakScore,
  domainTowerOf,
  groupHeadModels,
  runByoSession,
  towerOf,
  validateBlend,
  validateOverrides,
  withModelTower,
} from './runtime/byo.js';
export { nerFileOf, withModelNer } from './runtime/model-ner.js';
export type { BlendableHead, ByoHeadName, ByoIo, ByoOutputs, ByoSignals, HeadBlend, HeadModelGroup, HeadModelOptions, HeadOverrides, TowerSpec } from './runtime/byo.js';
export { routerWith } from './runtime/create-router.js';
export type { ConfigInput } from './runtime/create-router.js';
export type { LoadPhase, LoadProgress, ProgressCallback } from './runtime/progress.js';
export { ModelTokenizer } from './runtime/tokenizer.js';
export { DEFAULT_WINDOWS } from './runtime/windows.js';
export type { WindowOptions } from './runtime/windows.js';
export { quantize, similarity } from './cache/vector.js';
export { DEFAULT_GUARD, fnv1a32, guardVerdict, promptSignature } from './cache/guard.js';
export type { GuardOptions, GuardVerdict } from './cache/guard.js';
