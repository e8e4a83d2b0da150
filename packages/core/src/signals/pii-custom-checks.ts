/**
 * The checks of a custom PII recognizer's settings (its regexes compile for the linear-time VM, its context words are
 * plain words): used by config validation and by `customPatternRecognizer`. A module of its own so that modules which
 * only need the settings' names and types (the classifier worker's main chunk) do not pull in the regex VM.
 * @module
 */
import { compileSpanPattern, KeywordPatternError } from './keyword-pattern.js';
import type { CustomPiiRecognizerConfig } from './pii-recognizer-settings.js';

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
