/**
 * What decide() returns: the routing decision plus a trace that explains it without any prompt text.
 * @module
 */
import type { PluginConfig, ReasoningEffort, SignalType } from '../config/schema.js';
import type { ResponsePath } from '../headers.js';
import type { DomainSource, JailbreakSource, PiiSpan } from '../signals/types.js';

/** One evaluated signal, as the trace shows it. `value` is a score, a category, PII types or a token count. */
export interface SignalEvaluation {
  readonly type: SignalType;
  readonly name: string;
  readonly matched: boolean;
  /** 0..1 (exemplar similarity may be negative). */
  readonly confidence: number;
  readonly value: number | string | readonly string[] | null;
  /** The threshold or band the value was compared against, in words, e.g. `>= 0.7`, `[0, 1000)`. */
  readonly test: string;
  /** PII signals: the recognizers (names, sorted) that found the counted spans, when the classifier names them. */
  readonly recognizers?: readonly string[];
  /**
   * Jailbreak and domain signals: how the classifier made the score they test (the shipped head, a blend with a
   * second model and its parts, or a caller's own model), when the classifier says.
   */
  readonly source?: JailbreakSource | DomainSource;
}

/** One node of an evaluated rule tree. */
export type RuleTrace =
  | {
      readonly kind: 'group';
      readonly operator: 'AND' | 'OR' | 'NOT';
      readonly matched: boolean;
      readonly confidence: number;
      readonly children: readonly RuleTrace[];
    }
  | ({ readonly kind: 'condition' } & SignalEvaluation);

/** One decision's evaluation. */
export interface DecisionEvaluation {
  readonly decision: string;
  readonly priority: number;
  readonly matched: boolean;
  readonly confidence: number;
  readonly rule: RuleTrace;
}

/** How the domain category was settled. */
export interface CategoryTrace {
  /** Classifier's top category and its probability (absent without a classifier). */
  readonly top?: string;
  readonly topScore?: number;
  readonly threshold: number;
  /** Category used by domain signals after the threshold check. */
  readonly effective: string;
  /** True when `effective` is the fallback category. */
  readonly fallback: boolean;
  /** `above_threshold`: top category used; `below_threshold`: fell back; `no_scores`: no classifier output, fell back. */
  readonly reason: 'above_threshold' | 'below_threshold' | 'no_scores';
}

/** Where the domain category scores came from. `none`: no classifier scores (keyword / context routing only). */
export type CategorySource = 'client_hint' | 'classifier' | 'none';

/** How the category source was settled (set by `Router.route`, not by `decide()`). */
export interface CategorySourceTrace {
  readonly source: CategorySource;
  /**
   * The client hint, when one came with the request: `trusted` (its category was used, the domain head skipped),
   * `agrees` / `differs` (not used; the classifier's top category was compared with it), `ignored` (unusable or
   * not allowed: see `note`).
   */
  readonly hint?: 'trusted' | 'agrees' | 'differs' | 'ignored';
  /** The hinted category (a config category name or a classifier label, never free text). */
  readonly hintCategory?: string;
  readonly note?: string;
}

/** Why the model was chosen among a decision's modelRefs. */
export interface SelectionTrace {
  readonly algorithm: string;
  readonly candidates: readonly string[];
  readonly chosen: string;
  readonly reason: string;
}

/** The explainable record of a decision. Contains names, scores and thresholds only: never prompt text. */
export interface DecisionTrace {
  readonly strategy: 'priority' | 'confidence';
  readonly category: CategoryTrace;
  /** Every configured signal, evaluated once (the keyed signal map). */
  readonly signals: readonly SignalEvaluation[];
  /** Every decision, in config order. */
  readonly decisions: readonly DecisionEvaluation[];
  /** The prompt guard: `source` says how the classifier made the jailbreak `score` (see {@link JailbreakSource}). */
  readonly guard?: { readonly enabled: boolean; readonly threshold: number; readonly score?: number; readonly triggered: boolean; readonly source?: JailbreakSource };
  /** How much of the classified text the classifier screened (absent when no classifier ran). */
  readonly screening?: ScreeningTrace;
  readonly selection?: SelectionTrace;
  /** One-line summary of why the winner won. */
  readonly reason: string;
  /** Where the category came from (set by `Router.route`). */
  readonly category_source?: CategorySourceTrace;
  /** Request-level notes, e.g. an ignored `x-vsr-skip-processing` header or client hint (set by `Router.route`). */
  readonly notes?: readonly string[];
  /** How the session policy settled the route (`routing.session.mode: sticky`; see `decision/session.ts`). */
  readonly session?: SessionTrace;
}

/** A route, as the session trace names it. */
export interface SessionRoute {
  readonly decision: string;
  readonly model: string;
  readonly use_reasoning: boolean;
}

/** What the session policy did for one turn. */
export interface SessionTrace {
  readonly mode: 'sticky' | 'per_turn';
  /** Where the session's route came from: a stored response, the session header, or the replayed messages. */
  readonly source: 'previous_response' | 'header' | 'messages';
  /** The current user turn's number in the conversation (1-based; from the messages, or the stored chain). */
  readonly turn: number;
  /** The session's route before this turn (absent on a first turn). */
  readonly anchor?: SessionRoute;
  /**
   * `first_turn` (nothing to keep), `same_route` (this turn routes there anyway), `stuck` (kept the session's route:
   * stickiness decided), `switched` (a confident new route), `blocked` (this turn is blocked: guards always apply),
   * `anchor_blocked` (the earlier turn was a block), `passthrough` (the client named a model), `anchor_unknown`
   * (the session's route is no longer in the config).
   */
  readonly outcome: 'first_turn' | 'same_route' | 'stuck' | 'switched' | 'blocked' | 'anchor_blocked' | 'passthrough' | 'anchor_unknown';
  readonly reason: string;
  /** With `stuck`: the route this turn would have taken on its own. */
  readonly own?: SessionRoute;
}

/** Screening of a long prompt (`global.screening`): characters (UTF-16 code units) screened of the classified text. */
export interface ScreeningTrace {
  readonly screened_chars: number;
  readonly total_chars: number;
  /** True when part of the text was beyond `max_chars` and not screened. */
  readonly partial: boolean;
  /** What the config does with the unscreened part (`global.screening.beyond_cap`). */
  readonly beyond_cap: 'block' | 'flag' | 'allow';
}

/** Why a request is not forwarded. `unscreened`: longer than `global.screening.max_chars` with `beyond_cap: block`. */
export interface BlockInfo {
  readonly reason: 'jailbreak' | 'pii' | 'fast_response' | 'unscreened';
  /** The assistant message returned to the client. */
  readonly message: string;
}

/** What happens to PII in the request. `none`: none detected above threshold (or no policy applies). */
export interface PiiOutcome {
  readonly action: 'none' | 'allow' | 'block' | 'redact';
  /** Disallowed PII types detected (sorted). */
  readonly types: readonly string[];
  /** Minimum span score that counts as PII for this decision. */
  readonly threshold: number;
  /** Types exempt from the action. */
  readonly allowed: readonly string[];
  /**
   * Spans (offsets into the classified text, no text) the action applies to; set for `redact` so that
   * rewrite() can redact the request's user messages.
   */
  readonly spans?: readonly PiiSpan[];
}

/** A plugin that applies to the request, with its configuration. */
export type AppliedPlugin = PluginConfig;

/** The routing decision. */
export interface Decision {
  /** Winning decision name; `default` when none matched, `prompt_guard` for a guard block, `passthrough` for a client-chosen model. */
  readonly decision: string;
  /** Configured model name (`providers.models[].name`), or the client's model on passthrough. */
  readonly model: string;
  /** Model id sent upstream in the body's `model` field. */
  readonly provider_model_id: string;
  readonly use_reasoning: boolean;
  /** Effort when reasoning is on (modelRef → default_reasoning_effort → medium). */
  readonly reasoning_effort?: ReasoningEffort;
  /** The model's reasoning family name, if any. */
  readonly reasoning_family?: string;
  /** Category behind the decision: a domain category, or a keyword / exemplar signal name. */
  readonly category: string;
  readonly confidence: number;
  /** Where the category scores came from (set by `Router.route`; absent from a bare `decide()`). */
  readonly category_source?: CategorySource;
  /** True when nothing matched and the default model serves the request, or the category fell back. */
  readonly fallback: boolean;
  /** True when the client named a concrete model and it passes through. */
  readonly passthrough: boolean;
  readonly blocked?: BlockInfo;
  readonly pii: PiiOutcome;
  /** Plugins that apply (system_prompt, header_mutation …; none when blocked except the blocking one). */
  readonly plugins: readonly AppliedPlugin[];
  readonly response_path: ResponsePath;
  /** Names of the matched signals per type (for `x-vsr-matched-*` debug headers). */
  readonly matched: Readonly<Record<SignalType, readonly string[]>>;
  readonly trace: DecisionTrace;
}
