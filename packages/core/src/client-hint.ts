/**
 * Client pre-routing hints: a browser that already ran the model sends the category it found
 * (`x-semroute-client-decision: {"category": "math", "confidence": 0.93}`). The server's policy
 * (`RouteOptions.trustClientHints`) decides whether the hint may replace the server's own domain head.
 * Guards (jailbreak, PII) are never taken from a hint. Parsing is total: junk is ignored with a note, never thrown.
 * @module
 */
import type { RouterConfig } from './config/schema.js';

/** A validated client hint. */
export interface ClientHint {
  /** A domain category (one of the classifier's category names, e.g. `math`, `computer science`). */
  readonly category: string;
  /** The client's probability for that category, in [0, 1]; 1 when absent. */
  readonly confidence?: number;
}

/** How much of a client hint the server may use. `none`: never (default); `routing`: the category may replace the domain head. */
export type TrustClientHints = 'none' | 'routing';
/** The accepted values of the `trust_client_hints` setting. */
export const TRUST_CLIENT_HINTS: readonly TrustClientHints[] = Object.freeze(['none', 'routing']);

/** Result of {@link parseClientHint}: a hint, or why there is none (`note` is set only for a present but unusable hint). */
export interface ParsedClientHint {
  readonly hint?: ClientHint;
  readonly note?: string;
}

const MAX_HINT_CHARS = 4096;
const MAX_CATEGORY_CHARS = 64;

/**
 * Validates a client hint: a JSON string (the header value) or an already-parsed object. Absent → `{}`.
 * Anything else → `{ note }` explaining why it was ignored (no client text is copied into the note).
 */
export function parseClientHint(raw: unknown): ParsedClientHint {
  if (raw === undefined || raw === null || raw === '') return {};
  let v: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_HINT_CHARS) return { note: `client hint ignored: longer than ${MAX_HINT_CHARS} characters` };
    try {
      v = JSON.parse(raw);
    } catch {
      return { note: 'client hint ignored: not valid JSON' };
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { note: 'client hint ignored: not a JSON object' };
  const o = v as Record<string, unknown>;
  const category = o.category;
  if (typeof category !== 'string' || category.length === 0 || category.length > MAX_CATEGORY_CHARS) {
    return { note: 'client hint ignored: `category` must be a non-empty string' };
  }
  const c = o.confidence;
  if (c === undefined || c === null) return { hint: { category } };
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1) {
    return { note: 'client hint ignored: `confidence` must be a number in [0, 1]' };
  }
  return { hint: { category, confidence: c } };
}

const known = new WeakMap<object, ReadonlySet<string>>();

/**
 * The domain categories a config knows: every domain signal's `mmlu_categories` (or its name) and the fallback
 * category. A hint naming anything else is not trusted (the classifier runs).
 */
export function knownCategories(config: RouterConfig): ReadonlySet<string> {
  let s = known.get(config);
  if (!s) {
    const set = new Set<string>([config.global.classifier.domain.fallback_category]);
    for (const d of config.routing.signals.domains) for (const c of d.mmlu_categories ?? [d.name]) set.add(c);
    s = set;
    known.set(config, s);
  }
  return s;
}
