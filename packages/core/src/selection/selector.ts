/**
 * Model selection: after a decision matched, pick one of its modelRefs. One interface, one strategy per file,
 * a frozen registry. Selectors are pure and deterministic.
 * @module
 */
import type { DecisionConfig, ModelConfig, ModelRef, RouterConfig } from '../config/schema.js';
import type { SelectionTrace } from '../decision/types.js';

/** Input of a selection. */
export interface SelectionContext {
  readonly config: RouterConfig;
  /** The matched decision, or undefined for the default route. */
  readonly decision: DecisionConfig | undefined;
  /** Models by name. */
  readonly models: ReadonlyMap<string, ModelConfig>;
  /** PII types detected in the request (above the global PII threshold). */
  readonly piiTypes: readonly string[];
}

/** Output of a selection. */
export interface SelectionResult {
  /** The chosen modelRef (undefined on the default route). */
  readonly ref: ModelRef | undefined;
  readonly model: ModelConfig;
  /** True when the chosen model's `pii_types_allowed` does not cover the detected PII (no candidate did). */
  readonly piiConflict: boolean;
  readonly trace: SelectionTrace;
}

/** A model-selection strategy. */
export interface Selector {
  readonly method: string;
  /** Picks the model for a matched decision. */
  select(ctx: SelectionContext): SelectionResult;
}

/** True when `model` accepts every type in `piiTypes` (a model without `pii_types_allowed` accepts all). */
export function modelAcceptsPii(model: ModelConfig, piiTypes: readonly string[]): boolean {
  const allowed = model.pii_types_allowed;
  if (allowed === undefined || piiTypes.length === 0) return true;
  return piiTypes.every((t) => allowed.includes(t));
}
