/**
 * Custom pattern recognizers from config (Presidio-style regex recognizers on the linear-time keyword Pike VM) and the
 * registry a config's recognizer settings describe. A module of its own: the classifier imports it only for calls whose
 * settings switch recognizers or add custom ones, so a browser worker's main chunk carries neither the regex VM nor
 * this code (README "Bundle budget"). The registry itself is `pii-recognizers.ts`.
 * @module
 */
import { compileSpanPattern, type SpanPattern } from './keyword-pattern.js';
import { hasContextNear } from './pii-patterns.js';
import { customRecognizerProblems } from './pii-custom-checks.js';
import { type CustomPiiRecognizerConfig, DEFAULT_CONTEXT_BOOST, MODEL_FILE_PII_RECOGNIZER_NAMES, type PiiRecognizerSettings } from './pii-recognizer-settings.js';
import { type PatternRecognizer, PiiRecognizerError, RecognizerRegistry } from './pii-recognizers.js';
import type { PiiSpan } from './types.js';

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
 * switched off (or on) by name. A recognizer that only a model file brings (`natural_ner`) and `base` lacks is
 * skipped: the model has no such file. Throws {@link PiiRecognizerError} for an unknown name or a bad custom recognizer.
 */
export function registryFromSettings(settings: PiiRecognizerSettings | undefined, base?: RecognizerRegistry): RecognizerRegistry {
  const registry = base ? base.clone() : RecognizerRegistry.withBuiltins();
  for (const c of settings?.custom_recognizers ?? []) registry.add(customPatternRecognizer(c));
  for (const [name, s] of Object.entries(settings?.recognizers ?? {})) {
    if (!registry.has(name) && MODEL_FILE_PII_RECOGNIZER_NAMES.includes(name)) continue;
    if (s?.enabled === false) registry.disable(name);
    else if (s?.enabled === true) registry.enable(name);
  }
  return registry;
}
