import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import type { RouterConfig } from '../config/schema.js';
import { Router } from '../router.js';
import type { Classifier, ClassifierSignals, Signals } from '../signals/types.js';
import { decide } from './engine.js';
import { explainDecision } from './explain.js';
import { anchorOf, applySession, decodeSessionMarker, encodeSessionMarker, replaySession, type SessionAnchor } from './session.js';

const cfg = (mode: 'sticky' | 'per_turn' = 'sticky', extra: Record<string, unknown> = {}): RouterConfig =>
  loadConfigOrThrow({
    providers: {
      defaults: { default_model: 'small' },
      models: [{ name: 'small', reasoning_family: 'qwen3' }, { name: 'big', reasoning_family: 'qwen3', provider_model_id: 'org/big' }],
    },
    routing: {
      session: { mode, switch_confidence: 0.7, min_switch_tokens: 0, ...extra },
      signals: { domains: [{ name: 'math' }, { name: 'history' }, { name: 'other' }], jailbreak: [{ name: 'jb', threshold: 0.8 }] },
      decisions: [
        { name: 'block', priority: 1000, rules: { operator: 'OR', conditions: [{ type: 'jailbreak', name: 'jb' }] }, plugins: [{ type: 'fast_response', configuration: { message: 'no' } }] },
        {
          name: 'math_route',
          priority: 100,
          rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'math' }] },
          modelRefs: [{ model: 'big', use_reasoning: true, reasoning_effort: 'high' }],
          plugins: [{ type: 'system_prompt', configuration: { system_prompt: 'Think step by step.' } }],
        },
        { name: 'history_route', priority: 100, rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'history' }] }, modelRefs: [{ model: 'small' }] },
        { name: 'other_route', priority: 100, rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'other' }] }, modelRefs: [{ model: 'small' }] },
      ],
    },
    global: { classifier: { domain: { threshold: 0.4 } } },
  });

const sig = (cat: string, p: number, jailbreak = 0): Signals => ({ categoryScores: { [cat]: p, zz: 0.01 }, jailbreak });

describe('applySession (sticky)', () => {
  const c = cfg();
  const math = decide(c, sig('math', 0.9));
  const anchor = anchorOf(math);

  it('keeps the session route when a turn is not confidently elsewhere; the trace says stickiness decided', () => {
    const followUp = decide(c, sig('other', 0.5));
    expect(followUp.model).toBe('small');
    const d = applySession(c, followUp, anchor, 'messages', 2);
    expect(d).toMatchObject({ decision: 'math_route', model: 'big', provider_model_id: 'org/big', use_reasoning: true, reasoning_effort: 'high', reasoning_family: 'qwen3', category: 'math' });
    expect(d.plugins.map((p) => p.type)).toEqual(['system_prompt']);
    expect(d.trace.session).toMatchObject({ outcome: 'stuck', source: 'messages', turn: 2, own: { decision: 'other_route', model: 'small' } });
    expect(d.trace.reason).toMatch(/^session: kept math_route/);
    expect(explainDecision(d)).toContain('session (sticky, from messages, turn 2): stuck; session route math_route → big, reasoning on; this turn alone: other_route → small');
  });

  it('moves on a confident new route, and a fallback never moves it', () => {
    const hist = decide(c, sig('history', 0.85));
    expect(applySession(c, hist, anchor, 'messages', 2)).toMatchObject({ decision: 'history_route', model: 'small', trace: { session: { outcome: 'switched' } } });
    const unsure = decide(c, sig('history', 0.3)); // below the domain threshold: falls back
    expect(applySession(c, unsure, anchor, 'messages', 2).trace.session!.outcome).toBe('stuck');
  });

  it('never skips a guard, and a blocked earlier turn is not a route to keep', () => {
    const blocked = decide(c, sig('other', 0.5, 0.95));
    expect(applySession(c, blocked, anchor, 'header', 3)).toMatchObject({ response_path: 'blocked', trace: { session: { outcome: 'blocked' } } });
    const afterBlock = applySession(c, decide(c, sig('other', 0.5)), anchorOf(blocked), 'messages', 2);
    expect(afterBlock).toMatchObject({ model: 'small', trace: { session: { outcome: 'anchor_blocked' } } });
  });

  it('reads the switch from the turn on its own text, and a short turn never switches', () => {
    const g = cfg('sticky', { min_switch_tokens: 14 });
    const withPriors = decide(g, sig('math', 0.6)); // the prior math turns dominate the classified text
    const alone = decide(g, sig('history', 0.9));
    expect(applySession(g, withPriors, anchor, 'messages', 3, { decision: alone, tokens: 20 })).toMatchObject({
      decision: 'history_route',
      model: 'small',
      use_reasoning: false,
      trace: { session: { outcome: 'switched' } },
    });
    const short = applySession(g, decide(g, sig('history', 0.9)), anchor, 'messages', 3, { decision: alone, tokens: 6 });
    expect(short).toMatchObject({ decision: 'math_route', model: 'big', trace: { session: { outcome: 'stuck' } } });
    expect(short.trace.reason).toContain('6 < 14 tokens');
  });

  it('same route: the turn keeps its own decision; per_turn: no session at all', () => {
    expect(applySession(c, decide(c, sig('math', 0.45)), anchor, 'messages', 2).trace.session!.outcome).toBe('same_route');
    const p = cfg('per_turn');
    const own = decide(p, sig('other', 0.5));
    expect(applySession(p, own, anchor, 'messages', 2)).toBe(own);
  });

  it('only sticks to a route the config defines (a forged or stale anchor routes the turn alone)', () => {
    const own = decide(c, sig('other', 0.5));
    const forged: SessionAnchor[] = [
      { ...anchor, use_reasoning: false }, // math_route has no such modelRef
      { ...anchor, decision: 'nope' },
      { ...anchor, model: 'gpt-huge' },
      { ...anchor, decision: 'default', model: 'big' },
    ];
    for (const a of forged) expect(applySession(c, own, a, 'header', 2)).toMatchObject({ model: 'small', trace: { session: { outcome: 'anchor_unknown' } } });
  });

  it('replaySession: the route moves with confident switches and stays through follow-ups', () => {
    const turns = [sig('math', 0.9), sig('other', 0.5), sig('history', 0.9), sig('other', 0.5)].map((s) => ({ decision: decide(c, s), tokens: 20 }));
    expect(replaySession(c, turns.slice(0, 2))).toMatchObject({ decision: 'math_route' });
    // the last follow-up routes to other_route: the same model and reasoning setting, so it keeps its own decision
    expect(replaySession(c, turns)).toMatchObject({ decision: 'other_route', model: 'small', use_reasoning: false });
    expect(replaySession(c, turns.slice(0, 3))).toMatchObject({ decision: 'history_route' });
    expect(replaySession(c, [])).toBeUndefined();
  });

  it('is total and deterministic over arbitrary anchors and signals (property)', () => {
    const anchorArb = fc.record({
      decision: fc.constantFrom('math_route', 'history_route', 'other_route', 'block', 'default', 'x'),
      model: fc.constantFrom('small', 'big', 'y'),
      use_reasoning: fc.boolean(),
      category: fc.constantFrom('math', 'history', 'other'),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      blocked: fc.boolean(),
    });
    fc.assert(
      fc.property(anchorArb, fc.constantFrom('math', 'history', 'other'), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, cat, p, jb) => {
        const own = decide(c, sig(cat, p, jb));
        const d = applySession(c, own, a, 'header', 2);
        expect(applySession(c, own, a, 'header', 2)).toEqual(d);
        // blocks always come from the turn itself; a route is only ever one the config defines
        expect(d.blocked).toEqual(own.blocked);
        if (d.trace.session!.outcome === 'stuck') {
          const ref = c.routing.decisions.find((x) => x.name === d.decision)?.modelRefs.find((r) => r.model === d.model && r.use_reasoning === d.use_reasoning);
          expect(ref ?? (d.model === 'small' && !d.use_reasoning)).toBeTruthy();
        } else expect(d.model).toBe(own.model);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('session marker', () => {
  it('round-trips an anchor, and junk decodes to undefined (never throws)', () => {
    const a: SessionAnchor = { decision: 'math_route', model: 'big', use_reasoning: true, category: 'computer science', confidence: 0.8123, blocked: false };
    const m = encodeSessionMarker(a);
    expect(m).toMatch(/^s1\.[A-Za-z0-9_-]+$/);
    expect(decodeSessionMarker(m)).toEqual(a);
    for (const junk of ['', 's1.', 's1.!!', 'x1.abc', `s1.${btoa('[1,2]')}`, `s1.${btoa(JSON.stringify(['a\nb', 'm', 1, 'c', 0.5, 0]))}`, 's1.' + 'A'.repeat(2000)]) {
      expect(decodeSessionMarker(junk)).toBeUndefined();
    }
    fc.assert(fc.property(fc.string(), (s) => void decodeSessionMarker(`s1.${s}`)), { numRuns: 500 });
  });
});

/** Category by keyword: "integral" → math, "war" → history, else other at 0.5. */
class Fake implements Classifier {
  readonly backend = 'fake';
  batches: number[] = [];
  async classify(texts: readonly string[]): Promise<ClassifierSignals[]> {
    this.batches.push(texts.length);
    return texts.map((t) => {
      const first = t.split('\n\n')[0]!; // the current turn comes first in the classified text
      const cat = /integral/.test(first) ? 'math' : /war\b/.test(first) ? 'history' : 'other';
      return { categoryScores: { [cat]: cat === 'other' ? 0.5 : 0.9, zz: 0.1 }, jailbreak: 0, pii: [], tokenCount: 5 };
    });
  }
  async dispose(): Promise<void> {}
}

describe('Router.route with routing.session', () => {
  const convo = (...turns: string[]) => ({
    model: 'auto',
    messages: turns.flatMap((t, i) => (i < turns.length - 1 ? [{ role: 'user', content: t }, { role: 'assistant', content: 'ok' }] : [{ role: 'user', content: t }])),
  });

  it('replays earlier user turns from the messages (one classifier batch) and keeps the route; per_turn does not', async () => {
    const fake = new Fake();
    const r = new Router({ config: cfg(), classifier: fake });
    const res = await r.route(convo('Compute the integral of x', 'thanks, make it shorter'));
    expect(res.decision).toMatchObject({ decision: 'math_route', model: 'big', use_reasoning: true });
    expect(res.decision.trace.session).toMatchObject({ outcome: 'stuck', source: 'messages', turn: 2 });
    expect(fake.batches).toEqual([3]); // the classified text, the current turn alone, the first turn alone
    expect(res.body.model).toBe('org/big');
    expect(res.headers['x-semroute-session']).toBe(encodeSessionMarker(res.session));
    const per = await new Router({ config: cfg('per_turn'), classifier: new Fake() }).route(convo('Compute the integral of x', 'thanks, make it shorter'));
    expect(per.decision.model).toBe('small');
    expect(per.headers['x-semroute-session']).toBeUndefined();
  });

  it('a switch becomes the route that later follow-ups keep', async () => {
    const r = new Router({ config: cfg(), classifier: new Fake() });
    const res = await r.route(convo('Compute the integral of x', 'shorter', 'Who won the war of 1812?', 'thanks, shorter please'));
    expect(res.decision).toMatchObject({ model: 'small', use_reasoning: false });
    expect(res.decision.trace.session).toMatchObject({ outcome: 'same_route', anchor: { decision: 'history_route' } });
  });

  it('the session header carries the route: no replay; a junk header is noted and ignored', async () => {
    const fake = new Fake();
    const r = new Router({ config: cfg(), classifier: fake });
    const marker = encodeSessionMarker({ decision: 'math_route', model: 'big', use_reasoning: true, category: 'math', confidence: 0.9, blocked: false });
    const res = await r.route(convo('first', 'thanks, make it shorter'), { headers: { 'X-Semroute-Session': marker } });
    expect(res.decision).toMatchObject({ model: 'big', trace: { session: { source: 'header', outcome: 'stuck' } } });
    expect(fake.batches).toEqual([2]); // the classified text and the current turn alone: no replay
    const junk = await r.route(convo('thanks'), { headers: { 'x-semroute-session': 'nonsense' } });
    expect(junk.decision.trace.notes).toContain('x-semroute-session ignored: not a session marker of this router');
  });

  it('max_turns bounds the replay', async () => {
    const fake = new Fake();
    const r = new Router({ config: cfg('sticky', { max_turns: 2 }), classifier: fake });
    const res = await r.route(convo('Compute the integral of x', 'a', 'b', 'c'));
    expect(fake.batches).toEqual([4]); // the classified text, the current turn alone, the two turns before it
    expect(res.decision.model).toBe('small'); // the integral turn is outside the window
  });
});
