import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VectorBucket, packInt8, quantize, similarity } from './vector.js';

const unit = (v: number[]): Float32Array => {
  const n = Math.hypot(...v) || 1;
  return Float32Array.from(v, (x) => x / n);
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const vec = (dim: number) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: dim, maxLength: dim }).filter((v) => v.some((x) => Math.abs(x) > 1e-3));

describe('int8 vectors', () => {
  it('the int8 similarity is within 0.02 of the float cosine (256 dimensions)', () => {
    fc.assert(
      fc.property(vec(256), vec(256), (a, b) => {
        const fa = unit(a);
        const fb = unit(b);
        expect(Math.abs(similarity(quantize(fa), quantize(fb)) - dot(fa, fb))).toBeLessThan(0.02);
      }),
      { numRuns: 200 },
    );
  });

  it('packs four lanes per word, sign included, any length', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -127, max: 127 }), { minLength: 1, maxLength: 37 }), (xs) => {
        const packed = packInt8(Int8Array.from(xs));
        expect(packed.length).toBe(Math.ceil(xs.length / 4));
        xs.forEach((x, k) => expect((packed[k >> 2]! << (24 - (k & 3) * 8)) >> 24).toBe(x));
      }),
    );
  });

  it('a bucket search returns what a brute-force scan does, best first, after adds and removes', () => {
    fc.assert(
      fc.property(
        fc.array(vec(12), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        vec(12),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (vs, removals, query, threshold) => {
          const b = new VectorBucket<number>(12, 2);
          const qs = vs.map((v) => quantize(unit(v)));
          qs.forEach((q, i) => b.add(i, q));
          const removed = new Set(removals.map((r) => r % vs.length));
          for (const r of removed) b.remove(r);
          const q = quantize(unit(query));
          const expected = qs
            .map((v, id) => ({ id, similarity: similarity(q, v) }))
            .filter((h) => !removed.has(h.id) && h.similarity >= threshold)
            .sort((x, y) => y.similarity - x.similarity);
          const got = b.search(q, threshold, 1000);
          expect(b.size).toBe(vs.length - removed.size);
          expect(got.map((h) => h.similarity)).toEqual(expected.map((h) => expect.closeTo(h.similarity, 9)));
          expect(new Set(got.map((h) => h.id))).toEqual(new Set(expected.map((h) => h.id)));
        },
      ),
    );
  });

  it('rejects a vector of another dimension with a clear error', () => {
    const b = new VectorBucket<number>(4);
    expect(() => b.add(1, quantize([1, 0, 0]))).toThrow(/length 3 in a bucket of dimension 4/);
  });
});
