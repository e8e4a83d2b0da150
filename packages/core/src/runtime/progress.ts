/**
 * Load progress events, shared by the Node and browser loaders.
 * @module
 */

/** Phases a model load goes through, in order. */
export type LoadPhase = 'fetch' | 'cache' | 'session' | 'warmup' | 'ready';

/** One model-load progress event. */
export interface LoadProgress {
  readonly phase: LoadPhase;
  /** File being loaded (relative to the model folder), when the phase is per-file. */
  readonly file?: string;
  /** Bytes loaded so far of `file` (or of all files for `ready`). */
  readonly loaded: number;
  /** Total bytes of `file` when known, else 0. */
  readonly total: number;
  /** Backend being initialised (`session`, `warmup`) or chosen (`ready`). */
  readonly backend?: string;
  /** Set when a backend failed and the next one is tried. */
  readonly fallback?: string;
}

/** Receives {@link LoadProgress} events (the `onProgress` option). */
export type ProgressCallback = (p: LoadProgress) => void;
