/**
 * The edge runtime (onnxruntime-web's WASM build, the code workerd / Deno / Bun run) loads semroute-plus's domain tower
 * through the same reader as the model's other files — a reader function here, as a Worker with bundled assets would
 * pass — and blends it like the Node runtime: domain scores agree with Node's within the int8 tolerance, the other
 * heads are semroute-mini's.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeClassifier, type ModelClassifier } from '@semroute/core/edge';
import { towerOf } from '@semroute/core/runtime-kit';
import { type NodeClassifier, createNodeClassifier } from '@semroute/node-adapter';

const PLUS = fileURLToPath(new URL('../../../../models/semroute-plus/', import.meta.url));
const MINI = fileURLToPath(new URL('../../../../models/semroute-mini/', import.meta.url));
// onnxruntime-web is @semroute/core's dependency: resolve it from there.
const WASM = createRequire(new URL('../../../core/package.json', import.meta.url)).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
const TEXTS = ['can you explain how compound interest works on my savings account', 'What is the derivative of x^2 sin(x)?', 'which court hears appeals from a district court?'];
/** The same graphs (int8 mini, fp32 tower) on two kernels: probabilities agree closely. */
const TOL = 1e-3;

let edge: ModelClassifier;
let edgeMini: ModelClassifier;
let node: NodeClassifier;
const read = (dir: string) => {
  const files: string[] = [];
  return Object.assign(async (f: string) => {
    files.push(f);
    return new Uint8Array(await readFile(dir + f));
  }, { files });
};
const plusReader = read(PLUS);
const miniReader = read(MINI);

beforeAll(async () => {
  const wasm = new Uint8Array(await readFile(WASM));
  edge = await createEdgeClassifier({ model: plusReader, wasm });
  edgeMini = await createEdgeClassifier({ model: miniReader, wasm });
  node = await createNodeClassifier({ model: PLUS, threads: 1 });
}, 120_000);
afterAll(async () => {
  await Promise.all([edge?.dispose(), edgeMini?.dispose(), node?.dispose()]);
});

describe('domain tower on the edge runtime', () => {
  it('reads the tower through the model reader and scores like the Node runtime', async () => {
    expect(plusReader.files).toEqual(expect.arrayContaining(['towers/use-lite/config.json', 'towers/use-lite/tokenizer.json', 'towers/use-lite/onnx/model.onnx']));
    expect(miniReader.files.some((f) => f.startsWith('towers/'))).toBe(false);
    for (const t of TEXTS) {
      const [[e], [n], [m]] = await Promise.all([edge.classify([t]), node.classify([t]), edgeMini.classify([t])]);
      for (const [k, v] of Object.entries(n!.categoryScores)) expect(Math.abs(e!.categoryScores[k]! - v)).toBeLessThan(TOL);
      const top = (s: Record<string, number>) => Object.entries(s).sort((a, b) => b[1] - a[1])[0]![0];
      expect(top(e!.categoryScores)).toBe(top(n!.categoryScores));
      // The shipped jailbreak score, or (heads.json jailbreak tower) its blend with the tower's, as on Node.
      if (towerOf(node.spec, 'jailbreak')) expect(Math.abs(e!.jailbreak - n!.jailbreak)).toBeLessThan(TOL);
      else expect(e!.jailbreak).toBe(m!.jailbreak);
      expect(e!.pii).toEqual(m!.pii);
    }
  });
});
