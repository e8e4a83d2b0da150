/**
 * The TypeScript `semroute-ner` runtime against the Python reference (`models/pipeline/ner/ner_features.py`), on the
 * vectors `make_vectors.py` wrote for a seeded random-weight file (test/fixtures/ner; regenerate with
 * `cd models/pipeline/ner && python3 make_vectors.py --random F.bin && python3 make_vectors.py F.bin F.vectors.json`,
 * the JSON then re-serialised without indentation), plus the file parser's errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NER_LABELS, nerFileBytes, nerFileFor, nerHeader } from '../../test/ner-files.js';
import { registryFromSettings } from './pii-custom-recognizers.js';
import { fnv1a, growNerNames, mergeNer, naturalNerRecognizer, nerReportedScore, type NerMergeMode, type NerModel, type NerSpan, parseNerFile } from './pii-ner.js';
import { BUILTIN_PII_RECOGNIZERS, MODEL_RECOGNIZER, NATURAL_NER_RECOGNIZER, RecognizerRegistry } from './pii-recognizers.js';
import { COMPANY_WORD, INSTITUTION_WORD } from './pii-refine.js';
import type { PiiSpan } from './types.js';

const FIXTURES = new URL('../../test/fixtures/ner/', import.meta.url);

/** What make_vectors.py writes. */
export interface NerVectors {
  readonly header: Record<string, unknown>;
  readonly vectors: ReadonlyArray<{
    readonly text: string;
    readonly tokens: ReadonlyArray<[number, number]>;
    readonly features: readonly string[][];
    readonly buckets: readonly number[][];
    readonly logits: readonly number[][];
    readonly spans: ReadonlyArray<{ type: string; start: number; end: number; score: number }>;
  }>;
}

/** Checks `model` reproduces every vector: same tokens, features, buckets and spans; logits and scores within 1e-4. */
export function expectMatchesVectors(model: NerModel, v: NerVectors): void {
  for (const c of v.vectors) {
    const at = `text ${JSON.stringify(c.text.slice(0, 40))}`;
    expect(model.tokens(c.text), at).toEqual(c.tokens);
    if (c.features) expect(model.features(c.text), at).toEqual(c.features);
    expect(model.buckets(c.text), at).toEqual(c.buckets);
    const lg = model.logits(c.text);
    expect(lg.length, at).toBe(c.logits.length);
    lg.forEach((row, t) => row.forEach((x, l) => expect(Math.abs(x - c.logits[t]![l]!), `${at} token ${t} label ${l}`).toBeLessThan(1e-4)));
    const spans = model.spans(c.text);
    expect(spans.map((s) => [s.type, s.start, s.end]), at).toEqual(c.spans.map((s) => [s.type, s.start, s.end]));
    spans.forEach((s, i) => expect(Math.abs(s.score - c.spans[i]!.score), at).toBeLessThan(1e-4));
  }
}

const bin = readFileSync(new URL('random-ner.bin', FIXTURES));
const vectors = JSON.parse(readFileSync(new URL('random-ner.vectors.json', FIXTURES), 'utf8')) as NerVectors;

describe('semroute-ner runtime vs the Python reference (random-weight fixture)', () => {
  const model = parseNerFile(bin, 'random-ner.bin');

  it('reads the header', () => {
    expect(model.header).toMatchObject({ buckets: 4096, labels: vectors.header.labels, threshold: 0.3, maxWord: 24, maxShape: 12, dropModelTypes: [], merge: 'replace', clusters: { buckets: 256, count: 5 } });
    expect(model.entityTypes).toEqual(['PERSON', 'GPE', 'ORGANIZATION']);
  });

  it('reproduces tokens, features, buckets, logits and spans of every vector', () => {
    expect(vectors.vectors.length).toBeGreaterThan(5);
    expectMatchesVectors(model, vectors);
  });

  it('hashes with 32-bit FNV-1a over UTF-8', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(fnv1a('é😀')).toBe(fnv1aBytes(new TextEncoder().encode('é😀')));
  });
});

function fnv1aBytes(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}

describe('parseNerFile errors say what is wrong and how to fix it', () => {
  const weights = new Int8Array(4096 * NER_LABELS.length);
  const good = nerFileBytes(nerHeader(), weights);
  const cases: [string, Uint8Array, RegExp][] = [
    ['bad magic', Uint8Array.from([...new TextEncoder().encode('PK\x03\x04xxxxxxxxxx')]), /my\.bin: not a semroute-ner file \(it does not start with the magic bytes "SRNER001"; 14 bytes\); rebuild it/],
    ['empty', new Uint8Array(0), /not a semroute-ner file/],
    ['truncated header', good.subarray(0, 40), /header length field says \d+ bytes but the file has only 28/],
    ['header not JSON', (() => { const b = good.slice(); b[12] = 0x7a; return b; })(), /the header is not UTF-8 JSON/],
    ['header not an object', nerFileBytes([1, 2] as unknown as Record<string, unknown>, weights), /the header is not a JSON object/],
    ['wrong format', nerFileBytes(nerHeader({ format: 'other' }), weights), /format is "other", expected "semroute-ner"/],
    ['wrong version', nerFileBytes(nerHeader({ version: 2 }), weights), /format version 2 is not supported \(this runtime reads version 1: update @semroute\/core/],
    ['buckets not a power of two', nerFileBytes(nerHeader({ buckets: 4000 }), new Int8Array(4000 * 7)), /"buckets" must be a power of two from 1 to 2\^30 \(got 4000\)/],
    ['bad labels', nerFileBytes(nerHeader({ labels: ['B-PERSON', 'person'] }), weights), /"labels" must be BIO labels including "O"/],
    ['scales per label', nerFileBytes(nerHeader({ scales: [0.1] }), weights), /"scales" must be 7 finite numbers, one per label/],
    ['threshold', nerFileBytes(nerHeader({ threshold: 2 }), weights), /"threshold" must be a number from 0 to 1/],
    ['max_word', nerFileBytes(nerHeader({ max_word: 0 }), weights), /"max_word" must be an integer from 1 to 1024/],
    ['drop types', nerFileBytes(nerHeader({ drop_model_types: 'PERSON' }), weights), /"drop_model_types" must be a list of entity types/],
    ['merge mode', nerFileBytes(nerHeader({ merge: 'union' }), weights), /"merge" must be one of replace, score, fill \(got "union"\)/],
    ['clusters', nerFileBytes(nerHeader({ clusters: { buckets: 100, count: 5 } }), weights), /"clusters" must be \{"buckets": a power of two up to 2\^24, "count": 1 to 2047\}/],
    ['cluster table missing', nerFileBytes(nerHeader({ clusters: { buckets: 256, count: 5 } }), weights), /size mismatch: .* zero padding to \d+ and a word-cluster table of 256 uint16 entries make \d+/],
    ['size mismatch (short)', good.subarray(0, good.length - 1), /size mismatch: \d+ bytes, but a header of \d+ bytes \(padded to \d+\), 4096 buckets x 7 labels of int8 weights make \d+/],
    ['size mismatch (long)', Uint8Array.from([...good, 0]), /size mismatch/],
  ];
  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => parseNerFile(bytes, 'my.bin')).toThrow(message);
    expect(() => parseNerFile(bytes, 'my.bin')).toThrow(/rebuild it with models\/pipeline\/ner .* or remove the "ner" entry of heads\.json/);
  });

  it('reads a file from an ArrayBuffer, a Uint8Array or a view into a larger buffer', () => {
    const inner = new Uint8Array(good.length + 16);
    inner.set(good, 8);
    for (const input of [good.slice().buffer, good, inner.subarray(8, 8 + good.length), new DataView(inner.buffer, 8, good.length)]) {
      expect(parseNerFile(input).header.buckets).toBe(4096);
    }
  });

  it('never crashes on arbitrary bytes: a model or a ClassifierError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (junk, cut) => {
      for (const b of [junk, Uint8Array.from([...good.subarray(0, cut), ...junk])]) {
        try {
          parseNerFile(b);
        } catch (e) {
          expect((e as Error).name).toBe('ClassifierError');
        }
      }
    }));
  });
});

describe('tokens and spans on any text', () => {
  const model = parseNerFile(bin);
  it('tokens are ordered, disjoint, cover every non-space character, and spans start and end on token edges', () => {
    const space = /^\s$/u;
    fc.assert(fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('A', 'b', 'É', 'ß', '1', '.', ' ', '\n', '\u00a0', '😀', 'a\u0301', '東'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 80 }), (text) => {
      const toks = model.tokens(text);
      let at = 0;
      for (const [s, e] of toks) {
        expect(s).toBeGreaterThanOrEqual(at);
        expect(e).toBeGreaterThan(s);
        for (const c of text.slice(at, s)) expect(space.test(c)).toBe(true);
        at = e;
      }
      for (const c of text.slice(at)) expect(space.test(c)).toBe(true);
      const starts = new Set(toks.map((t) => t[0]));
      const ends = new Set(toks.map((t) => t[1]));
      for (const sp of model.spans(text)) {
        expect(starts.has(sp.start) && ends.has(sp.end)).toBe(true);
        expect(sp.score).toBeGreaterThanOrEqual(model.header.threshold);
        expect(sp.score).toBeLessThanOrEqual(1);
      }
      expect(model.buckets(text).every((b) => b.length === 19 && b.every((x) => x >= 0 && x < 4096))).toBe(true); // 15 + 4 word-cluster features
    }), { numRuns: 60 });
  });
});

describe('the natural_ner recognizer in the registry', () => {
  const span = (text: string, piece: string, type: string, score: number): PiiSpan => {
    const start = text.indexOf(piece);
    return { type, start, end: start + piece.length, score };
  };
  const found = (text: string, spans: readonly PiiSpan[]) => spans.map((s) => [s.type, text.slice(s.start, s.end), s.recognizer]);
  const words = { maria: 'B-PERSON', lopez: 'I-PERSON', acme: 'B-ORGANIZATION', zurich: 'B-GPE' } as const;
  const withNer = (extra: Record<string, unknown> = {}) => RecognizerRegistry.withBuiltins().add(naturalNerRecognizer(parseNerFile(nerFileFor(words, extra))));

  it('finds what its weights say, as natural_ner spans scored by their least sure token', () => {
    const text = 'I met Maria Lopez from Acme in Zurich';
    const model = parseNerFile(nerFileFor(words));
    expect(model.spans(text).map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([['PERSON', 'Maria Lopez'], ['ORGANIZATION', 'Acme'], ['GPE', 'Zurich']]);
    for (const s of model.spans(text)) expect(s.score).toBeCloseTo(Math.exp(6.35) / (Math.exp(6.35) + 6), 5);
    expect(found(text, withNer().run([], text))).toEqual([['PERSON', 'Maria Lopez', 'natural_ner'], ['ORGANIZATION', 'Acme', 'natural_ner'], ['GPE', 'Zurich', 'natural_ner']]);
  });

  it('reports scores on the PII head scale: the file threshold at the default PII threshold 0.4, 1 at 1', () => {
    expect(nerReportedScore(0.15, 0.15)).toBeCloseTo(0.4, 12);
    expect(nerReportedScore(1, 0.15)).toBeCloseTo(1, 12);
    expect(nerReportedScore(0.6, 0.2)).toBeCloseTo(0.4 + 0.4 * 0.6 / 0.8, 12);
    expect(nerReportedScore(0.7, 1)).toBe(0.7);
    fc.assert(fc.property(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (t, a, b) => {
      const [lo, hi] = [t + (1 - t) * Math.min(a, b), t + (1 - t) * Math.max(a, b)];
      expect(nerReportedScore(lo, t)).toBeLessThanOrEqual(nerReportedScore(hi, t) + 1e-12);
      expect(nerReportedScore(lo, t)).toBeGreaterThanOrEqual(0.4 - 1e-12);
    }));
    const text = 'I met Maria Lopez from Acme in Zurich';
    const raw = parseNerFile(nerFileFor(words, { threshold: 0.3 })).spans(text);
    const reported = withNer({ threshold: 0.3 }).run([], text);
    expect(reported.map((s) => s.score)).toEqual(raw.map((s) => nerReportedScore(s.score, 0.3)));
  });

  it('replaces every model or rule span it overlaps, keeps the others', () => {
    const text = 'ok so maria lopez lives at 12 Oak Street';
    const model = [span(text, 'maria', 'PERSON', 0.6), span(text, 'lopez lives', 'ORGANIZATION', 0.7), span(text, '12 Oak Street', 'STREET_ADDRESS', 0.9)];
    expect(found(text, withNer().run(model, text))).toEqual([['PERSON', 'maria lopez', 'natural_ner'], ['STREET_ADDRESS', '12 Oak Street', 'model']]);
  });

  it('with merge "score", replaces only spans scoring no higher than its own; a surer span keeps its edges and type', () => {
    const text = 'ok so maria lopez lives in Zurich';
    const nerScore = parseNerFile(nerFileFor(words)).spans(text)[0]!.score; // about 0.9955
    const model = [span(text, 'maria', 'PERSON', 0.6), span(text, 'Zurich', 'ORGANIZATION', 0.9999)];
    expect(nerScore).toBeLessThan(0.9999);
    // the model's spans and this rule alone (no built-in span rules that would retype "in Zurich")
    const only = (extra: Record<string, unknown>) => new RecognizerRegistry([BUILTIN_PII_RECOGNIZERS[0]!, naturalNerRecognizer(parseNerFile(nerFileFor(words, extra)))]);
    expect(found(text, only({ merge: 'score' }).run(model, text))).toEqual([['PERSON', 'maria lopez', 'natural_ner'], ['ORGANIZATION', 'Zurich', 'model']]);
    // the default ("replace") takes both
    expect(found(text, only({}).run(model, text))).toEqual([['PERSON', 'maria lopez', 'natural_ner'], ['GPE', 'Zurich', 'natural_ner']]);
  });

  it('removes model and rule spans of its drop_model_types, even where it finds nothing', () => {
    const text = 'ask Kim about Zurich';
    const model = [span(text, 'Kim', 'PERSON', 0.9), span(text, 'Zurich', 'GPE', 0.9)];
    expect(found(text, withNer({ drop_model_types: ['PERSON'] }).run(model, text))).toEqual([['GPE', 'Zurich', 'natural_ner']]);
    // without drop types the model's name stays (a span rule raised its score: capitalised mid-sentence)
    expect(found(text, withNer().run(model, text))).toEqual([['PERSON', 'Kim', 'capitalised_names'], ['GPE', 'Zurich', 'natural_ner']]);
  });

  it('drops its spans under the header threshold', () => {
    const text = 'Maria Lopez';
    expect(withNer({ threshold: 0.999 }).run([], text)).toEqual([]);
  });

  it('loses to the pattern recognizers it overlaps (an e-mail address stays one e-mail span)', () => {
    const text = 'write to maria.lopez@acme.com today';
    expect(parseNerFile(nerFileFor(words)).spans(text).map((s) => text.slice(s.start, s.end))).toEqual(['maria', 'acme']);
    const out = found(text, withNer().run([], text));
    expect(out).toContainEqual(['EMAIL_ADDRESS', 'maria.lopez@acme.com', 'email']);
    expect(out.filter((s) => s[2] === NATURAL_NER_RECOGNIZER)).toEqual([]);
  });

  it('is switched off by config like any recognizer; naming it for a model without it is no error', () => {
    const text = 'I met Maria Lopez';
    const off = { recognizers: { natural_ner: { enabled: false } } };
    expect(registryFromSettings(off, withNer()).run([], text)).toEqual([]);
    expect(registryFromSettings(off, withNer()).isEnabled(NATURAL_NER_RECOGNIZER)).toBe(false);
    const without = registryFromSettings(off);
    expect(without.has(NATURAL_NER_RECOGNIZER)).toBe(false);
    expect(registryFromSettings({ recognizers: { natural_ner: { enabled: true } } }).has(NATURAL_NER_RECOGNIZER)).toBe(false);
    expect(() => registryFromSettings({ recognizers: { natural_nerr: { enabled: false } } })).toThrow(/unknown PII recognizer "natural_nerr"/);
  });
});

describe('merge modes (header "merge"), as models/pipeline/ner/select_ner.py merged() simulates them', () => {
  /** The reference's loop, transcribed: NER spans in text order against the spans so far. */
  function reference(spans: readonly PiiSpan[], ner: readonly NerSpan[], mode: NerMergeMode): string[] {
    const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
    let out: { type: string; start: number; end: number; score: number }[] = [...spans];
    for (const n of ner) {
      const hit = out.filter((x) => overlaps(x, n));
      if (hit.length && (mode === 'fill' || (mode === 'score' && hit.some((x) => x.score > n.score)))) continue;
      out = [...out.filter((x) => !overlaps(x, n)), n];
    }
    return out.map((s) => `${s.type} ${s.start} ${s.end} ${s.score}`).sort();
  }
  const score = fc.constantFrom(0.3, 0.5, 0.7, 0.9);
  const spans = fc.array(fc.record({ type: fc.constant('PERSON'), start: fc.nat(40), len: fc.nat(12), score }), { maxLength: 10 }).map((a) => a.map(({ len, ...s }) => ({ ...s, end: s.start + len })));
  const ner = fc.array(fc.record({ gap: fc.nat(3), len: fc.integer({ min: 1, max: 6 }), score }), { maxLength: 8 }).map((a) => {
    let at = 0;
    return a.map(({ gap, len, score: sc }) => ({ type: 'GPE', start: (at += gap), end: (at += len), score: sc }));
  });

  it('equal the reference loop on nested, overlapping and empty spans (one sweep instead of a scan per NER span)', () => {
    fc.assert(fc.property(spans, ner, fc.constantFrom<NerMergeMode>('replace', 'score', 'fill'), (s, n, mode) => {
      const { alive, accepted } = mergeNer(s, n, mode);
      expect([...alive, ...accepted].map((x) => `${x.type} ${x.start} ${x.end} ${x.score}`).sort()).toEqual(reference(s, n, mode));
    }), { numRuns: 500 });
  });

  it('score: a model span scoring higher keeps its edges and type; fill: NER spans only where nothing overlaps', () => {
    const text = 'so maria lopez moved to zurich';
    const words = { maria: 'B-PERSON', lopez: 'I-PERSON', zurich: 'B-GPE' } as const;
    const at = (piece: string, type: string, sc: number): PiiSpan => ({ type, start: text.indexOf(piece), end: text.indexOf(piece) + piece.length, score: sc });
    const model = [at('maria', 'PERSON', 0.999), at('zurich', 'ORGANIZATION', 0.45)];
    const run = (merge: string) => {
      // the model's spans and natural_ner only (no other rule moves a span)
      const r = new RecognizerRegistry([BUILTIN_PII_RECOGNIZERS.find((x) => x.name === MODEL_RECOGNIZER)!, naturalNerRecognizer(parseNerFile(nerFileFor(words, { merge })))]);
      return r.run(model, text).map((s) => [s.type, text.slice(s.start, s.end), s.recognizer]);
    };
    expect(run('score')).toEqual([['PERSON', 'maria', 'model'], ['GPE', 'zurich', 'natural_ner']]);
    expect(run('fill')).toEqual([['PERSON', 'maria', 'model'], ['ORGANIZATION', 'zurich', 'model']]);
    expect(run('replace')).toEqual([['PERSON', 'maria lopez', 'natural_ner'], ['GPE', 'zurich', 'natural_ner']]);
  });
});

describe('growNerNames: NER spans grow over the rest of an organisation name (select_ner.py grow_names)', () => {
  const span = (text: string, part: string, type: string, from = 0): NerSpan => {
    const start = text.indexOf(part, from);
    return { type, start, end: start + part.length, score: 0.5 };
  };
  const shown = (text: string, spans: readonly NerSpan[]): string[] => spans.map((s) => `${s.type}:${text.slice(s.start, s.end)}`);

  it('an organisation ending in "of" takes the capitalised words after it, taking the span there', () => {
    const t = 'She became a professor at the University of Halle, where she stayed.';
    expect(shown(t, growNerNames([span(t, 'University of', 'ORGANIZATION'), span(t, 'Halle', 'GPE')], t))).toEqual(['ORGANIZATION:University of Halle']);
    const u = 'He studied at the Institute of the arts.';
    expect(shown(u, growNerNames([span(u, 'Institute of', 'ORGANIZATION')], u))).toEqual(['ORGANIZATION:Institute']);
  });

  it('an organisation followed by " of" + capitalised words takes them ("for", "and" between two of them)', () => {
    const t = 'research fellows at the Bulgarian Academy of Sciences and the Society of Scientific Help for Girls.';
    const out = growNerNames([span(t, 'Bulgarian Academy', 'ORGANIZATION'), span(t, 'Society', 'ORGANIZATION')], t);
    expect(shown(t, out)).toEqual(['ORGANIZATION:Bulgarian Academy of Sciences', 'ORGANIZATION:Society of Scientific Help for Girls']);
  });

  it('a name followed by capitalised words up to an organisation word grows over them as an organisation', () => {
    const t = 'The Washington Metropolitan Area Transit Authority runs Metrobus; Hinkley Press printed it in Boston.';
    const out = growNerNames([span(t, 'Washington Metropolitan Area', 'GPE'), span(t, 'Hinkley', 'PERSON'), span(t, 'Boston', 'GPE')], t);
    expect(shown(t, out)).toEqual(['ORGANIZATION:Washington Metropolitan Area Transit Authority', 'ORGANIZATION:Hinkley Press', 'GPE:Boston']);
  });

  it('a name ending in an organisation word is an organisation; people and places otherwise stay as they are', () => {
    const t = 'Anna Berg met Tidewater Press in Paris of Texas, and Bob at the bank.';
    const out = growNerNames([span(t, 'Anna Berg', 'PERSON'), span(t, 'Tidewater Press', 'PERSON'), span(t, 'Paris', 'GPE'), span(t, 'Bob', 'PERSON')], t);
    expect(shown(t, out)).toEqual(['PERSON:Anna Berg', 'ORGANIZATION:Tidewater Press', 'GPE:Paris', 'PERSON:Bob']);
  });

  it('keeps spans sorted and disjoint; each starts and scores as an input span did, and every input span starts inside one', () => {
    const word = fc.constantFrom('Acme', 'of', 'University', 'Bank', 'the', 'Halle', 'and', 'Inc.', 'x', 'Society', 'Of', 'for', ',');
    fc.assert(fc.property(fc.array(word, { maxLength: 24 }), fc.array(fc.tuple(fc.nat(23), fc.nat(3), fc.constantFrom('PERSON', 'GPE', 'ORGANIZATION'))), (words, picks) => {
      const text = words.join(' ');
      const starts: number[] = [];
      words.reduce((at, w) => (starts.push(at), at + w.length + 1), 0);
      const taken = new Set<number>();
      const ner: NerSpan[] = [];
      for (const [i, len, type] of [...picks].sort((a, b) => a[0] - b[0])) {
        const last = Math.min(i + len, words.length - 1);
        if (i >= words.length || [...Array(last - i + 1).keys()].some((k) => taken.has(i + k))) continue;
        for (let k = i; k <= last; k++) taken.add(k);
        ner.push({ type, start: starts[i]!, end: starts[last]! + words[last]!.length, score: i / 24 });
      }
      ner.sort((a, b) => a.start - b.start);
      const out = growNerNames(ner, text);
      out.forEach((s, k) => {
        expect(s.start).toBeLessThan(s.end);
        if (k > 0) expect(out[k - 1]!.end).toBeLessThanOrEqual(s.start);
      });
      // a grown span may lose a last " of" it took from the span it absorbed; it always starts where an input span did
      for (const n of ner) expect(out.some((s) => s.start <= n.start && s.end > n.start)).toBe(true);
      for (const s of out) expect(ner.some((n) => n.start === s.start && n.score === s.score)).toBe(true);
    }));
  });

  it('select_ner.py simulates it with the same organisation words', () => {
    const py = readFileSync(new URL('../../../../models/pipeline/ner/select_ner.py', import.meta.url), 'utf8');
    expect(py).toContain(`COMPANY_WORD = r"${COMPANY_WORD.source}"`);
    expect(py).toContain(`INSTITUTION_WORD = r"${INSTITUTION_WORD.source}"`);
  });
});

describe('the NER file shipped with semroute-mini (models/semroute-mini/ner/ner.bin)', () => {
  const MODEL = new URL('../../../../models/semroute-mini/', import.meta.url);
  const shipped = parseNerFile(readFileSync(new URL('ner/ner.bin', MODEL)), 'ner/ner.bin');
  const reference = JSON.parse(readFileSync(new URL('reference/ner_vectors.json', MODEL), 'utf8')) as NerVectors;

  it('has word clusters, the score merge and the PII head type names', () => {
    expect(shipped.header.clusters?.count).toBeGreaterThan(1);
    expect(shipped.header.merge).toBe(reference.header.merge);
    expect(shipped.entityTypes).toEqual(['PERSON', 'GPE', 'ORGANIZATION']);
  });

  it('reproduces the reference vectors make_vectors.py wrote for it', () => {
    expectMatchesVectors(shipped, reference);
  });
});
