/**
 * The contract between the classifier (runtime/) and the decision engine (decision/).
 * Everything the engine knows about a prompt arrives here, keyed by signal kind;
 * the engine never sees prompt text except through `keywordText` matching done in signals/.
 * @module
 */
import type { PiiRecognizerSettings } from './pii-recognizer-settings.js';

/** One PII span found by the token-classification head, with character offsets into the classified text. */
export interface PiiSpan {
  /** Presidio entity type, e.g. `EMAIL_ADDRESS`, `PERSON`. */
  readonly type: string;
  /** Inclusive start offset (UTF-16 code units) into the text that was classified. */
  readonly start: number;
  /** Exclusive end offset. */
  readonly end: number;
  /** Calibrated probability of the span's least confident token (models/semroute-mini/heads.json contract). */
  readonly score: number;
  /**
   * The PII recognizer that found the span or last changed its type, edges or score (`model`, `email`, `date_time`, a
   * custom recognizer's name; see `signals/pii-recognizers.ts`). Set by the classifier's PII post-processing.
   */
  readonly recognizer?: string;
}

/**
 * Model outputs for one prompt, as produced by a {@link Classifier}. All probabilities are calibrated (temperature-scaled).
 */
export interface ClassifierSignals {
  /** Probability per domain category (the 14 MMLU-Pro names, e.g. `computer science`), summing to ~1. */
  readonly categoryScores: Readonly<Record<string, number>>;
  /** Probability that the prompt is a jailbreak / prompt injection, in [0, 1]. */
  readonly jailbreak: number;
  /** PII spans over the classified text. */
  readonly pii: readonly PiiSpan[];
  /** L2-normalised pooled embedding (for exemplar signals); omitted when not requested. */
  readonly pooled?: Float32Array | readonly number[];
  /** Number of model tokens in the classified text (before windowing). */
  readonly tokenCount: number;
  /** Backend that produced this result, e.g. `cpu`, `cuda`, `wasm-simd-threads(4)`, `wasm-simd`, `webgpu` (added by runtime/). */
  readonly backend?: string;
  /** Where the classifier's time went, when the runtime measures it (the shipped runtimes do; bring-your-own heads don't). */
  readonly timings?: ClassifierTimings;
}

/** Classifier time split, in milliseconds, measured where the model runs (inside the worker in browsers). */
export interface ClassifierTimings {
  /** Tokenization (with offsets when PII runs). */
  readonly tokenizeMs: number;
  /** Model run time of the batch(es) this text's windows ran in (a shared batch counts once). */
  readonly inferMs: number;
  /** Waiting for a batch slot (micro-batching window, or another batch still running). */
  readonly queueMs: number;
  /** Calibration and PII span decoding. */
  readonly postprocessMs: number;
}

/**
 * Everything decide() consumes. Built by signals/ from classifier output + keyword matching + exemplar similarity.
 * Fields a config does not use may be absent: a missing signal never matches a rule.
 */
export interface Signals {
  readonly categoryScores?: Readonly<Record<string, number>>;
  readonly jailbreak?: number;
  readonly pii?: readonly PiiSpan[];
  /** Names of `routing.signals.keywords[]` rules that matched. */
  readonly keywordHits?: readonly string[];
  /**
   * Confidence per matched keyword signal (vSR: 0.5 + 0.5 × matched/total keywords for OR, 1 for AND / NOR).
   * Absent entries of `keywordHits` count as confidence 1.
   */
  readonly keywordConfidence?: Readonly<Record<string, number>>;
  /** Similarity in [-1, 1] per `routing.signals.exemplars[]` name. */
  readonly exemplarScores?: Readonly<Record<string, number>>;
  /** Token count of the classified text (for `context` token-band signals). */
  readonly tokenCount?: number;
  /** True when `tokenCount` is an estimate (no classifier ran): about 4 characters per token. */
  readonly tokenCountEstimated?: boolean;
  /**
   * How many characters (UTF-16 code units) of the classified text the classifier screened, of how many: a text longer
   * than `global.screening.max_chars` is screened up to that cap only (set by `Router.route` when a classifier ran).
   */
  readonly screening?: { readonly screenedChars: number; readonly totalChars: number };
}

/** What a classifier backend must provide. Implemented by runtime/ (ORT web, ORT node); the core never imports ORT. */
export interface Classifier {
  /** Classify one or more texts; result order matches input order. */
  classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]>;
  /** Execution provider actually in use, e.g. `cpu`, `cuda`, `wasm-simd-threads(4)`, `webgpu`. */
  readonly backend: string;
  /** Releases the model; later calls fail. */
  dispose(): Promise<void>;
}

/** Per-call classifier options: which heads to run (default all). */
export interface ClassifyOptions {
  /** Which heads to compute; default all. PII is the costly one on long texts (windowed over the whole text). */
  readonly heads?: readonly ('domain' | 'jailbreak' | 'pii' | 'pooled')[];
  /**
   * PII recognizers switched off or on by name and custom pattern recognizers (`global.classifier.pii`'s
   * `recognizers` and `custom_recognizers`; plain data, so it crosses to a worker). Default: every built-in.
   */
  readonly pii?: PiiRecognizerSettings;
}
