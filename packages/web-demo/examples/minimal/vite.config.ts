/**
 * Vite config for the minimal example. In your own app the essentials are:
 *   - the model folder under public/models/semroute-mini/ (here a plugin serves the repo's copy instead),
 *   - COOP/COEP headers in dev and preview (and on your production server) for multi-threaded WASM,
 *   - worker.format 'es' (the classifier runs in a module worker),
 *   - onnxruntime-web excluded from dependency pre-bundling (it finds its .wasm next to its own module).
 * Run: pnpm --filter @semroute/web-demo exec vite --config examples/minimal/vite.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { ISOLATION_HEADERS, semrouteModel } from '../../vite-model-plugin.ts';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] }, // only needed inside this monorepo
  plugins: [semrouteModel()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@semroute/core', 'onnxruntime-web'] },
  build: { target: 'es2022', outDir: 'dist' },
});
