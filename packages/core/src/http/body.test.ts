import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { MAX_JSON_DEPTH, jsonDepthExceeded, parseJsonBody } from './body.js';

/** Nesting depth of a JSON value (arrays and objects count one level each). */
function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

describe('request body JSON depth', () => {
  it('property: jsonDepthExceeded finds a bracket exactly when the value nests deeper than the limit (brackets in strings do not count)', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a') }), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 6 }), (v, max) => {
        expect(jsonDepthExceeded(JSON.stringify(v), max) >= 0).toBe(depth(v) > max);
      }),
      { numRuns: 2_000, seed: 19 },
    );
  });

  it('parseJsonBody refuses a body nested deeper than MAX_JSON_DEPTH with a 400 that says where, and accepts one at the limit', () => {
    const nest = (d: number) => `{"model":"auto","messages":[{"role":"user","content":"x"}],"metadata":${'['.repeat(d)}1${']'.repeat(d)}}`;
    expect(() => parseJsonBody(nest(MAX_JSON_DEPTH - 1))).not.toThrow();
    let err: unknown;
    try {
      parseJsonBody(nest(100_000));
    } catch (e) {
      err = e;
    }
    expect(HttpError.isError(err)).toBe(true);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).code).toBe('json_too_deep');
    expect((err as HttpError).message).toMatch(/deeper than 128 levels \(at character \d+\)/);
  });
});
