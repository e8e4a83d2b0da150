import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyConfidenceMap, decodePii, l2normalize, parseBioLabels, softmaxT, viterbiWordLabels } from './postprocess.js';

describe('postprocess', () => {
  it('applies the temperature before softmax', () => {
    const p1 = softmaxT([2, 0], 1);
    const p2 = softmaxT([2, 0], 2);
    expect(p1[0]! + p1[1]!).toBeCloseTo(1, 12);
    expect(p2[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(p1[0]!).toBeGreaterThan(p2[0]!);
  });

  it('l2-normalises', () => {
    const v = l2normalize(new Float32Array([3, 4]));
    expect(v[0]).toBeCloseTo(0.6, 6);
    expect(l2normalize(new Float32Array([0, 0]))[0]).toBe(0);
  });

  it('decodes BIO tokens into character spans (I- continues, stray I- starts)', () => {
    const labels = parseBioLabels(['O', 'B-PERSON', 'I-PERSON', 'B-EMAIL_ADDRESS', 'I-EMAIL_ADDRESS']);
    const text = 'Hi John Smith, mail a@b.c now';
    // tokens: Hi, John, Smith, ",", mail, a@b.c, now
    const offs = [0, 2, 3, 7, 8, 13, 13, 14, 15, 19, 20, 25, 26, 29];
    const lab = [0, 1, 2, 0, 0, 4, 0];
    const logits = new Float32Array(7 * 5);
    lab.forEach((l, t) => (logits[t * 5 + l] = 10));
    const spans = decodePii(logits, Int32Array.from(offs), 7, text, { labels, temperature: 1 });
    expect(spans.map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ['PERSON', 'John Smith'],
      ['EMAIL_ADDRESS', 'a@b.c'],
    ]);
    expect(spans[0]!.score).toBeGreaterThan(0.99);
  });

  it('merges touching spans of one type (an email split at punctuation) but keeps spans apart across a space', () => {
    const labels = parseBioLabels(['O', 'B-PERSON', 'I-PERSON', 'B-EMAIL_ADDRESS', 'I-EMAIL_ADDRESS']);
    const text = 'mail maria@ example.com or ann@x.org';
    // tokens: mail, maria, @, example.com, or, ann@, x.org  — model says B at "maria", B at "example.com", B at "ann@", B at "x.org"
    const offs = [0, 4, 5, 10, 10, 11, 12, 23, 24, 26, 27, 31, 31, 36];
    const lab = [0, 3, 4, 3, 0, 3, 3];
    const logits = new Float32Array(7 * 5);
    lab.forEach((l, t) => (logits[t * 5 + l] = 10));
    const spans = decodePii(logits, Int32Array.from(offs), 7, text, { labels, temperature: 1 });
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['maria@', 'example.com', 'ann@x.org']);
  });

  it('chunk vote: one span per whitespace-free chunk, typed by majority, from its first to its last non-O token', () => {
    const labels = parseBioLabels(['O', 'B-PERSON', 'I-PERSON', 'B-IP_ADDRESS', 'I-IP_ADDRESS', 'B-US_SSN', 'I-US_SSN']);
    const text = 'ping 10.0.0.12. my ssn 216-43-0705 ok, Ann Lee Ray';
    // tokens: ping | 10 . 0 . 0 . 12 . | my | ssn | 216 - 43 - 0705 | ok , | Ann | Lee | Ray
    const offs = [0, 4, 5, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 14, 14, 15, 16, 18, 19, 22, 23, 26, 26, 27, 27, 29, 29, 30, 30, 34,
      35, 37, 37, 38, 39, 42, 43, 46, 47, 50];
    const n = offs.length / 2;
    // model: "10" US_SSN, the rest of the IP as I-IP, trailing "." O; "216" B-SSN, "-" O, "43" B-PERSON, "-" O, "0705" I-SSN;
    // "Ann" B-PERSON, "Lee" I-PERSON, "Ray" I-PERSON
    const lab = [0, 5, 4, 4, 4, 4, 4, 4, 0, 0, 0, 5, 0, 1, 0, 6, 0, 0, 1, 2, 2];
    expect(lab.length).toBe(n);
    const logits = new Float32Array(n * 7);
    lab.forEach((l, t) => (logits[t * 7 + l] = 10));
    const spans = decodePii(logits, Int32Array.from(offs), n, text, { labels, temperature: 1, continuation: new Uint8Array(n), chunkVote: true });
    expect(spans.map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ['IP_ADDRESS', '10.0.0.12'],
      ['US_SSN', '216-43-0705'],
      ['PERSON', 'Ann Lee Ray'],
    ]);
    for (const s of spans) expect(s.score).toBeGreaterThan(0.99);
  });

  it('chunk vote: a B- in the next chunk starts a new span; a span that stops inside its chunk is not continued', () => {
    const labels = parseBioLabels(['O', 'B-PERSON', 'I-PERSON']);
    const text = 'Ann Bob, Cy';
    const offs = [0, 3, 4, 7, 7, 8, 9, 11];
    const lab = [1, 1, 0, 2];
    const logits = new Float32Array(4 * 3);
    lab.forEach((l, t) => (logits[t * 3 + l] = 10));
    const spans = decodePii(logits, Int32Array.from(offs), 4, text, { labels, temperature: 1, continuation: new Uint8Array(4), chunkVote: true });
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Ann', 'Bob', 'Cy']);
  });
});

describe('Viterbi word labels (decoding "viterbi_chunk_vote_bio")', () => {
  const labels = parseBioLabels(['O', 'B-PERSON', 'I-PERSON', 'B-GPE', 'I-GPE']);
  const L = labels.length;
  const logitsOf = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());

  it('keeps a name whole when one uncertain token would cut it ("Didier" O, "Chilpéric" I-PERSON by argmax)', () => {
    const text = 'Mr Didier Dumas will see you';
    const offs = Int32Array.from([0, 2, 3, 9, 10, 15, 16, 20, 21, 24, 25, 28]);
    // argmax: Mr O, Didier O (0.55 vs B 0.4), Dumas I-PERSON, rest O: argmax decoding starts the name at "Dumas"
    const rows = [[5, 0, 0, 0, 0], [1.2, 1, -3, -3, -3], [-2, 0.5, 3, -3, -3], [5, 0, 0, 0, 0], [5, 0, 0, 0, 0], [5, 0, 0, 0, 0]];
    const argmax = decodePii(logitsOf(rows), offs, 6, text, { labels, temperature: 1, continuation: new Uint8Array(6), chunkVote: true });
    expect(argmax.map((s) => text.slice(s.start, s.end))).toEqual(['Dumas']);
    const spans = decodePii(logitsOf(rows), offs, 6, text, { labels, temperature: 1, continuation: new Uint8Array(6), chunkVote: true, viterbi: true });
    expect(spans.map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([['PERSON', 'Didier Dumas']]);
    // the score is the lowest probability of the labels chosen, so a forced label can sink a span below a threshold
    expect(spans[0]!.score).toBeLessThan(0.5);
  });

  it('drops a stray I- whose best valid reading is O', () => {
    const text = 'the forms are here';
    const offs = Int32Array.from([0, 3, 4, 9, 10, 13, 14, 18]);
    const rows = [[5, 0, 0, 0, 0], [1, -1, 1.5, -3, -3], [5, 0, 0, 0, 0], [5, 0, 0, 0, 0]];
    const spans = decodePii(logitsOf(rows), offs, 4, text, { labels, temperature: 1, continuation: new Uint8Array(4), chunkVote: true, viterbi: true });
    expect(spans).toEqual([]);
  });

  it('is the best valid BIO sequence: never worse than any other (exhaustive check on short inputs)', () => {
    const isValid = (seq: number[]): boolean =>
      seq.every((j, i) => labels[j]!.tag !== 'I' || (i > 0 && labels[seq[i - 1]!]!.tag !== 'O' && labels[seq[i - 1]!]!.type === labels[j]!.type));
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: L, maxLength: L }), { minLength: 1, maxLength: 4 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (rows, temperature) => {
          const n = rows.length;
          const offs = Int32Array.from(rows.flatMap((_, t) => [2 * t, 2 * t + 1]));
          const logits = logitsOf(rows);
          const got = [...viterbiWordLabels(logits, offs, n, { labels, temperature })];
          expect(isValid(got)).toBe(true);
          const logp = rows.map((r) => [...softmaxT(r, temperature)].map(Math.log));
          const total = (seq: number[]): number => seq.reduce((a, j, t) => a + logp[t]![j]!, 0);
          let best = -Infinity;
          const walk = (seq: number[]): void => {
            if (seq.length === n) {
              if (isValid(seq)) best = Math.max(best, total(seq));
              return;
            }
            for (let j = 0; j < L; j++) walk([...seq, j]);
          };
          walk([]);
          expect(total(got)).toBeGreaterThanOrEqual(best - 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('labels only word-start tokens that cover text (continuation pieces and empty tokens stay -1)', () => {
    const offs = Int32Array.from([0, 3, 3, 5, 6, 6, 7, 9]);
    const cont = Uint8Array.from([0, 1, 0, 0]);
    const got = viterbiWordLabels(new Float32Array(4 * L), offs, 4, { labels, temperature: 1, continuation: cont });
    expect([...got].map((x) => x >= 0)).toEqual([true, false, false, true]);
  });
});

describe('applyConfidenceMap', () => {
  const map = { x: [0.4, 0.67, 0.8, 0.85, 0.88], y: [0.33, 0.44, 0.63, 0.77, 0.93] };

  it('replaces the top probability by the interpolated value and rescales the rest (sum 1, same argmax)', () => {
    const p = applyConfidenceMap(Float64Array.from([0.1, 0.8, 0.1]), map);
    expect(p[1]).toBeCloseTo(0.63, 10);
    expect(p[0]).toBeCloseTo(0.185, 10);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
    // clamped to the end knots outside them
    expect(applyConfidenceMap(Float64Array.from([0.98, 0.02]), map)[0]).toBeCloseTo(0.93, 10);
    expect(applyConfidenceMap(Float64Array.from([0.3, 0.3, 0.2, 0.2]), map)[0]).toBeCloseTo(0.33, 10);
  });

  it('keeps a distribution whose top class stays ahead, by at least half its raw lead', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 2, maxLength: 14 }), fc.double({ min: 0.5, max: 3, noNaN: true }), (logits, t) => {
        const raw = softmaxT(logits, t);
        const top = raw.indexOf(Math.max(...raw));
        const q = applyConfidenceMap(Float64Array.from(raw), map);
        expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        // the top class keeps at least half its raw lead over the runner-up, so near-ties order the same everywhere
        const rawSecond = Math.max(...raw.filter((_, i) => i !== top));
        const second = Math.max(...q.filter((_, i) => i !== top));
        expect(q[top]! - second).toBeGreaterThanOrEqual((raw[top]! - rawSecond) / 2 - 1e-12);
      }),
    );
  });

  it('is monotone in the top probability', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const cLo = applyConfidenceMap(Float64Array.from([lo, 1 - lo]), map)[0]!;
        const cHi = applyConfidenceMap(Float64Array.from([hi, 1 - hi]), map)[0]!;
        expect(cHi).toBeGreaterThanOrEqual(cLo - 1e-12);
      }),
    );
  });
});

