/**
 * The printable-ASCII fast path of ModelTokenizer must be indistinguishable from the library path (transformers.js'
 * tokenizer + offset recovery): same ids, same offsets, for any ASCII text, on the shipped tokenizer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelTokenizer } from '../../src/runtime/tokenizer.js';

// The shipped model (or $SEMROUTE_MODEL_DIR, as the Node runtime reads it).
const DIR = process.env.SEMROUTE_MODEL_DIR ?? fileURLToPath(new URL('../../../../models/semroute-mini/', import.meta.url));
const readJson = (f: string): unknown => JSON.parse(readFileSync(join(DIR, f), 'utf8'));
const tok = new ModelTokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'));
const both = (text: string): [unknown, unknown] => {
  const fast = tok.encode(text);
  const slow = tok.encode(text, true, false);
  return [
    { ids: Array.from(fast.ids), offsets: Array.from(fast.offsets) },
    { ids: Array.from(slow.ids), offsets: Array.from(slow.offsets) },
  ];
};

describe('ModelTokenizer ASCII fast path', () => {
  it('equals the library path on random printable-ASCII text', () => {
    const pieces = fc.oneof(
      fc.constantFrom('the', 'Photosynthesis', 'UNIVERSITY', "don't", 'e-mail', 'x86_64', '3.14159', 'naïve'.normalize('NFD').slice(0, 3), '[CLS', 'SEP]', '[unk]'),
      fc.string({ unit: fc.constantFrom(...'abcXYZ0129 .,;:!?()[]{}<>@#$%^&*-_=+/\\|\'"`~\t\n\r'), maxLength: 12 }),
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
      fc.constant('a'.repeat(101)),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), fc.array(fc.constantFrom(' ', '', '\n', '  '), { maxLength: 12 }), (words, seps) => {
        const text = words.map((w, i) => w + (seps[i] ?? ' ')).join('');
        const [fast, slow] = both(text);
        expect(fast).toEqual(slow);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves text with an added token or non-ASCII characters to the library', () => {
    for (const text of ['explain [CLS] tokens', 'why is [mask] used', 'café au lait', 'tab\u000bhere', '你好 world']) {
      const [fast, slow] = both(text);
      expect(fast).toEqual(slow);
    }
    expect(Array.from(tok.encode('a [SEP] b').ids)).toContain(3);
  });
});
