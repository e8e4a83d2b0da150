/**
 * Vite plugin: serves the semroute model folder at /models/semroute-mini/ in dev and copies it into the build,
 * so model files come from the app's own origin. In your own app you can instead put the folder under
 * `public/models/semroute-mini/` (Vite serves and copies public/ as it is) and skip this plugin.
 */
import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
/** The model folder (override with SEMROUTE_MODEL_DIR). */
export const MODEL_DIR = resolve(process.env.SEMROUTE_MODEL_DIR ?? join(here, '../../models/semroute-mini'));
export const MODEL_URL = '/models/semroute-mini/';

/** Cross-origin isolation: needed for SharedArrayBuffer, hence for multi-threaded ONNX Runtime WASM. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const MIME: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

/** Serves models/semroute-mini at /models/semroute-mini/ in dev, and copies it into dist/ on build. */
export function semrouteModel(): Plugin {
  let outDir = 'dist';
  return {
    name: 'semroute-model',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        if (!url.startsWith(MODEL_URL)) return next();
        const rel = normalize(decodeURIComponent(url.slice(MODEL_URL.length)));
        const file = join(MODEL_DIR, rel);
        if (rel.startsWith('..') || !file.startsWith(MODEL_DIR + sep) || !existsSync(file) || !statSync(file).isFile()) {
          res.statusCode = 404;
          res.end('not found');
          return;
        }
        res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        createReadStream(file).pipe(res);
      });
    },
    writeBundle() {
      if (!existsSync(MODEL_DIR)) {
        this.warn(`model folder ${MODEL_DIR} not found: dist/ has no model (set SEMROUTE_MODEL_DIR)`);
        return;
      }
      cpSync(MODEL_DIR, join(outDir, MODEL_URL), {
        recursive: true,
        // No training leftovers (checkpoints, logs, scripts); the natural-text NER file (ner/*.bin) is a model file.
        filter: (src) => {
          const rel = src.slice(MODEL_DIR.length);
          return /^[\\/]ner[\\/][^\\/]+\.bin$/.test(rel) || !/(^|[\\/])(\.|__pycache__|.*\.(py|pt|bin|safetensors|log)$)/.test(rel);
        },
      });
    },
  };
}

