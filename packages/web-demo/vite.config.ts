import { defaultClientConditions, defineConfig } from 'vite';
import { ISOLATION_HEADERS, semrouteModel } from './vite-model-plugin.ts';

export default defineConfig({
  base: './',
  // Workspace packages resolve to their TypeScript sources through the custom `source` export condition.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [semrouteModel()],
  // COOP/COEP make the page cross-origin isolated: SharedArrayBuffer, hence multi-threaded ONNX Runtime WASM.
  server: { headers: ISOLATION_HEADERS, port: 5173 },
  preview: { headers: ISOLATION_HEADERS, port: 4173 },
  worker: { format: 'es' },
  // ONNX Runtime locates its .wasm/.mjs next to itself (import.meta.url): pre-bundling would break that.
  optimizeDeps: {
    exclude: ['@semroute/core', 'onnxruntime-web'],
    // The core's own dependencies, pre-bundled up front so the dev server does not reload on first use.
    include: ['@semroute/core > comlink', '@semroute/core > zod', '@semroute/core > @huggingface/tokenizers', '@semroute/core > yaml', 'yaml'],
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    assetsInlineLimit: (file) => (/\.(wasm|onnx)$/.test(file) ? false : undefined),
  },
});
