/**
 * `semroute-ner` files written in TypeScript for tests (the layout of models/pipeline/ner/ner_features.py write_file):
 * a header, and weights that make chosen words take chosen labels, so recognizer semantics can be tested on real
 * decoding with spans known in advance.
 */
import { fnv1a } from '../src/signals/pii-ner.js';

export const NER_LABELS = ['O', 'B-PERSON', 'I-PERSON', 'B-GPE', 'I-GPE', 'B-ORGANIZATION', 'I-ORGANIZATION'] as const;

/** The bytes of a file: magic, header length, JSON header, zero padding to 8, then `weights` (int8, bucket-major). */
export function nerFileBytes(header: Record<string, unknown>, weights: Int8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = 12 + json.length;
  const offset = head + ((8 - (head % 8)) % 8);
  const out = new Uint8Array(offset + weights.length);
  out.set(new TextEncoder().encode('SRNER001'), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(new Uint8Array(weights.buffer, weights.byteOffset, weights.length), offset);
  return out;
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
