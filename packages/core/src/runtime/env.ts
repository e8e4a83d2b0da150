/**
 * Capability flags of the current JavaScript runtime, detected once at module load and frozen.
 * Nothing here imports ONNX Runtime; backends.ts reads these flags to order execution providers.
 * @module
 */

interface NavigatorLike {
  readonly gpu?: unknown;
  readonly hardwareConcurrency?: number;
}

const g = globalThis as typeof globalThis & {
  process?: { versions?: { node?: string } };
  navigator?: NavigatorLike;
  crossOriginIsolated?: boolean;
  WorkerGlobalScope?: unknown;
  document?: unknown;
  caches?: unknown;
};

const IS_NODE = typeof g.process?.versions?.node === 'string';
const IS_WEB_WORKER = typeof g.WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined' && self instanceof (g.WorkerGlobalScope as { new (): unknown });

/** Frozen capability table (like transformers.js `apis`). User-editable settings live in options, never here. */
export const runtimeEnv = Object.freeze({
  /** Running under Node.js (onnxruntime-node is usable). */
  IS_NODE,
  /** Running inside a dedicated/shared web worker. */
  IS_WEB_WORKER,
  /** A DOM window (main thread of a page). */
  IS_BROWSER_MAIN: !IS_NODE && typeof g.document !== 'undefined',
  /** `navigator.gpu` exists (an adapter may still be missing: requestAdapter() decides). */
  HAS_WEBGPU_API: !IS_NODE && typeof g.navigator?.gpu !== 'undefined',
  /** SharedArrayBuffer usable: the page is cross-origin isolated (COOP + COEP), so WASM threads work. */
  IS_CROSS_ORIGIN_ISOLATED: g.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined',
  /** Cache API available for model files. */
  HAS_CACHE_API: !IS_NODE && typeof g.caches !== 'undefined',
  /** Logical cores (1 when unknown). */
  HARDWARE_CONCURRENCY: Math.max(1, g.navigator?.hardwareConcurrency ?? 1),
});

export type RuntimeEnv = typeof runtimeEnv;

/** The headers a page must send for multi-threaded WASM (used in the single-thread warning). */
export const ISOLATION_HEADERS = Object.freeze([
  'Cross-Origin-Opener-Policy: same-origin',
  'Cross-Origin-Embedder-Policy: require-corp',
] as const);
