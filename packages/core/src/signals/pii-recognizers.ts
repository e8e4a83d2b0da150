/**
 * The PII recognizer registry, structured like Presidio's `RecognizerRegistry`: every piece of PII logic is a named
 * recognizer object — the model's token-classification head, the span rules that refine its spans (`pii-refine.ts`,
 * `pii-datetime.ts`) and the pattern recognizers (`pii-patterns.ts`, plus custom regex recognizers from config) —
 * registered in one table, each switchable on its own. `RecognizerRegistry.run` is the PII post-processing the
 * classifier applies: with every built-in enabled it gives exactly `mergePiiSpans(refinePiiSpans(model, text),
 * recognizePatterns(text))`. Each span it returns names the recognizer that found it or last changed its type, edges
 * or score (`recognizer`); no prompt text is kept anywhere.
 * @module
 */
import { SemrouteError } from '../errors.js';
import { compileSpanPattern, type SpanPattern } from './keyword-pattern.js';
import { hasContextNear, mergePiiSpans, PATTERN_RULES, resolvePatternOverlaps } from './pii-patterns.js';
import { SPAN_RULES } from './pii-refine.js';
import {
  type CustomPiiRecognizerConfig,
  customRecognizerProblems,
  DEFAULT_CONTEXT_BOOST,
  MODEL_RECOGNIZER,
  type PiiRecognizerSettings,
} from './pii-recognizer-settings.js';
import type { PiiSpan } from './types.js';

export {
  BUILTIN_PII_RECOGNIZER_NAMES,
  customRecognizerProblems,
  DEFAULT_CONTEXT_BOOST,
  hasRecognizerSettings,
  MODEL_RECOGNIZER,
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

// ---------------------------------------------------------------------------------------------- custom patterns

/**
 * A pattern recognizer from config: every match of each pattern (Pike VM, linear time, matches at most 128
 * characters) is a span of `entity` with the pattern's score, plus `context_boost` when a context word stands near it.
 * Throws {@link PiiRecognizerError} for settings `customRecognizerProblems` rejects.
 */
export function customPatternRecognizer(cfg: CustomPiiRecognizerConfig): PatternRecognizer {
  const problems = customRecognizerProblems(cfg);
  if (problems.length) throw new PiiRecognizerError(`custom PII recognizer ${cfg.name}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const compiled: { pattern: SpanPattern; score: number }[] = cfg.patterns.map((p) => ({ pattern: compileSpanPattern(p.regex, cfg.case_sensitive ?? false), score: p.score }));
  const words = cfg.context ?? [];
  // Escaped literal words: no quantifier, so a test costs the 60-character window times the words, whatever the text.
  const context = words.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'iu') : null;
  const boost = cfg.context_boost ?? DEFAULT_CONTEXT_BOOST;
  return Object.freeze({
    name: cfg.name,
    kind: 'pattern',
    entities: Object.freeze([cfg.entity]),
    description: `custom pattern recognizer (${cfg.patterns.length} pattern${cfg.patterns.length === 1 ? '' : 's'})`,
    recognize(text: string): PiiSpan[] {
      const out: PiiSpan[] = [];
      for (const { pattern, score } of compiled) {
        for (const [start, end] of pattern.find(text)) {
          const boosted = context !== null && hasContextNear(text, start, end, context);
          out.push({ type: cfg.entity, start, end, score: boosted ? Math.min(1, score + boost) : score });
        }
      }
      return out;
    },
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+');
}

/**
 * The registry `settings` describe on top of `base` (default: the built-ins): custom recognizers added, recognizers
 * switched off (or on) by name. Throws {@link PiiRecognizerError} for an unknown name or a bad custom recognizer.
 */
export function registryFromSettings(settings: PiiRecognizerSettings | undefined, base?: RecognizerRegistry): RecognizerRegistry {
  const registry = base ? base.clone() : RecognizerRegistry.withBuiltins();
  for (const c of settings?.custom_recognizers ?? []) registry.add(customPatternRecognizer(c));
  for (const [name, s] of Object.entries(settings?.recognizers ?? {})) {
    if (s?.enabled === false) registry.disable(name);
    else if (s?.enabled === true) registry.enable(name);
  }
  return registry;
}
