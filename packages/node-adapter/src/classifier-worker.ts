/**
 * One classifier worker thread (see classifier-pool.ts): loads the model with the Node runtime (`runtime/node.ts`) and answers
 * `classify` messages. Tokenizing, ONNX inference and PII post-processing all run here, never on the server's event
 * loop. Messages carry texts and signals only; errors travel as messages that never contain prompt text.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ClassifierSignals, ClassifyOptions } from '@semroute/core';
import { createNodeClassifier, type NodeClassifierOptions } from './runtime/node.js';

/** Main thread → worker. */
export type ToWorker = { type: 'classify'; id: number; texts: string[]; options: ClassifyOptions } | { type: 'dispose'; id: number };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready'; backend: string; fallbacks: readonly string[] }
  | { type: 'failed'; error: string }
  | { type: 'warn'; message: string }
  | { type: 'result'; id: number; ok: true; outs: ClassifierSignals[] }
  | { type: 'result'; id: number; ok: false; error: string };

/** What the pool hands the worker in `workerData`. */
export interface WorkerInit {
  options: Omit<NodeClassifierOptions, 'onProgress' | 'logger' | 'inferenceThread' | 'inferenceThreads'>;
}

const port = parentPort;
if (!port) throw new Error('classifier-worker.ts runs inside a worker thread (see classifier-pool.ts)');
const post = (m: FromWorker) => port.postMessage(m);
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

const init = workerData as WorkerInit;
try {
  // One ONNX session on this thread: its synchronous run blocks only this worker.
  const classifier = await createNodeClassifier({ ...init.options, logger: { warn: (message) => post({ type: 'warn', message }) } });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'dispose') {
      void classifier.dispose().finally(() => post({ type: 'result', id: m.id, ok: true, outs: [] }));
      return;
    }
    classifier.classify(m.texts, m.options).then(
      (outs) => post({ type: 'result', id: m.id, ok: true, outs }),
      (e: unknown) => post({ type: 'result', id: m.id, ok: false, error: reason(e) }),
    );
  });
  post({ type: 'ready', backend: classifier.backend, fallbacks: classifier.fallbacks });
} catch (e) {
  post({ type: 'failed', error: reason(e) });
}
