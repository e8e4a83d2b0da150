/**
 * `semroute-ner` files written in TypeScript for tests (the layout of models/pipeline/ner/ner_features.py write_file):
 * a header, and weights that make chosen words take chosen labels, so recognizer semantics can be tested on real
 * decoding with spans known in advance.
 */
import { fnv1a } from '../src/signals/pii-ner.js';

export const NER_LABELS = ['O', 'B-PERSON', 'I-PERSON', 'B-GPE', 'I-GPE', 'B-ORGANIZATION', 'I-ORGANIZATION'] as const;

const pad8 = (n: number): number => n + ((8 - (n % 8)) % 8);

/**
 * The bytes of a file: magic, header length, JSON header, zero padding to 8, `weights` (int8, bucket-major), then with
 * a `table`: zero padding to 8 and the word-cluster table (uint16 little-endian).
 */
export function nerFileBytes(header: unknown, weights: Int8Array, table?: Uint16Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const offset = pad8(12 + json.length);
  const tableAt = pad8(offset + weights.length);
  const out = new Uint8Array(table ? tableAt + 2 * table.length : offset + weights.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('SRNER001'), 0);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(new Uint8Array(weights.buffer, weights.byteOffset, weights.length), offset);
  table?.forEach((e, i) => view.setUint16(tableAt + 2 * i, e, true));
  return out;
}

/** A file with seeded pseudo-random weights in [-127, 127] (what the format does, not what a trained file finds). */
export function randomNerFile(extra: Record<string, unknown> = {}, seed = 7): Uint8Array {
  const header = nerHeader(extra);
  const w = new Int8Array((header.buckets as number) * NER_LABELS.length);
  let x = seed >>> 0;
  for (let i = 0; i < w.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    w[i] = (x >>> 24) - 128 || 1;
  }
  return nerFileBytes(header, w);
}

/** A v1 header with 4096 buckets over {@link NER_LABELS}, scale 0.05, threshold 0.5; `extra` overrides keys. */
export function nerHeader(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { format: 'semroute-ner', version: 1, buckets: 4096, labels: [...NER_LABELS], scales: NER_LABELS.map(() => 0.05), threshold: 0.5, max_word: 24, max_shape: 12, drop_model_types: [], ...extra };
}

/**
 * A file whose only non-zero weights are +127 on `label` for the bucket of the word feature `w:<word>` of each entry
 * (lower-case words): those words take that label with probability about 0.99; every other token's logits are all 0
 * (uniform, decoded as O).
 */
export function nerFileFor(words: Readonly<Record<string, (typeof NER_LABELS)[number]>>, extra: Record<string, unknown> = {}): Uint8Array {
  const header = nerHeader(extra);
  const buckets = header.buckets as number;
  const L = NER_LABELS.length;
  const w = new Int8Array(buckets * L);
  for (const [word, label] of Object.entries(words)) w[(fnv1a(`w:${word}`) & (buckets - 1)) * L + NER_LABELS.indexOf(label)] = 127;
  return nerFileBytes(header, w);
}
