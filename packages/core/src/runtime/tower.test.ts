import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from './artifacts.js';
import { blendDomainScores, domainTowerOf, validateBlend, validateOverrides, withModelTower } from './byo.js';

const CONFIG = { max_length: 128 };
const heads = (tower: unknown) => ({
  heads: [
    { name: 'domain', labels: ['a', 'b', 'c'], temperature: 1, ...(tower === undefined ? {} : { tower }) },
    { name: 'jailbreak', labels: ['benign', 'jailbreak'] },
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
    expect(() => validateOverrides({ pii: { model: 'x', blend: { weight: 0.5, temperature: 1 } } })).toThrow(/only the domain head/);
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
