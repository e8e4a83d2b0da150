/**
 * A model folder whose heads.json names a natural-text NER file (pii head `"ner": {"file": "ner/ner.bin"}`): the Node
 * and edge runtimes read it through the model's own file reader and run it as the `natural_ner` PII recognizer after
 * the built-in span rules. The folder is a temporary copy of models/semroute-mini with the random-weight test file
 * (packages/core/test/fixtures/ner) as its NER file, so the spans are the registry's on the model's own spans.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATURAL_NER_RECOGNIZER, RecognizerRegistry, naturalNerRecognizer, parseNerFile } from '@semroute/core';
import { createEdgeClassifier } from '@semroute/core/edge';
import { type NodeClassifier, createNodeClassifier } from '@semroute/node-adapter';

const MINI = fileURLToPath(new URL('../../../../models/semroute-mini/', import.meta.url));
const NER_FIXTURE = fileURLToPath(new URL('../../../core/test/fixtures/ner/random-ner.bin', import.meta.url));
const WASM = createRequire(new URL('../../../core/package.json', import.meta.url)).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
const TEXTS = [
  'Please email me at john.smith@example.com or call +1 (415) 555-0132, I am John Smith.',
  'i moved from san francisco to new york last year and now work at goldman sachs',
  'Meeting with Dr. María José García-López at the Université de Montréal on Saturday the 21st.',
  '',
];
const plain = (spans: readonly { type: string; start: number; end: number; recognizer?: string }[]) => spans.map((s) => [s.type, s.start, s.end, s.recognizer]);

const root = mkdtempSync(join(tmpdir(), 'semroute-ner-model-'));
/** A copy of semroute-mini whose heads.json pii head carries `ner` (undefined: no key); files written into the folder. */
function modelFolder(name: string, ner: unknown, files: Record<string, Uint8Array | string> = {}): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) copyFileSync(join(MINI, f), join(dir, f));
  const heads = JSON.parse(readFileSync(join(MINI, 'heads.json'), 'utf8'));
  const pii = heads.heads.find((h: { name: string }) => h.name === 'pii');
  if (ner === undefined) delete pii.ner;
  else pii.ner = ner;
  writeFileSync(join(dir, 'heads.json'), JSON.stringify(heads));
  for (const [f, b] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), b);
  }
  return dir;
}

const nerBytes = readFileSync(NER_FIXTURE);
let withNer: NodeClassifier;
let rawSpans: NodeClassifier;
let dir: string;
beforeAll(async () => {
  dir = modelFolder('with-ner', { file: 'ner/ner.bin' }, { 'ner/ner.bin': nerBytes });
  [withNer, rawSpans] = await Promise.all([
    createNodeClassifier({ model: dir, threads: 1, warmup: false }),
    // the model's own spans, before any recognizer: the input the registry gets
    createNodeClassifier({ model: dir, threads: 1, warmup: false, piiPatterns: false }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([withNer?.dispose(), rawSpans?.dispose()]);
  rmSync(root, { recursive: true, force: true });
});

describe('model folder with an NER file (Node runtime)', () => {
  it('runs natural_ner after the built-in recognizers: the registry with it, on the model\'s own spans', async () => {
    const registry = RecognizerRegistry.withBuiltins().add(naturalNerRecognizer(parseNerFile(nerBytes)));
    const [got, raw] = await Promise.all([withNer.classify(TEXTS, { heads: ['pii'] }), rawSpans.classify(TEXTS, { heads: ['pii'] })]);
    let ner = 0;
    TEXTS.forEach((t, i) => {
      expect(got[i]!.pii).toEqual(registry.run(raw[i]!.pii, t));
      ner += got[i]!.pii.filter((s) => s.recognizer === NATURAL_NER_RECOGNIZER).length;
    });
    expect(ner).toBeGreaterThan(3);
  });

  it('is switched off by the config switch; the other recognizers stay', async () => {
    const mini = await createNodeClassifier({ model: modelFolder('without-ner', undefined), threads: 1, warmup: false });
    try {
      const off = { recognizers: { natural_ner: { enabled: false } } };
      const [a, b, c] = await Promise.all([withNer.classify(TEXTS, { heads: ['pii'], pii: off }), mini.classify(TEXTS, { heads: ['pii'] }), mini.classify(TEXTS, { heads: ['pii'], pii: off })]);
      expect(a.map((r) => plain(r.pii))).toEqual(b.map((r) => plain(r.pii)));
      // a model without an NER file: the switch names a recognizer it does not have, and changes nothing
      expect(c.map((r) => plain(r.pii))).toEqual(b.map((r) => plain(r.pii)));
    } finally {
      await mini.dispose();
    }
  });

  it('a missing, corrupt or badly named file is a load error naming it', async () => {
    await expect(createNodeClassifier({ model: modelFolder('missing', { file: 'ner/ner.bin' }), threads: 1, warmup: false })).rejects.toThrow(
      /could not read the model's NER file ner\/ner\.bin \(named by heads\.json pii "ner"\): model file missing: .*ner\/ner\.bin/,
    );
    await expect(createNodeClassifier({ model: modelFolder('corrupt', { file: 'ner/ner.bin' }, { 'ner/ner.bin': nerBytes.subarray(0, 1000) }), threads: 1, warmup: false })).rejects.toThrow(
      /model file ner\/ner\.bin \(heads\.json pii "ner"\): size mismatch/,
    );
    await expect(createNodeClassifier({ model: modelFolder('bad-key', { file: '../ner.bin' }), threads: 1, warmup: false })).rejects.toThrow(
      /heads\.json: pii 'ner' needs "file": a path relative to the model folder such as "ner\/ner\.bin"/,
    );
  });
});

describe('model folder with an NER file (edge runtime)', () => {
  it('reads it through the model reader (function or file map) and finds the spans the Node runtime finds', async () => {
    const wasm = new Uint8Array(await readFile(WASM));
    const files: string[] = [];
    const edge = await createEdgeClassifier({ model: async (f) => (files.push(f), new Uint8Array(await readFile(join(dir, f)))), wasm });
    try {
      expect(files).toContain('ner/ner.bin');
      const [e, n] = await Promise.all([edge.classify(TEXTS, { heads: ['pii'] }), withNer.classify(TEXTS, { heads: ['pii'] })]);
      // the same int8 graph on two kernels: the model's spans agree; the NER spans depend on the text only
      expect(e.map((r) => plain(r.pii))).toEqual(n.map((r) => plain(r.pii)));
    } finally {
      await edge.dispose();
    }
    const map = Object.fromEntries(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'heads.json', 'onnx/model_quantized.onnx'].map((f) => [f, readFileSync(join(dir, f))]));
    await expect(createEdgeClassifier({ model: map, wasm })).rejects.toThrow(/could not read the model's NER file ner\/ner\.bin .*: model file ner\/ner\.bin not found/);
  });
});
