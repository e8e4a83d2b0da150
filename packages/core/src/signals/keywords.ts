/**
 * Keyword signals: which `routing.signals.keywords[]` rules match a text, in linear time.
 * Compiled matchers are cached per (frozen) config object.
 * @module
 */
import type { KeywordSignalConfig, RouterConfig } from '../config/schema.js';
import { compileKeyword, type CompiledKeyword } from './keyword-pattern.js';

/** One keyword rule's outcome. */
export interface KeywordMatch {
  readonly name: string;
  readonly matched: boolean;
  /** How many of the rule's keywords occur in the text. */
  readonly hits: number;
  readonly total: number;
  /** vSR-compatible confidence: OR → 0.5 + 0.5·hits/total; AND → 1; NOR → 1 (when matched), else 0. */
  readonly confidence: number;
}

interface CompiledRule {
  readonly rule: KeywordSignalConfig;
  readonly keywords: readonly CompiledKeyword[];
}

const cache = new WeakMap<object, readonly CompiledRule[]>();

function compiled(config: RouterConfig): readonly CompiledRule[] {
  let c = cache.get(config);
  if (!c) {
    c = config.routing.signals.keywords.map((rule) => ({ rule, keywords: rule.keywords.map((k) => compileKeyword(k, rule.case_sensitive)) }));
    cache.set(config, c);
  }
  return c;
}

/** Evaluates every keyword rule of the config against `text`. */
export function matchKeywordsDetailed(text: string, config: RouterConfig): KeywordMatch[] {
  const rules = compiled(config);
  if (rules.length === 0) return [];
  const lowered = text.toLowerCase();
  return rules.map(({ rule, keywords }) => {
    let hits = 0;
    for (const k of keywords) if (k.test(text, lowered)) hits++;
    const total = keywords.length;
    let matched: boolean;
    let confidence: number;
    switch (rule.operator) {
      case 'AND':
        matched = hits === total;
        confidence = matched ? 1 : hits / total / 2;
        break;
      case 'NOR':
        matched = hits === 0;
        confidence = matched ? 1 : 0;
        break;
      default:
        matched = hits > 0;
        confidence = matched ? 0.5 + (0.5 * hits) / total : 0;
    }
    return { name: rule.name, matched, hits, total, confidence };
  });
}

/** Names of the keyword signals that match `text` (config order). */
export function matchKeywords(text: string, config: RouterConfig): string[] {
  return matchKeywordsDetailed(text, config)
    .filter((m) => m.matched)
    .map((m) => m.name);
}
