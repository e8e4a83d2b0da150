/**
 * PII recognizer settings as the config carries them (`global.classifier.pii.recognizers` / `custom_recognizers`) and
 * their validation: what config parsing and the router need, without the recognizers themselves (which only the
 * classifier loads: in browsers they stay in the worker's bundle). The registry is `pii-recognizers.ts`.
 * @module
 */
import { compileSpanPattern, KeywordPatternError } from './keyword-pattern.js';

/** The name under which the model's spans are registered. */
export const MODEL_RECOGNIZER = 'model';

/**
 * Names of the built-in recognizers, in run order: the model, the span rules (`pii-refine.ts` SPAN_RULES), the pattern
 * recognizers (`pii-patterns.ts` PATTERN_RULES); pii-recognizers.test.ts checks that they agree.
 */
export const BUILTIN_PII_RECOGNIZER_NAMES: readonly string[] = Object.freeze([
  MODEL_RECOGNIZER,
  'streetless_addresses', 'name_line_breaks', 'malformed_spans', 'function_words', 'name_case', 'name_sentence_ends',
  'demonyms', 'demonyms_in_context', 'company_names', 'relation_words', 'honorifics', 'name_punctuation',
  'titles_before_names', 'names_after_cues', 'job_titles_before_names', 'capitalised_names', 'street_numbers',
  'house_numbers', 'street_address_edges', 'fragments', 'age_context', 'ages_in_context', 'zip_codes_in_context', 'date_time',
  'email', 'credit_card', 'iban', 'ip_address', 'us_ssn', 'phone_number', 'us_driver_license', 'url', 'domain_name',
]);

/** One pattern of a custom recognizer: a regular expression (the linear-time subset) and the score of its matches. */
export interface CustomPiiPattern {
  readonly regex: string;
  readonly score: number;
}

/** A custom pattern recognizer as `global.classifier.pii.custom_recognizers[]` declares it (Presidio's PatternRecognizer). */
export interface CustomPiiRecognizerConfig {
  readonly name: string;
  /** Entity type of its spans, e.g. `EMPLOYEE_ID`. */
  readonly entity: string;
  readonly patterns: readonly CustomPiiPattern[];
  /** Words that make a match more likely PII when one stands within 40 characters before it or 20 after it. */
  readonly context?: readonly string[];
  /** Score added (up to 1) when a context word is near; default 0.35, Presidio's context similarity factor. */
  readonly context_boost?: number;
  /** Match letters' case exactly; default false (Presidio's patterns ignore case too). */
  readonly case_sensitive?: boolean;
}

/** Recognizer switches and custom recognizers (`global.classifier.pii` without its threshold). */
export interface PiiRecognizerSettings {
  readonly recognizers?: Readonly<Record<string, { readonly enabled?: boolean }>>;
  readonly custom_recognizers?: readonly CustomPiiRecognizerConfig[];
}

/** Default context boost: Presidio's `context_similarity_factor`. */
export const DEFAULT_CONTEXT_BOOST = 0.35;
/** A context word: letters, digits, spaces, `'`, `-`, `.`, `#`; what a person writes before an identifier. */
export const CONTEXT_WORD = /^[\p{L}\p{N}][\p{L}\p{N} '’.#-]{0,39}$/u;
const MAX_CONTEXT_WORDS = 64;

/**
 * What is wrong with a custom recognizer's settings, as (path below the recognizer, message) pairs; empty when it
 * compiles. Used by config validation, so a bad regex is reported with its place and a fix before anything runs.
 */
export function customRecognizerProblems(cfg: CustomPiiRecognizerConfig): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  cfg.patterns.forEach((p, i) => {
    try {
      compileSpanPattern(p.regex, cfg.case_sensitive ?? false);
    } catch (err) {
      if (!(err instanceof KeywordPatternError)) throw err;
      problems.push({
        path: `patterns[${i}].regex`,
        message: `regex not usable: ${err.message} (supported, always in linear time: literals, [classes], (groups), |, ?, bounded {m,n}, ^, $, \\b, \\d, \\w, \\s, .; no lookaround or backreferences)`,
      });
    }
  });
  const words = cfg.context ?? [];
  if (words.length > MAX_CONTEXT_WORDS) problems.push({ path: 'context', message: `at most ${MAX_CONTEXT_WORDS} context words (got ${words.length})` });
  words.forEach((w, i) => {
    if (!CONTEXT_WORD.test(w)) problems.push({ path: `context[${i}]`, message: `context word ${JSON.stringify(w)} is not a plain word or phrase (letters, digits, spaces, ' - . #; up to 40 characters)` });
  });
  return problems;
}

/** Whether `settings` change anything about the built-in registry (the classifier needs them only then). */
export function hasRecognizerSettings(settings: PiiRecognizerSettings | undefined): boolean {
  return !!settings && ((settings.custom_recognizers?.length ?? 0) > 0 || Object.keys(settings.recognizers ?? {}).length > 0);
}
