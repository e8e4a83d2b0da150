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
  /** How the jailbreak score and the domain scores were made (set by the shipped runtimes for the heads they ran). */
  readonly sources?: ScoreSources;
}

/**
 * How the classifier made the jailbreak score (numbers only, never text):
 * - `model`: the shipped head alone; `window` is the index of the window with the highest score (the score is the
 *   highest of `windows` windows: 0 is the summary window, or the whole text when one window covers it; then the
 *   overlapping windows over the whole text, then the windows from each sentence or line start).
 * - `blend`: the shipped head's score (`shipped`, from window `window` of `windows`, as for `model`) pooled with a
 *   second model's (`tower`: a heads.json jailbreak `tower`, or a caller's `heads.jailbreak` model with a `blend`),
 *   `sigmoid(((1 − weight) · logit(shipped) + weight · logit(tower)) / temperature)`, each probability clamped to
 *   [1e-9, 1 − 1e-9] first (`blendJailbreakScore`). The parts are unrounded, so they reproduce the score.
 * - `custom`: a caller's own `heads.jailbreak` model replaced the shipped head.
 */
export type JailbreakSource =
  | { readonly kind: 'model'; readonly window: number; readonly windows: number }
  | {
      readonly kind: 'blend';
      readonly shipped: number;
      readonly tower: number;
      readonly weight: number;
      readonly temperature: number;
      readonly window: number;
      readonly windows: number;
    }
  | { readonly kind: 'custom' };

/** A model's top domain label and its probability. */
export interface TopLabel {
  readonly label: string;
  readonly score: number;
}

/**
 * How the classifier made the domain scores (labels and numbers only, never text):
 * - `model`: the shipped head alone.
 * - `blend`: the shipped head's probabilities pooled with a second model's (a heads.json domain `tower`, or a caller's
 *   `heads.domain` model with a `blend`), `softmax(((1 − weight) · log p_shipped + weight · log p_tower) / temperature)`
 *   (`blendDomainScores`); `shipped` and `tower` are each model's top label and probability before the blend.
 * - `custom`: a caller's own `heads.domain` model replaced the shipped head.
 */
export type DomainSource =
  | { readonly kind: 'model' }
  | { readonly kind: 'blend'; readonly weight: number; readonly temperature: number; readonly shipped: TopLabel; readonly tower: TopLabel }
  | { readonly kind: 'custom' };

/** Where a classifier's scores came from, per head (absent for a head that did not run). */
export interface ScoreSources {
  readonly jailbreak?: JailbreakSource;
  readonly domain?: DomainSource;
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
  /** How the classifier made `jailbreak` and `categoryScores` (from {@link ClassifierSignals.sources}). */
  readonly sources?: ScoreSources;
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
