/**
 * Session-aware routing: the pure policy that keeps a conversation on the route (model + reasoning setting) it
 * started on. Deterministic and free of server state, so a browser, an edge isolate and every server replica
 * settle the same route for the same conversation.
 *
 * A session's current route is its {@link SessionAnchor}. It comes from (first match wins):
 * - `previous_response`: the anchor stored with the Responses API response the request continues;
 * - `header`: the marker the router returned on the previous turn (`x-semroute-session`, name configurable),
 *   sent back by the client; it is validated against the config, so it can only name a route the config defines;
 * - `messages`: the conversation's earlier user turns, each classified on its own text and replayed through this
 *   same policy (up to `routing.session.max_turns` of them).
 *
 * One step of the policy ({@link applySession}), in `sticky` mode:
 * 1. the current turn is blocked (jailbreak, PII, fast_response) → its own decision (a session never skips a guard);
 * 2. the earlier route was a block → the current turn's own decision;
 * 3. the turn's own text (alone, without the prior turns the classified text carries) has at least
 *    `min_switch_tokens` tokens and routes elsewhere with confidence ≥ `switch_confidence`, not by falling back →
 *    that route (`switched`; it becomes the session's). Short turns ("thanks — can you make it shorter?") never
 *    switch: alone they carry no topic, and the classifier is confidently wrong on them;
 * 4. the current turn routes to the session's model and reasoning setting anyway → its own decision (`same_route`);
 * 5. otherwise → the earlier route (`stuck`): model, reasoning setting and that decision's request plugins; PII and
 *    jailbreak outcomes stay the current turn's own.
 * @module
 */
import type { ReasoningEffort, RouterConfig } from '../config/schema.js';
import type { AppliedPlugin, Decision, SessionTrace } from './types.js';

/** The route a conversation is on: what the next turn sticks to. Names and numbers only, never prompt text. */
export interface SessionAnchor {
  /** Decision name (`default` when no decision matched). */
  readonly decision: string;
  readonly model: string;
  readonly use_reasoning: boolean;
  readonly reasoning_effort?: ReasoningEffort;
  readonly category: string;
  readonly confidence: number;
  /** True when the route was a block (or fast_response): the next turn then routes on its own. */
  readonly blocked: boolean;
}

/**
 * Where a turn's session route came from: the route stored with a Responses API `previous_response_id`, the session
 * marker header the client sent back, or the earlier turns replayed from the messages.
 */
export type SessionSource = SessionTrace['source'];

/** The anchor a decision leaves for the next turn. */
export function anchorOf(d: Decision): SessionAnchor {
  return {
    decision: d.decision,
    model: d.model,
    use_reasoning: d.use_reasoning,
    ...(d.use_reasoning && d.reasoning_effort ? { reasoning_effort: d.reasoning_effort } : {}),
    category: d.category,
    confidence: d.confidence,
    blocked: d.blocked !== undefined,
  };
}

const sameRoute = (d: Decision, a: SessionAnchor): boolean => d.model === a.model && d.use_reasoning === a.use_reasoning;

/** Plugins that shape a request (not the blocking ones): what a stuck turn takes from its session's decision. */
const SHAPING_PLUGINS: ReadonlySet<string> = new Set(['system_prompt', 'header_mutation']);

/**
 * The decision `current` becomes when it sticks to `anchor`, or undefined when the config no longer defines that
 * route (renamed decision or model, or a route none of the decision's modelRefs has): then the turn routes alone.
 */
function stickTo(config: RouterConfig, current: Decision, anchor: SessionAnchor, trace: SessionTrace): Decision | undefined {
  const mc = config.providers.models.find((m) => m.name === anchor.model);
  if (!mc) return undefined;
  const dc = config.routing.decisions.find((d) => d.name === anchor.decision);
  const defaultModel = config.providers.defaults.default_model;
  let effort: ReasoningEffort | undefined;
  if (dc && dc.modelRefs.length > 0) {
    const ref = dc.modelRefs.find((r) => r.model === anchor.model && r.use_reasoning === anchor.use_reasoning);
    if (!ref) return undefined;
    if (ref.use_reasoning) effort = ref.reasoning_effort ?? config.providers.defaults.default_reasoning_effort ?? 'medium';
  } else if (anchor.model !== defaultModel || anchor.use_reasoning) return undefined;
  else if (!dc && anchor.decision !== 'default') return undefined;
  const shaping: AppliedPlugin[] = (dc?.plugins ?? []).filter((p) => p.configuration.enabled && SHAPING_PLUGINS.has(p.type));
  const ownPii = current.plugins.filter((p) => p.type === 'pii');
  const { reasoning_effort: _e, reasoning_family: _f, ...rest } = current;
  return {
    ...rest,
    decision: anchor.decision,
    model: mc.name,
    provider_model_id: mc.provider_model_id ?? mc.name,
    use_reasoning: anchor.use_reasoning,
    ...(effort ? { reasoning_effort: effort } : {}),
    ...(mc.reasoning_family ? { reasoning_family: mc.reasoning_family } : {}),
    category: anchor.category,
    confidence: anchor.confidence,
    fallback: false,
    plugins: [...ownPii, ...shaping],
    trace: { ...current.trace, reason: trace.reason, session: trace },
  };
}

const withTrace = (d: Decision, trace: SessionTrace): Decision => ({ ...d, trace: { ...d.trace, session: trace } });

/** The current turn on its own: its decision on its own text alone, and that text's length in model tokens. */
export interface OwnTurn {
  readonly decision: Decision;
  readonly tokens: number;
}

/**
 * One step of the session policy (see the module doc): the decision for the current turn, given the session's
 * anchor (undefined on a conversation's first turn). `current` is the turn's decision on its classified text (the
 * turn and its prior user turns: what guards and plugins act on); `own`, the turn on its own text alone, from which
 * a topic switch is read (the prior turns in `current`'s text dilute a new topic); without it, `current` stands in.
 * `turn` is the current user turn's number (1-based), for the trace. In `per_turn` mode `current` is returned as is.
 */
export function applySession(config: RouterConfig, current: Decision, anchor: SessionAnchor | undefined, source: SessionSource, turn: number, own?: OwnTurn): Decision {
  const s = config.routing.session;
  const base = { mode: s.mode, source, turn, ...(anchor ? { anchor: { decision: anchor.decision, model: anchor.model, use_reasoning: anchor.use_reasoning } } : {}) };
  if (s.mode === 'per_turn') return current;
  if (!anchor) return withTrace(current, { ...base, outcome: 'first_turn', reason: current.trace.reason });
  if (current.passthrough) return withTrace(current, { ...base, outcome: 'passthrough', reason: current.trace.reason });
  if (current.blocked) return withTrace(current, { ...base, outcome: 'blocked', reason: current.trace.reason });
  if (anchor.blocked) return withTrace(current, { ...base, outcome: 'anchor_blocked', reason: `${current.trace.reason} (the earlier turn was blocked: no session route)` });
  const topic = own && !own.decision.blocked ? own.decision : current;
  const tokens = own ? own.tokens : Infinity;
  if (!sameRoute(topic, anchor) && !topic.fallback && topic.confidence >= s.switch_confidence && tokens >= s.min_switch_tokens) {
    const trace: SessionTrace = {
      ...base,
      outcome: 'switched',
      reason: `session: this turn's own text (${Number.isFinite(tokens) ? `${tokens} tokens` : 'its text'}) routes to ${topic.decision} with confidence ${topic.confidence} >= ${s.switch_confidence}: switched from ${anchor.decision}`,
    };
    if (topic === current || sameRoute(current, anchorOf(topic))) return withTrace({ ...current, trace: { ...current.trace, reason: trace.reason } }, trace);
    return stickTo(config, current, anchorOf(topic), trace) ?? withTrace(current, trace);
  }
  if (sameRoute(current, anchor)) return withTrace(current, { ...base, outcome: 'same_route', reason: current.trace.reason });
  const why = sameRoute(topic, anchor)
    ? `is on the session's route`
    : topic.fallback
      ? 'falls back'
      : topic.confidence < s.switch_confidence
        ? `has confidence ${topic.confidence} < ${s.switch_confidence}`
        : `has ${tokens} < ${s.min_switch_tokens} tokens (too short to change the topic)`;
  const trace: SessionTrace = {
    ...base,
    outcome: 'stuck',
    reason: `session: kept ${anchor.decision} (${anchor.model}, reasoning ${anchor.use_reasoning ? 'on' : 'off'}): this turn's own text (${topic.decision}) ${why}`,
    own: { decision: current.decision, model: current.model, use_reasoning: current.use_reasoning },
  };
  return stickTo(config, current, anchor, trace) ?? withTrace(current, { ...base, outcome: 'anchor_unknown', reason: `${current.trace.reason} (the session's route is not in the config)` });
}

/**
 * Replays a conversation's earlier user turns (oldest first, each on its own text alone) through
 * {@link applySession}: the anchor the conversation is on before its current turn. Undefined for an empty history.
 * Each earlier turn stands for itself (its decision on its own text is both `current` and `own`), so a replay costs
 * one classification per earlier turn.
 */
export function replaySession(config: RouterConfig, earlier: readonly OwnTurn[], start?: SessionAnchor): SessionAnchor | undefined {
  let anchor = start;
  earlier.forEach((t, i) => {
    anchor = anchorOf(applySession(config, t.decision, anchor, 'messages', i + 1, t));
  });
  return anchor;
}

// ---- the session marker (header) ----

const MARKER_PREFIX = 's1.';
const LABEL = /^[\w .:/-]{1,128}$/;

function b64urlEncode(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlDecode(s: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  try {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The marker of an anchor: `s1.` + base64url JSON of names and numbers (no prompt text). */
export function encodeSessionMarker(a: SessionAnchor): string {
  return MARKER_PREFIX + b64urlEncode(JSON.stringify([a.decision, a.model, a.use_reasoning ? 1 : 0, a.category, a.confidence, a.blocked ? 1 : 0]));
}

/**
 * Reads a marker back. Junk (wrong prefix, bad base64 or JSON, odd fields, over 1 KiB) is undefined: the turn then
 * routes without a session (the caller notes it), never an error. Whether the route exists is checked later
 * ({@link applySession} only sticks to a route the config defines).
 */
export function decodeSessionMarker(marker: string | undefined): SessionAnchor | undefined {
  if (typeof marker !== 'string' || marker.length > 1024 || !marker.startsWith(MARKER_PREFIX)) return undefined;
  const json = b64urlDecode(marker.slice(MARKER_PREFIX.length));
  if (json === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 6) return undefined;
  const [decision, model, reasoning, category, confidence, blocked] = v as unknown[];
  if (typeof decision !== 'string' || !LABEL.test(decision) || typeof model !== 'string' || !LABEL.test(model)) return undefined;
  if (typeof category !== 'string' || !LABEL.test(category)) return undefined;
  if ((reasoning !== 0 && reasoning !== 1) || (blocked !== 0 && blocked !== 1)) return undefined;
  if (typeof confidence !== 'number' || !Number.isFinite(confidence) || confidence < -1 || confidence > 1) return undefined;
  return { decision, model, use_reasoning: reasoning === 1, category, confidence, blocked: blocked === 1 };
}
