/**
 * decide(): the pure, synchronous, deterministic decision engine. Signals in, a {@link Decision} out.
 * Total for any config produced by parseConfig: it never throws, whatever the signals contain.
 * @module
 */
import type { DecisionConfig, ModelConfig, RouterConfig, SignalType } from '../config/schema.js';
import type { ChatCompletionRequest } from '../openai/types.js';
import { getSelector } from '../selection/registry.js';
import type { JailbreakSource, Signals } from '../signals/types.js';
import { compiledDecisionRules, evaluateCompiled } from './rules.js';
import { evaluateSignals, piiTypesAbove, round4, settleCategory, traceSources } from './signal-map.js';
import type { AppliedPlugin, BlockInfo, Decision, DecisionEvaluation, PiiOutcome, RuleTrace, ScreeningTrace, SignalEvaluation } from './types.js';

interface Compiled {
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly autoModels: ReadonlySet<string>;
  /** Per decision: the trace reason when it wins under the priority strategy. */
  readonly priorityReasons: readonly string[];
}
const compiledCache = new WeakMap<object, Compiled>();
function compile(config: RouterConfig): Compiled {
  let c = compiledCache.get(config);
  if (!c) {
    c = {
      models: new Map(config.providers.models.map((m) => [m.name, m])),
      autoModels: new Set(config.global.passthrough.auto_model_names),
      priorityReasons: config.routing.decisions.map((d) => `${d.name} matched with the highest priority (${d.priority})`),
    };
    compiledCache.set(config, c);
  }
  return c;
}

const SIGNAL_TYPES_ORDER: readonly SignalType[] = ['domain', 'keyword', 'jailbreak', 'pii', 'context', 'exemplar'];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** True when the request names a concrete model that should pass through (per `global.passthrough`). */
export function isPassthroughRequest(config: RouterConfig, request: ChatCompletionRequest | undefined): boolean {
  if (!config.global.passthrough.enabled || !request) return false;
  const m = request.model;
  return typeof m === 'string' && m.length > 0 && !compile(config).autoModels.has(m);
}

/**
 * Decides which model serves a request and how.
 *
 * Order: evaluate every signal once (keyed map) → evaluate every decision's rule tree → pick the winner
 * (`priority`: highest priority, ties by config order; `confidence`: highest rule confidence, ties by priority
 * then config order) → select a model among its modelRefs → apply the decision's plugins (pii, fast_response
 * block first; system_prompt / header_mutation only when not blocked) → prompt guard → passthrough.
 *
 * @param request optional: when it names a concrete model (not `auto`), the decision passes that model through
 * (blocks still apply when `global.passthrough.enforce_blocks`).
 */
export function decide(config: RouterConfig, signals: Signals, request?: ChatCompletionRequest): Decision {
  const c = compile(config);
  const safeSignals: Signals = signals && typeof signals === 'object' ? signals : {};
  const category = settleCategory(config, safeSignals);
  const sources = traceSources(safeSignals);
  const leaves = evaluateSignals(config, safeSignals, category, sources);
  const rules = compiledDecisionRules(config);

  // ---- decisions ----
  const evaluations: DecisionEvaluation[] = [];
  let winner: { d: DecisionConfig; ev: DecisionEvaluation; index: number } | undefined;
  const byConfidence = config.routing.strategy === 'confidence';
  const decisionsCfg = config.routing.decisions;
  for (let index = 0; index < decisionsCfg.length; index++) {
    const d = decisionsCfg[index]!;
    const rule = evaluateCompiled(rules[index]!, leaves);
    const ev: DecisionEvaluation = { decision: d.name, priority: d.priority, matched: rule.matched, confidence: rule.confidence, rule };
    evaluations.push(ev);
    if (!ev.matched) continue;
    if (!winner) winner = { d, ev, index };
    else if (byConfidence) {
      if (ev.confidence > winner.ev.confidence || (ev.confidence === winner.ev.confidence && ev.priority > winner.ev.priority)) winner = { d, ev, index };
    } else if (ev.priority > winner.ev.priority) winner = { d, ev, index };
  }
  const w = winner;

  // ---- PII detected (global threshold) for model selection ----
  const piiThreshold = config.global.classifier.pii.threshold;
  const detected = piiTypesAbove(safeSignals, piiThreshold, []).types;

  // ---- selection ----
  const selector = getSelector(w?.d.algorithm?.type);
  const sel = selector.select({ config, decision: w?.d, models: c.models, piiTypes: detected });

  // ---- category behind the decision ----
  let cat = category.effective;
  let conf = category.topScore ?? 0;
  if (w) {
    const leaf = firstCategorizingLeaf(w.ev.rule);
    if (leaf) {
      cat = leaf.type === 'domain' ? category.effective : leaf.name;
      conf = leaf.confidence;
    }
  }

  // ---- plugins ----
  let blocked: BlockInfo | undefined;
  let pii: PiiOutcome = { action: 'none', types: [], threshold: piiThreshold, allowed: [] };
  const plugins: AppliedPlugin[] = [];
  const rest: AppliedPlugin[] = [];
  let piiPlugin = false;
  for (const p of w?.d.plugins ?? []) {
    if (!p.configuration.enabled) continue;
    if (p.type === 'pii') {
      piiPlugin = true;
      const threshold = p.configuration.threshold ?? piiThreshold;
      const allowed = p.configuration.pii_types_allowed;
      const { types } = piiTypesAbove(safeSignals, threshold, allowed);
      if (types.length > 0) {
        pii = { action: p.configuration.action, types, threshold, allowed };
        if (p.configuration.action === 'redact') {
          pii = { ...pii, spans: (safeSignals.pii ?? []).filter((s) => s && typeof s.score === 'number' && s.score >= threshold && types.includes(s.type)) };
        }
        plugins.push(p);
        if (p.configuration.action === 'block' && !blocked) blocked = { reason: 'pii', message: config.global.blocked_response.pii_message };
      } else pii = { action: 'none', types: [], threshold, allowed };
    } else if (p.type === 'fast_response') {
      if (!blocked) {
        blocked = { reason: 'fast_response', message: p.configuration.message };
        plugins.push(p);
      }
    } else rest.push(p);
  }
  // Model PII policy (vSR pii_policy): disallowed types with no pii plugin deciding otherwise → block.
  if (!piiPlugin && sel.piiConflict) {
    const allowed = sel.model.pii_types_allowed ?? [];
    pii = { action: 'block', types: detected.filter((t) => !allowed.includes(t)), threshold: piiThreshold, allowed };
    if (!blocked) blocked = { reason: 'pii', message: config.global.blocked_response.pii_message };
  }

  // ---- prompt guard ----
  const pg = config.global.prompt_guard;
  const jb = safeSignals.jailbreak;
  const guardHit = pg.enabled && typeof jb === 'number' && Number.isFinite(jb) && jb >= pg.threshold;
  const guard: { enabled: boolean; threshold: number; score?: number; triggered: boolean; source?: JailbreakSource } = { enabled: pg.enabled, threshold: pg.threshold, triggered: guardHit };
  if (typeof jb === 'number' && Number.isFinite(jb)) {
    guard.score = round4(jb);
    if (sources.jailbreak) guard.source = sources.jailbreak;
  }
  let decisionName = w ? w.d.name : 'default';
  let reason: string;
  if (w) reason = byConfidence ? `${w.d.name} matched with the highest rule confidence (${w.ev.confidence})` : c.priorityReasons[w.index]!;
  else reason = 'no decision matched: default model';

  if (guardHit && blocked?.reason !== 'jailbreak' && !(blocked && w && ruleUsesJailbreak(w.ev.rule))) {
    blocked = { reason: 'jailbreak', message: config.global.blocked_response.jailbreak_message };
    decisionName = 'prompt_guard';
    reason = `prompt_guard: jailbreak score ${round4(jb as number)} >= ${pg.threshold}`;
    plugins.length = 0;
  } else if (blocked?.reason === 'fast_response' && w && ruleUsesJailbreak(w.ev.rule)) {
    blocked = { reason: 'jailbreak', message: blocked.message };
  }
  // ---- screening: a prompt longer than global.screening.max_chars was only partly classified ----
  const sc = safeSignals.screening;
  let screening: ScreeningTrace | undefined;
  if (sc && Number.isFinite(sc.screenedChars) && Number.isFinite(sc.totalChars)) {
    const beyond = config.global.screening.beyond_cap;
    screening = { screened_chars: sc.screenedChars, total_chars: sc.totalChars, partial: sc.screenedChars < sc.totalChars, beyond_cap: beyond };
    // the unscreened part may hold anything: like the guards, this outranks a routing fast_response
    if (screening.partial && beyond === 'block' && (!blocked || blocked.reason === 'fast_response')) {
      blocked = { reason: 'unscreened', message: config.global.screening.message };
      decisionName = 'screening';
      reason = `screening: ${sc.totalChars} characters, only the first ${sc.screenedChars} are screened (global.screening.max_chars) and beyond_cap is block`;
      plugins.length = 0;
    }
  }
  if (blocked) {
    // a blocked request gets no request-shaping plugins
    if (blocked.reason !== 'pii' && pii.action === 'redact') pii = { ...pii, action: 'none' };
  } else plugins.push(...rest);

  // ---- reasoning ----
  let model = sel.model;
  let useReasoning = sel.ref?.use_reasoning ?? false;
  let effort = useReasoning ? (sel.ref?.reasoning_effort ?? config.providers.defaults.default_reasoning_effort ?? 'medium') : undefined;
  let providerModelId = model.provider_model_id ?? model.name;
  let modelName = model.name;
  let family = model.reasoning_family;

  // ---- passthrough ----
  const passthrough = isPassthroughRequest(config, request);
  if (passthrough) {
    const requested = request!.model as string;
    const known = c.models.get(requested);
    modelName = requested;
    providerModelId = requested;
    family = known?.reasoning_family;
    if (known) model = known;
    useReasoning = false;
    effort = undefined;
    // Security blocks (jailbreak, PII) still apply when enforce_blocks; a routing fast_response does not.
    if (blocked && (!config.global.passthrough.enforce_blocks || blocked.reason === 'fast_response')) blocked = undefined;
    if (!blocked) {
      decisionName = 'passthrough';
      reason = `client requested model ${JSON.stringify(requested)}: passthrough`;
      plugins.length = 0;
      pii = { action: 'none', types: pii.types, threshold: pii.threshold, allowed: pii.allowed };
    }
  }

  const matched = {} as Record<SignalType, string[]>;
  for (const t of SIGNAL_TYPES_ORDER) matched[t] = [];
  for (const ev of leaves) if (ev.matched) matched[ev.type].push(ev.name);
  const signalList: readonly SignalEvaluation[] = leaves;

  const responsePath = blocked ? (blocked.reason === 'fast_response' ? 'fast_response' : 'blocked') : 'upstream';
  const trace: Decision['trace'] = {
    strategy: config.routing.strategy,
    category,
    signals: signalList,
    decisions: evaluations,
    guard,
    ...(screening ? { screening } : {}),
    selection: sel.trace,
    reason,
  };
  const decision: Mutable<Decision> = {
    decision: decisionName,
    model: modelName,
    provider_model_id: providerModelId,
    use_reasoning: useReasoning,
    category: cat,
    confidence: round4(Math.max(-1, Math.min(1, conf))),
    fallback: !w || (category.fallback && cat === category.effective),
    passthrough: passthrough && !blocked,
    pii,
    plugins,
    response_path: responsePath,
    matched,
    trace,
  };
  if (effort !== undefined) decision.reasoning_effort = effort;
  if (family !== undefined) decision.reasoning_family = family;
  if (blocked) decision.blocked = blocked;
  return decision;
}

/** First matched domain / keyword / exemplar leaf of a matched rule tree (depth first, config order). */
function firstCategorizingLeaf(rule: RuleTrace): (RuleTrace & { kind: 'condition' }) | undefined {
  if (rule.kind === 'condition') {
    return rule.matched && (rule.type === 'domain' || rule.type === 'keyword' || rule.type === 'exemplar') ? rule : undefined;
  }
  if (!rule.matched || rule.operator === 'NOT') return undefined;
  for (const ch of rule.children) {
    const f = firstCategorizingLeaf(ch);
    if (f) return f;
  }
  return undefined;
}

function ruleUsesJailbreak(rule: RuleTrace): boolean {
  if (rule.kind === 'condition') return rule.type === 'jailbreak' && rule.matched;
  return rule.operator !== 'NOT' && rule.children.some(ruleUsesJailbreak);
}
