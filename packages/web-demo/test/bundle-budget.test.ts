/**
 * Bundle budget of the default browser path, checked on a real consumer build: `examples/minimal/` (an app that
 * imports `@semroute/core/browser` and calls `createRouter`) built with Vite into a temporary folder. The budget
 * (README "Bundle budget"): one ONNX Runtime `.wasm` of at most 15 MB, and at most 425 KB of JavaScript before gzip
 * (app chunk + classifier worker + ORT's glue). WebGPU is opt-in (`@semroute/core/browser-webgpu`) and must not
 * leak into this build.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export const BUDGET = { wasmBytes: 15_000_000, jsBytes: 425_000 } as const;

const here = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'semroute-budget-'));
let files: { name: string; bytes: number }[] = [];

function walk(dir: string): { name: string; bytes: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [{ name: join(dir, e.name).slice(outDir.length + 1), bytes: statSync(join(dir, e.name)).size }],
  );
}

beforeAll(async () => {
  // No model copy: the budget is about code (the model is data the app serves, 10 MB int8).
  process.env.SEMROUTE_MODEL_DIR = join(outDir, 'no-model');
  const { build } = await import('vite');
  await build({ configFile: join(here, 'examples/minimal/vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  files = walk(outDir);
}, 240_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('default consumer build (examples/minimal, @semroute/core/browser)', () => {
  it('ships exactly one ONNX Runtime .wasm, within the budget, and no WebGPU build', () => {
    const wasm = files.filter((f) => f.name.endsWith('.wasm'));
    expect(wasm.map((f) => f.name.replace(/-[\w-]{8}\.wasm$/, '.wasm'))).toEqual(['assets/ort-wasm-simd-threaded.wasm']);
    expect(wasm[0]!.bytes).toBeLessThanOrEqual(BUDGET.wasmBytes);
    expect(files.filter((f) => /webgpu|asyncify|jsep|jspi/i.test(f.name))).toEqual([]);
  });

  it('ships at most 425 KB of JavaScript before gzip', () => {
    const js = files.filter((f) => /\.m?js$/.test(f.name));
    const total = js.reduce((s, f) => s + f.bytes, 0);
    expect({ total, files: js }).toMatchObject({ total: expect.any(Number) });
    expect(total, js.map((f) => `${f.name} ${f.bytes}`).join(', ')).toBeLessThanOrEqual(BUDGET.jsBytes);
  });
});
