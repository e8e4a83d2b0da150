/**
 * The object a classifier worker exposes over comlink. Runtime-independent (the factory is injected), so the
 * main-thread client can be tested against any endpoint.
 * @module
 */
import { ClassifierError } from '../errors.js';
import type { ClassifierSignals, ClassifyOptions } from '../signals/types.js';
import type { ModelClassifier } from './classifier.js';
import type { ProgressCallback } from './progress.js';
import type { WebInitOptions, WebInitResult } from './web.js';

export interface WorkerApi {
  init(options: WebInitOptions, onProgress?: ProgressCallback): Promise<WebInitResult>;
  classify(texts: string[], options?: ClassifyOptions): Promise<ClassifierSignals[]>;
  dispose(): Promise<void>;
  /** Test hook: throws an uncaught error inside the worker (as a crash would). */
  crashForTest(): void;
}

export type ClassifierFactory = (
  options: WebInitOptions,
  onProgress?: ProgressCallback,
) => Promise<{ classifier: ModelClassifier; info: WebInitResult }>;

export function createWorkerApi(factory: ClassifierFactory): WorkerApi {
  let clf: ModelClassifier | null = null;
  let loading: Promise<unknown> | null = null;
  let classified = false;
  return {
    async init(options, onProgress) {
      const p = factory(options, onProgress);
      loading = p;
      const { classifier, info } = await p;
      clf = classifier;
      return info;
    },
    async classify(texts, options) {
      if (!clf && loading) await loading.catch(() => undefined);
      if (!clf) throw new ClassifierError('worker classifier used before init()');
      if (classified) return clf.classify(texts, options);
      // The first call also warms the session (no warm-up runs at init): a `semroute:first-classify` measure.
      classified = true;
      const start = performance.now();
      const out = await clf.classify(texts, options);
      performance.measure('semroute:first-classify', { start, end: performance.now() });
      return out;
    },
    async dispose() {
      await clf?.dispose();
      clf = null;
    },
    crashForTest() {
      setTimeout(() => {
        throw new Error('simulated worker crash');
      }, 0);
    },
  };
}
