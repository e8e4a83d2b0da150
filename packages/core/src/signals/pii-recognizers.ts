/**
 * The PII recognizer registry, structured like Presidio's `RecognizerRegistry`: every piece of PII logic is a named
 * recognizer object — the model's token-classification head, the span rules that refine its spans (`pii-refine.ts`,
 * `pii-datetime.ts`) and the pattern recognizers (`pii-patterns.ts`, plus custom regex recognizers from config) —
 * registered in one table, each switchable on its own. `RecognizerRegistry.run` is the PII post-processing the
 * classifier applies: with every built-in enabled it gives exactly `mergePiiSpans(refinePiiSpans(model, text),
 * recognizePatterns(text))`. Each span it returns names the recognizer that found it or last changed its type, edges
 * or score (`recognizer`); no prompt text is kept anywhere. Custom regex recognizers and `registryFromSettings` are in
 * `pii-custom-recognizers.ts`, which the classifier imports only for calls with recognizer settings (browser bundles:
 * the regex VM stays out of the worker's main chunk).
 * @module
 */
import { SemrouteError } from '../errors.js';
import { mergePiiSpans, PATTERN_RULES, resolvePatternOverlaps } from './pii-patterns.js';
import { SPAN_RULES } from './pii-refine.js';
import { MODEL_RECOGNIZER } from './pii-recognizer-settings.js';
import type { PiiSpan } from './types.js';

export {
  BUILTIN_PII_RECOGNIZER_NAMES,
  DEFAULT_CONTEXT_BOOST,
  hasRecognizerSettings,
  MODEL_FILE_PII_RECOGNIZER_NAMES,
  MODEL_RECOGNIZER,
  NATURAL_NER_RECOGNIZER,
} from './pii-recognizer-settings.js';
export type { CustomPiiPattern, CustomPiiRecognizerConfig, PiiRecognizerSettings } from './pii-recognizer-settings.js';

/** What a recognizer is: the model's head, a rule over the spans found so far, or a pattern over the text. */
export const PII_RECOGNIZER_KINDS = Object.freeze(['model', 'context-rule', 'pattern'] as const);
/** One of {@link PII_RECOGNIZER_KINDS}: `model`, `context-rule` or `pattern`. */
export type PiiRecognizerKind = (typeof PII_RECOGNIZER_KINDS)[number];

interface RecognizerBase {
  /** Registry name (the key under `global.classifier.pii.recognizers`), e.g. `email`, `date_time`. */
  readonly name: string;
  /** Entity types it emits or changes (`*`: any type). */
  readonly entities: readonly string[];
  /** What it does, in a sentence. */
  readonly description: string;
}

/** The classifier's PII head: its spans are the input of the rules. Disabling it leaves rules and patterns only. */
export interface ModelRecognizer extends RecognizerBase {
  readonly kind: 'model';
}

/**
 * A rule over the spans found so far (Presidio's context enhancement and validation, here also edges and types):
 * returns the new span list. Runs in registration order; UTF-16 offsets.
 */
export interface ContextRuleRecognizer extends RecognizerBase {
  readonly kind: 'context-rule';
  /** The spans after this rule, given the spans so far and the classified text; return the input spans to change nothing. */
  refine(spans: readonly PiiSpan[], text: string): PiiSpan[];
}

/**
 * A recognizer that reads the text itself (Presidio's `PatternRecognizer`): its matches, with scores; overlaps with
 * other patterns are resolved by score, then length, and a match replaces the model spans it overlaps.
 */
export interface PatternRecognizer extends RecognizerBase {
  readonly kind: 'pattern';
  /** Every match in `text` as a span (type, UTF-16 `start`/`end`, score in [0, 1]); keep it linear in the text, as the built-ins are. */
  recognize(text: string): PiiSpan[];
}

/** Any registry entry; `kind` tells which of the three it is. */
export type PiiRecognizer = ModelRecognizer | ContextRuleRecognizer | PatternRecognizer;


/** A registry name: lower-case letters, digits and `_`, starting with a letter. */
const RECOGNIZER_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Every built-in recognizer, in the order the registry runs them (model, span rules, patterns). */
export const BUILTIN_PII_RECOGNIZERS: readonly PiiRecognizer[] = Object.freeze([
  Object.freeze({ name: MODEL_RECOGNIZER, kind: 'model', entities: Object.freeze(['*']), description: "the PII head's own spans" }) as ModelRecognizer,
  ...SPAN_RULES.map((r) => Object.freeze({ name: r.name, kind: 'context-rule', entities: r.entities, description: r.description, refine: r.refine }) as ContextRuleRecognizer),
  ...PATTERN_RULES.map((r) => Object.freeze({ name: r.name, kind: 'pattern', entities: r.entities, description: r.description, recognize: r.recognize }) as PatternRecognizer),
]);


/** A recognizer registry call that cannot work (unknown or duplicate name); says which names exist. */
export class PiiRecognizerError extends SemrouteError {}

/**
 * An ordered table of PII recognizers, each enabled or not. Built-ins first (`RecognizerRegistry.withBuiltins()`),
 * then yours: `add` a recognizer (a context rule runs after the built-in rules, a pattern joins the pattern matches),
 * `disable` / `enable` any by name.
 */
export class RecognizerRegistry {
  readonly #recognizers: PiiRecognizer[] = [];
  readonly #disabled = new Set<string>();

  constructor(recognizers: readonly PiiRecognizer[] = []) {
    for (const r of recognizers) this.add(r);
  }

  /** A registry holding every built-in recognizer, all enabled. */
  static withBuiltins(): RecognizerRegistry {
    return new RecognizerRegistry(BUILTIN_PII_RECOGNIZERS);
  }

  /** Registers `recognizer` (enabled). Throws for a malformed or already registered name. */
  add(recognizer: PiiRecognizer): this {
    if (!recognizer || typeof recognizer.name !== 'string' || !RECOGNIZER_NAME.test(recognizer.name)) {
      throw new PiiRecognizerError(`PII recognizer name ${JSON.stringify(recognizer?.name)} is not valid: use lower-case letters, digits and _, starting with a letter (e.g. employee_id)`);
    }
    if (!(PII_RECOGNIZER_KINDS as readonly string[]).includes(recognizer.kind)) {
      throw new PiiRecognizerError(`PII recognizer ${recognizer.name}: kind ${JSON.stringify(recognizer.kind)} is not one of: ${PII_RECOGNIZER_KINDS.join(', ')}`);
    }
    if (this.has(recognizer.name)) throw new PiiRecognizerError(`a PII recognizer named ${recognizer.name} is already registered; choose another name`);
    this.#recognizers.push(recognizer);
    return this;
  }

  /** Switches a recognizer off (its spans, or its changes, are left out). Throws for an unknown name. */
  disable(name: string): this {
    this.#known(name);
    this.#disabled.add(name);
    return this;
  }

  /** Switches a recognizer back on. Throws for an unknown name. */
  enable(name: string): this {
    this.#known(name);
    this.#disabled.delete(name);
    return this;
  }

  /** True when a recognizer named `name` is registered (enabled or not). */
  has(name: string): boolean {
    return this.#recognizers.some((r) => r.name === name);
  }

  /** True when `name` is registered and not disabled (false for an unknown name; nothing throws). */
  isEnabled(name: string): boolean {
    return this.has(name) && !this.#disabled.has(name);
  }

  /** The recognizer registered as `name`, or undefined. */
  get(name: string): PiiRecognizer | undefined {
    return this.#recognizers.find((r) => r.name === name);
  }

  /** Every registered recognizer, in run order, enabled or not. */
  get recognizers(): readonly PiiRecognizer[] {
    return [...this.#recognizers];
  }

  /** Names of every registered recognizer, in run order. */
  get names(): readonly string[] {
    return this.#recognizers.map((r) => r.name);
  }

  /** A copy with the same recognizers and switches. */
  clone(): RecognizerRegistry {
    const copy = new RecognizerRegistry(this.#recognizers);
    for (const n of this.#disabled) copy.disable(n);
    return copy;
  }

  /**
   * The PII post-processing: the model's spans (if its recognizer is enabled) through every enabled context rule in
   * order, then the enabled patterns' matches (overlaps resolved) merged in. Each span gets `recognizer`: the one that
   * found it, or the rule that last changed its type, edges or score. Linear in the text and spans when each enabled
   * recognizer is (the built-ins are: linear-time.test.ts).
   */
  run(modelSpans: readonly PiiSpan[], text: string): PiiSpan[] {
    let spans: PiiSpan[] = this.isEnabled(MODEL_RECOGNIZER) ? modelSpans.map((s) => (s.recognizer ? s : { ...s, recognizer: MODEL_RECOGNIZER })) : [];
    const candidates: PiiSpan[] = [];
    for (const r of this.#recognizers) {
      if (this.#disabled.has(r.name)) continue;
      if (r.kind === 'context-rule') spans = attribute(spans, r.refine(spans, text), r.name);
      else if (r.kind === 'pattern') for (const s of r.recognize(text)) candidates.push({ ...s, recognizer: r.name });
    }
    return mergePiiSpans(spans, resolvePatternOverlaps(candidates, text.length));
  }

  #known(name: string): void {
    if (!this.has(name)) throw new PiiRecognizerError(`unknown PII recognizer ${JSON.stringify(name)}; registered: ${this.names.join(', ')}`);
  }
}

const spanKey = (s: PiiSpan): string => `${s.type}|${s.start}|${s.end}|${s.score}`;

/**
 * Names `rule` on every span of `after` that is not in `before` (by identity, else by type, edges and score): the
 * spans it added or changed. O(spans).
 */
function attribute(before: readonly PiiSpan[], after: readonly PiiSpan[], rule: string): PiiSpan[] {
  const same = new Set(before);
  let keys: Set<string> | undefined;
  return after.map((s) => {
    if (same.has(s)) return s;
    keys ??= new Set(before.map(spanKey));
    if (s.recognizer && keys.has(spanKey(s))) return s;
    return { ...s, recognizer: rule };
  });
}
