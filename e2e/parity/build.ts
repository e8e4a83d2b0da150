/** Bundles the parity page and the classifier worker with esbuild (TypeScript sources via the `source` condition). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './server.js';

export async function buildHarness(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    format: 'esm' as const,
    target: 'es2022',
    platform: 'browser' as const,
    conditions: ['source'],
    sourcemap: true,
    logLevel: 'warning' as const,
    absWorkingDir: ROOT,
  };
  await build({ ...common, entryPoints: [join(ROOT, 'e2e/parity/app.ts')], outfile: join(outDir, 'app.js') });
  // The workers import their ORT-web builds dynamically: split them into chunks, as an app bundler would.
  // worker.js is @semroute/core/browser's (WASM only); worker-webgpu.js is @semroute/core/browser-webgpu's.
  await build({
    ...common,
    entryPoints: {
      worker: join(ROOT, 'packages/core/src/runtime/worker.ts'),
      'worker-webgpu': join(ROOT, 'packages/core/src/runtime/worker-webgpu.ts'),
    },
    outdir: outDir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  writeFileSync(
    join(outDir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>semroute parity</title><script type="module" src="app.js"></script>\n',
  );
}
