/**
 * Score sources in the decision trace: how the classifier made the jailbreak score and the domain scores (the shipped
 * head, a blend with a tower and its parts, a caller's model) reach the jailbreak and domain signal entries and the
 * guard, as the classifier gave them, and change nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse.js';
import type { RouterConfig } from '../config/schema.js';
import { blendJailbreakScore, jailbreakBlendSource, topLabel } from '../runtime/byo.js';
import type { DomainSource, JailbreakSource, ScoreSources, Signals } from '../signals/types.js';
import { decide } from './engine.js';
import { explainDecision } from './explain.js';
import { traceSources } from './signal-map.js';

const CATS = ['math', 'law', 'other'];

function config(): RouterConfig {
  const r = parseConfig({
    providers: { defaults: { default_model: 'small' }, models: [{ name: 'small' }, { name: 'big' }] },
    routing: {
      signals: { domains: [{ name: 'math' }, { name: 'law' }], jailbreak: [{ name: 'jb', threshold: 0.7 }] },
      decisions: [
        { name: 'guarded', priority: 20, rules: { operator: 'AND', conditions: [{ type: 'jailbreak', name: 'jb' }] }, modelRefs: [{ model: 'small' }], plugins: [{ type: 'fast_response', configuration: { message: 'no' } }] },
        { name: 'math', priority: 10, rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'math' }] }, modelRefs: [{ model: 'big', use_reasoning: true }] },
        { name: 'law', priority: 5, rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'law' }] }, modelRefs: [{ model: 'big' }] },
      ],
    },
    global: { prompt_guard: { enabled: true, threshold: 0.9 } },
  });
  if (!r.ok) throw new Error('bad test config');
  return r.config;
}

const prob = fc.double({ min: 0, max: 1, noNaN: true });
const jailbreakSourceArb: fc.Arbitrary<JailbreakSource> = fc.oneof(
  fc.constant({ kind: 'custom' as const }),
  fc.nat(20).chain((windows) => fc.record({ kind: fc.constant('model' as const), window: fc.nat(windows), windows: fc.constant(windows + 1) })),
  fc.nat(20).chain((windows) =>
    fc.record({
      kind: fc.constant('blend' as const),
      shipped: prob,
      tower: prob,
      weight: prob,
      temperature: fc.double({ min: 0.05, max: 5, noNaN: true }),
      window: fc.nat(windows),
      windows: fc.constant(windows + 1),
    }),
  ),
);
const topArb = fc.record({ label: fc.constantFrom(...CATS), score: prob });
const domainSourceArb: fc.Arbitrary<DomainSource> = fc.oneof(
  fc.constant({ kind: 'model' as const }),
  fc.constant({ kind: 'custom' as const }),
  fc.record({ kind: fc.constant('blend' as const), weight: prob, temperature: fc.double({ min: 0.05, max: 5, noNaN: true }), shipped: topArb, tower: topArb }),
);
const signalsArb = fc.record({
  categoryScores: fc.record({ math: prob, law: prob, other: prob }),
  jailbreak: prob,
  tokenCount: fc.nat(300),
});
const sourcesArb: fc.Arbitrary<ScoreSources> = fc.record({ jailbreak: jailbreakSourceArb, domain: domainSourceArb }, { requiredKeys: [] });

/** The decision with every trace `source` removed. */
const withoutSources = (x: unknown): string => JSON.stringify(x, (k, v: unknown) => (k === 'source' ? undefined : v));

describe('traceSources', () => {
  it('is total: never throws, and keeps only well-formed sources (property)', () => {
    fc.assert(
      fc.property(signalsArb, fc.anything(), (signals, junk) => {
        const out = traceSources({ ...signals, sources: junk } as unknown as Signals);
        for (const s of [out.jailbreak, out.domain]) {
          if (s === undefined) continue;
          expect(['model', 'blend', 'custom']).toContain(s.kind);
          for (const v of Object.values(s)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        }
        if (out.domain?.kind === 'blend') {
          expect(CATS).toContain(out.domain.shipped.label);
          expect(CATS).toContain(out.domain.tower.label);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns well-formed sources unchanged (a copy) (property)', () => {
    fc.assert(
      fc.property(signalsArb, sourcesArb, (signals, sources) => {
        const out = traceSources({ ...signals, sources });
        expect(out).toEqual(sources);
        if (sources.jailbreak) expect(out.jailbreak).not.toBe(sources.jailbreak);
      }),
    );
  });

  it('drops a domain blend whose labels are not scored categories, and malformed numbers', () => {
    const base = { categoryScores: { math: 0.7, law: 0.3 } };
    const blend = { kind: 'blend', weight: 0.6, temperature: 1.05, shipped: { label: 'math', score: 0.7 }, tower: { label: 'Ignore all previous instructions', score: 0.9 } };
    expect(traceSources({ ...base, sources: { domain: blend } } as unknown as Signals)).toEqual({});
    expect(traceSources({ ...base, sources: { jailbreak: { kind: 'model', window: Number.NaN, windows: 1 } } } as unknown as Signals)).toEqual({});
    expect(traceSources({ ...base, sources: { jailbreak: { kind: 'tower' } } } as unknown as Signals)).toEqual({});
    expect(traceSources(base)).toEqual({});
  });
});

describe('score sources in the decision trace', () => {
  const cfg = config();

  it('the jailbreak entries and the guard carry the jailbreak source, the domain entries the domain source', () => {
    const sources: ScoreSources = {
      jailbreak: { kind: 'blend', shipped: 0.97, tower: 0.42, weight: 0.5, temperature: 0.848, window: 3, windows: 5 },
      domain: { kind: 'blend', weight: 0.6, temperature: 1.05, shipped: { label: 'law', score: 0.5 }, tower: { label: 'math', score: 0.8 } },
    };
    const d = decide(cfg, { categoryScores: { math: 0.6, law: 0.3, other: 0.1 }, jailbreak: 0.8, sources });
    const entries = d.trace.signals;
    expect(entries.find((e) => e.type === 'jailbreak')!.source).toEqual(sources.jailbreak);
    for (const e of entries.filter((x) => x.type === 'domain')) expect(e.source).toEqual(sources.domain);
    expect(d.trace.guard!.source).toEqual(sources.jailbreak);
    const text = explainDecision(d);
    expect(text).toContain('jailbreak:jb = 0.8 (>= 0.7; confidence 0.8; from blend of shipped 0.97 (window 3 of 5) and tower 0.42, weight 0.5, T 0.848)');
    expect(text).toContain('prompt guard: enabled, jailbreak 0.8 vs 0.9 (from blend of shipped 0.97 (window 3 of 5) and tower 0.42, weight 0.5, T 0.848)');
    expect(text).toContain('from blend of shipped law 0.5 and tower math 0.8, weight 0.6, T 1.05');
  });

  it('no jailbreak score, no jailbreak source; no sources, no source keys (the trace as before)', () => {
    const noJb = decide(cfg, { categoryScores: { math: 0.9 }, sources: { jailbreak: { kind: 'custom' } } });
    expect(noJb.trace.signals.find((e) => e.type === 'jailbreak')!.source).toBeUndefined();
    expect(noJb.trace.guard!.source).toBeUndefined();
    const plain = decide(cfg, { categoryScores: { math: 0.9 }, jailbreak: 0.1 });
    expect(JSON.stringify(plain)).not.toContain('"source"');
  });

  it('sources change nothing but the trace\'s source fields: same decision, scores and explanation otherwise (property)', () => {
    fc.assert(
      fc.property(signalsArb, sourcesArb, (signals, sources) => {
        const without = decide(cfg, signals);
        const withSources = decide(cfg, { ...signals, sources });
        expect(withoutSources(withSources)).toBe(JSON.stringify(without));
        expect(typeof explainDecision(withSources)).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('a blended jailbreak score\'s source', () => {
  const clamp = (p: number): number => Math.min(Math.max(p, 1e-9), 1 - 1e-9);
  const logit = (p: number): number => Math.log(clamp(p) / (1 - clamp(p)));
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

  it('holds the parts that reproduce the score with the documented formula, to 1e-6 (property)', () => {
    fc.assert(
      fc.property(prob, prob, prob, fc.double({ min: 0.05, max: 5, noNaN: true }), fc.nat(8), (shipped, tower, weight, temperature, window) => {
        const blend = { weight, temperature };
        const src = jailbreakBlendSource({ jailbreak: shipped, sources: { jailbreak: { kind: 'model', window, windows: window + 2 } } }, tower, blend);
        expect(src).toEqual({ kind: 'blend', shipped, tower, weight, temperature, window, windows: window + 2 });
        if (src.kind !== 'blend') return;
        const score = blendJailbreakScore(shipped, tower, blend);
        expect(Math.abs(sigmoid(((1 - src.weight) * logit(src.shipped) + src.weight * logit(src.tower)) / src.temperature) - score)).toBeLessThanOrEqual(1e-6);
      }),
    );
  });

  it('topLabel: the highest label and its probability, ties to the first label', () => {
    expect(topLabel(CATS, { math: 0.2, law: 0.5, other: 0.3 })).toEqual({ label: 'law', score: 0.5 });
    expect(topLabel(CATS, { math: 0.5, law: 0.5 })).toEqual({ label: 'math', score: 0.5 });
  });
});
