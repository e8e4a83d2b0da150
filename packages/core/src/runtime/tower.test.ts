import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from './artifacts.js';
import { hasModelTower } from './artifacts.js';
import { blendDomainScores, blendJailbreakScore, domainTowerOf, groupHeadModels, towerOf, validateBlend, validateOverrides, withModelTower } from './byo.js';

const CONFIG = { max_length: 128 };
const heads = (tower: unknown, jailbreakTower?: unknown) => ({
  heads: [
    { name: 'domain', labels: ['a', 'b', 'c'], temperature: 1, ...(tower === undefined ? {} : { tower }) },
    { name: 'jailbreak', labels: ['benign', 'jailbreak'], ...(jailbreakTower === undefined ? {} : { tower: jailbreakTower }) },
    { name: 'pii', labels: ['O', 'B-PERSON', 'I-PERSON'] },
  ],
});

describe('heads.json domain tower', () => {
  it('parses a tower and adds it as a blended domain model unless the caller brings one', () => {
    const spec = parseModelSpec(CONFIG, heads({ folder: 'towers/use-lite', blend: { weight: 0.7, temperature: 1.15 } }));
    expect(domainTowerOf(spec)).toEqual({ folder: 'towers/use-lite', output: 'logits', temperature: 1, blend: { weight: 0.7, temperature: 1.15 } });
    const o = withModelTower({}, spec, (f) => `/m/${f}`);
    expect(o.domain).toMatchObject({ model: '/m/towers/use-lite', inModelFolder: true, blend: { weight: 0.7, temperature: 1.15 }, labels: ['a', 'b', 'c'] });
    const mine = { domain: { model: '/elsewhere' } };
    expect(withModelTower(mine, spec)).toBe(mine);
    expect(withModelTower({}, parseModelSpec(CONFIG, heads(undefined)))).toEqual({});
  });

  it.each([
    [{ folder: '../outside', blend: { weight: 0.5 } }, /relative sub-folder/],
    [{ folder: '/abs', blend: { weight: 0.5 } }, /relative sub-folder/],
    [{ folder: 'towers/x' }, /blend needs/],
    [{ folder: 'towers/x', blend: { weight: 1.5 } }, /blend needs/],
    [{ folder: 'towers/x', blend: { weight: 0.5, temperature: 0 } }, /blend needs/],
    [{ folder: 'towers/x', temperature: -1, blend: { weight: 0.5 } }, /temperature must be > 0/],
  ])('rejects a malformed tower %j with a clear error', (tower, msg) => {
    expect(() => domainTowerOf(parseModelSpec(CONFIG, heads(tower)))).toThrow(msg);
  });

  it('validates blends given by callers', () => {
    expect(() => validateOverrides({ pii: { model: 'x', blend: { weight: 0.5, temperature: 1 } } })).toThrow(/heads\.pii\.blend: only the domain and jailbreak heads/);
    expect(validateOverrides({ jailbreak: { model: 'x', blend: { weight: 0.5, temperature: 2 } } })).toEqual({ jailbreak: { model: 'x', blend: { weight: 0.5, temperature: 2 } } });
    expect(() => validateOverrides({ jailbreak: { model: 'x', blend: { weight: 0.5, temperature: 0 } } })).toThrow(/heads\.jailbreak\.blend\.temperature: expected a positive number/);
    expect(() => validateOverrides({ domain: { model: 'x', blend: { weight: -0.1, temperature: 1 } } })).toThrow(/heads\.domain\.blend\.weight/);
    expect(validateBlend({ weight: 0.25 }, 'b')).toEqual({ weight: 0.25, temperature: 1 });
  });
});

describe('blendDomainScores', () => {
  const labels = ['a', 'b', 'c'];
  const dist = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })).map((v) => {
    const s = v.reduce((x, y) => x + y, 0) || 1;
    return Object.fromEntries(labels.map((l, i) => [l, v[i]! / s]));
  });
  it('is a probability distribution; weight 0 / 1 at temperature 1 give back one side', () => {
    fc.assert(
      fc.property(dist, dist, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true }), (p, q, weight, temperature) => {
        const r = blendDomainScores(labels, p, q, { weight, temperature });
        const sum = Object.values(r).reduce((x, y) => x + y, 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
        for (const v of Object.values(r)) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
    );
    const p = { a: 0.5, b: 0.3, c: 0.2 };
    const q = { a: 0.1, b: 0.1, c: 0.8 };
    const w0 = blendDomainScores(labels, p, q, { weight: 0, temperature: 1 });
    const w1 = blendDomainScores(labels, p, q, { weight: 1, temperature: 1 });
    for (const l of labels) {
      expect(w0[l]).toBeCloseTo(p[l as 'a'], 9);
      expect(w1[l]).toBeCloseTo(q[l as 'a'], 9);
    }
  });
});

describe('heads.json jailbreak tower', () => {
  const domainTower = { folder: 'towers/use-lite', blend: { weight: 0.6, temperature: 1.05 } };
  const jbTower = { folder: 'towers/use-lite', output: 'jailbreak_logits', temperature: 2, blend: { weight: 0.4, temperature: 1.1 } };

  it('parses it and adds it, beside the domain tower, as one model serving both heads', () => {
    const spec = parseModelSpec(CONFIG, heads(domainTower, jbTower));
    expect(hasModelTower(spec)).toBe(true);
    expect(towerOf(spec, 'jailbreak')).toEqual({ folder: 'towers/use-lite', output: 'jailbreak_logits', temperature: 2, blend: { weight: 0.4, temperature: 1.1 } });
    const o = withModelTower({}, spec, (f) => `/m/${f}`);
    expect(o.jailbreak).toEqual({ model: '/m/towers/use-lite', inModelFolder: true, output: 'jailbreak_logits', temperature: 2, blend: { weight: 0.4, temperature: 1.1 }, labels: ['benign', 'jailbreak'] });
    expect(o.domain).toMatchObject({ model: '/m/towers/use-lite', output: 'logits', labels: ['a', 'b', 'c'] });
    // Same folder and file: one group, so one session and one run per prompt for both heads.
    const groups = groupHeadModels(o);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.heads.map(([h]) => h)).toEqual(['domain', 'jailbreak']);
  });

  it('a jailbreak tower alone (no domain tower) is added alone; a caller\'s jailbreak model replaces it', () => {
    const spec = parseModelSpec(CONFIG, heads(undefined, jbTower));
    expect(hasModelTower(spec)).toBe(true);
    expect(Object.keys(withModelTower({}, spec))).toEqual(['jailbreak']);
    const mine = { jailbreak: { model: '/elsewhere' } };
    expect(withModelTower(mine, spec)).toBe(mine);
    const both = withModelTower(mine, parseModelSpec(CONFIG, heads(domainTower, jbTower)));
    expect(both.jailbreak).toBe(mine.jailbreak);
    expect(both.domain).toMatchObject({ inModelFolder: true });
    expect(hasModelTower(parseModelSpec(CONFIG, heads(undefined)))).toBe(false);
  });

  it('groups only heads that run the same model the same way', () => {
    const g = groupHeadModels({
      domain: { model: 'a' },
      jailbreak: { model: 'a', file: 'onnx/other.onnx' },
      pii: { model: 'a' },
    });
    expect(g.map((x) => x.heads.map(([h]) => h))).toEqual([['domain'], ['jailbreak'], ['pii']]);
    expect(groupHeadModels({ domain: { model: 'a', maxLength: 64 }, jailbreak: { model: 'a' } })).toHaveLength(2);
    expect(groupHeadModels({ domain: { model: 'a' }, jailbreak: { model: 'a', file: 'onnx/model.onnx' } })).toHaveLength(1);
    expect(groupHeadModels({})).toEqual([]);
  });

  it.each([
    [{ folder: '../outside', blend: { weight: 0.5 } }, /heads\.json: jailbreak 'tower' needs "folder"/],
    [{ folder: 'towers/x' }, /heads\.json: jailbreak 'tower'\.blend needs/],
    [{ folder: 'towers/x', blend: { weight: -0.5 } }, /heads\.json: jailbreak 'tower'\.blend needs/],
    [{ folder: 'towers/x', blend: { weight: 0.5, temperature: 0 } }, /heads\.json: jailbreak 'tower'\.blend needs/],
    [{ folder: 'towers/x', temperature: 0, blend: { weight: 0.5 } }, /heads\.json: jailbreak 'tower'\.temperature must be > 0/],
    [{ folder: 'towers/x', output: 7, blend: { weight: 0.5 } }, /heads\.json: jailbreak 'tower'\.output must be the name of a graph output, such as "jailbreak_logits"/],
  ])('rejects a malformed jailbreak tower %j with a clear error', (tower, msg) => {
    const spec = parseModelSpec(CONFIG, heads(undefined, tower));
    expect(() => towerOf(spec, 'jailbreak')).toThrow(msg);
    expect(() => withModelTower({}, spec)).toThrow(msg);
  });
});

describe('blendJailbreakScore', () => {
  const p = fc.double({ min: 0, max: 1, noNaN: true });
  const logit = (x: number) => Math.log(x / (1 - x));
  it('is sigmoid(((1 − w) logit(p_shipped) + w logit(p_tower)) / T)', () => {
    const r = blendJailbreakScore(0.9, 0.2, { weight: 0.3, temperature: 1.5 });
    expect(r).toBeCloseTo(1 / (1 + Math.exp(-((0.7 * logit(0.9) + 0.3 * logit(0.2)) / 1.5))), 14);
    // Two labels: the same as the domain blend over [benign, jailbreak].
    const d = blendDomainScores(['b', 'j'], { b: 0.1, j: 0.9 }, { b: 0.8, j: 0.2 }, { weight: 0.3, temperature: 1.5 });
    expect(r).toBeCloseTo(d.j!, 12);
  });

  it('weight 0 gives the shipped score and weight 1 the tower\'s, exactly (temperature 1)', () => {
    fc.assert(
      fc.property(p, p, (s, t) => {
        expect(blendJailbreakScore(s, t, { weight: 0, temperature: 1 })).toBe(s);
        expect(blendJailbreakScore(s, t, { weight: 1, temperature: 1 })).toBe(t);
      }),
    );
  });

  it('clamps 0 and 1 to [1e-9, 1 − 1e-9]: always a finite probability, never NaN', () => {
    expect(blendJailbreakScore(0, 1, { weight: 0.5, temperature: 1 })).toBeCloseTo(0.5, 12);
    expect(blendJailbreakScore(1, 1, { weight: 0.5, temperature: 1 })).toBeCloseTo(1 - 1e-9, 12);
    expect(blendJailbreakScore(0, 0, { weight: 0.5, temperature: 1 })).toBeCloseTo(1e-9, 15);
    expect(blendJailbreakScore(1, 0.5, { weight: 0.25, temperature: 1 })).toBeCloseTo(1 / (1 + Math.exp(-0.75 * logit(1 - 1e-9))), 12);
    fc.assert(
      fc.property(p, p, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 20, noNaN: true }), (s, t, weight, temperature) => {
        const r = blendJailbreakScore(s, t, { weight, temperature });
        expect(r >= 0 && r <= 1).toBe(true);
      }),
    );
  });

  it('rises with either score (a higher shipped or tower score never lowers the result)', () => {
    fc.assert(
      fc.property(p, p, p, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 5, noNaN: true }), (a, b, t, weight, temperature) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(blendJailbreakScore(lo, t, { weight, temperature })).toBeLessThanOrEqual(blendJailbreakScore(hi, t, { weight, temperature }) + 1e-12);
        expect(blendJailbreakScore(t, lo, { weight, temperature })).toBeLessThanOrEqual(blendJailbreakScore(t, hi, { weight, temperature }) + 1e-12);
      }),
    );
  });
});
