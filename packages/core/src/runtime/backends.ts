/**
 * The one place that decides which execution backend runs the model: the valid choices, the order in which
 * candidates are tried for a runtime, which model variant each uses, and the label reported in results.
 * @module
 */
import { ClassifierError } from '../errors.js';

/** What a caller may ask for. */
export const BACKEND_CHOICES = Object.freeze(['auto', 'webgpu', 'wasm', 'cpu', 'cuda'] as const);
/** A backend the caller may ask for (`auto` picks the best available for the runtime). */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A concrete execution target (one ORT execution provider). */
export type ExecutionTarget = 'webgpu' | 'wasm' | 'cpu' | 'cuda';

export type RuntimeKind = 'node' | 'web';

/** Which targets each runtime can run, in `auto` preference order. */
export const RUNTIME_TARGETS: Readonly<Record<RuntimeKind, readonly ExecutionTarget[]>> = Object.freeze({
  node: Object.freeze(['cuda', 'cpu'] as const),
  web: Object.freeze(['webgpu', 'wasm'] as const),
});

/** Model variants shipped in `onnx/`. */
export const MODEL_DTYPES = Object.freeze(['fp32', 'int8'] as const);
/** A model variant: the fp32 graph or the dynamically quantized int8 graph. */
export type ModelDtype = (typeof MODEL_DTYPES)[number];

/** File per variant, relative to the model folder. */
export const MODEL_FILES: Readonly<Record<ModelDtype, string>> = Object.freeze({
  fp32: 'onnx/model.onnx',
  int8: 'onnx/model_quantized.onnx',
});

/**
 * Default variant per target. WebGPU has no kernel for the int8 `MatMulInteger`/`DynamicQuantizeLinear` ops
 * (they would fall back to CPU inside the session), and CUDA gains nothing from dynamic int8: both run fp32.
 */
export const DEFAULT_DTYPE: Readonly<Record<ExecutionTarget, ModelDtype>> = Object.freeze({
  webgpu: 'fp32',
  cuda: 'fp32',
  wasm: 'int8',
  cpu: 'int8',
});

/**
 * The variant for `target` when the caller chose none: the target's default, unless the model folder ships only the
 * other one (the npm package `@semroute/model-mini` ships the int8 graph alone). `shipped` tells whether a file of
 * the folder exists; without it (a remote folder) the default is assumed to be there.
 */
export function defaultDtypeFor(target: ExecutionTarget, shipped?: (file: string) => boolean): ModelDtype {
  const preferred = DEFAULT_DTYPE[target];
  if (!shipped || shipped(MODEL_FILES[preferred])) return preferred;
  return MODEL_DTYPES.find((d) => d !== preferred && shipped(MODEL_FILES[d])) ?? preferred;
}

/** Validates a user-supplied backend choice; the error lists the valid ones. */
export function parseBackendChoice(value: unknown): BackendChoice {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new ClassifierError(
    `Unsupported backend ${JSON.stringify(value)}. Should be one of: ${BACKEND_CHOICES.join(', ')}.`,
  );
}

/** Validates a user-supplied dtype; the error lists the valid ones. */
export function parseDtype(value: unknown): ModelDtype | undefined {
  if (value === undefined || value === 'auto') return undefined;
  if (typeof value === 'string' && (MODEL_DTYPES as readonly string[]).includes(value)) return value as ModelDtype;
  throw new ClassifierError(
    `Unsupported dtype ${JSON.stringify(value)}. Should be one of: auto, ${MODEL_DTYPES.join(', ')}.`,
  );
}

/** What the running environment offers, as {@link backendCandidates} needs it to order the backends. */
export interface TargetCapabilities {
  /** Node: the CUDA execution-provider library is installed next to onnxruntime-node. */
  readonly cudaInstalled?: boolean;
  /** Web: `navigator.gpu` exists. */
  readonly webgpuApi?: boolean;
}

/**
 * Ordered candidates to try for `choice` on `runtime`. The first that initialises wins; each failure falls back
 * to the next and is reported. An explicit request for a target is tried even when capabilities say no
 * (the attempt then fails with the runtime's own reason and falls back).
 */
export function backendCandidates(
  choice: BackendChoice,
  runtime: RuntimeKind,
  caps: TargetCapabilities = {},
): ExecutionTarget[] {
  const valid = RUNTIME_TARGETS[runtime];
  if (choice === 'auto') {
    if (runtime === 'node') return caps.cudaInstalled ? ['cuda', 'cpu'] : ['cpu'];
    return caps.webgpuApi ? ['webgpu', 'wasm'] : ['wasm'];
  }
  if (!valid.includes(choice)) {
    throw new ClassifierError(
      `Backend '${choice}' is not available in the ${runtime === 'node' ? 'Node' : 'browser'} runtime. ` +
        `Should be one of: auto, ${valid.join(', ')}.`,
    );
  }
  // Explicit choice first, then the always-available last resort of this runtime.
  const last = valid[valid.length - 1]!;
  return choice === last ? [choice] : [choice, last];
}

/** The label reported in every result: `webgpu`, `wasm-simd-threads(N)`, `wasm-simd`, `cpu`, `cuda`. */
export function backendLabel(target: ExecutionTarget, threads = 1): string {
  if (target === 'wasm') return threads > 1 ? `wasm-simd-threads(${threads})` : 'wasm-simd';
  return target;
}
