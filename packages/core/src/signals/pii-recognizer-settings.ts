/**
 * PII recognizer settings as the config carries them (`global.classifier.pii.recognizers` / `custom_recognizers`):
 * names, types and constants that config parsing, the router and the classifier need, without the recognizers
 * themselves (only the classifier loads them: in browsers they stay in the worker's bundle) and without the regex VM
 * (custom recognizers' checks are `pii-custom-checks.ts`). The registry is `pii-recognizers.ts`.
 * @module
 */
/** The name under which the model's spans are registered. */
export const MODEL_RECOGNIZER = 'model';
/** The natural-text NER recognizer a model folder may bring (heads.json pii `ner`; `pii-ner.ts`). */
export const NATURAL_NER_RECOGNIZER = 'natural_ner';

/**
 * Recognizers that exist only when the model folder ships their file (today `natural_ner`): config may switch them by
 * name whatever the model; with a model that lacks the file, the switch changes nothing.
 */
export const MODEL_FILE_PII_RECOGNIZER_NAMES: readonly string[] = Object.freeze([NATURAL_NER_RECOGNIZER]);

/**
 * Names of the built-in recognizers, in run order: the model, the span rules (`pii-refine.ts` SPAN_RULES), the pattern
 * recognizers (`pii-patterns.ts` PATTERN_RULES); pii-recognizers.test.ts checks that they agree.
 */
export const BUILTIN_PII_RECOGNIZER_NAMES: readonly string[] = Object.freeze([
  MODEL_RECOGNIZER,
  'streetless_addresses', 'name_line_breaks', 'malformed_spans', 'function_words', 'name_case', 'name_sentence_ends',
  'demonyms', 'demonyms_in_context', 'company_names', 'relation_words', 'honorifics', 'name_punctuation',
  'titles_before_names', 'names_after_cues', 'job_titles_before_names', 'capitalised_names', 'street_numbers',
  'house_numbers', 'street_address_edges', 'fragments', 'age_context', 'ages_in_context', 'age_phrases', 'zip_codes_in_context', 'date_time',
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
/** Whether `settings` change anything about the built-in registry (the classifier needs them only then). */
export function hasRecognizerSettings(settings: PiiRecognizerSettings | undefined): boolean {
  return !!settings && ((settings.custom_recognizers?.length ?? 0) > 0 || Object.keys(settings.recognizers ?? {}).length > 0);
}
