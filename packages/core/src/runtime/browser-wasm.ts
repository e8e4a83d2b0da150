/**
 * The default browser entry's factories (`@semroute/core/browser`): the classifier worker is `worker.ts`, which
 * ships ONNX Runtime Web's WASM build only, so an app's bundle holds one ORT `.wasm`.
 * @module
 */
import type { Router } from '../router.js';
import { type BrowserClassifierOptions, type CreateBrowserRouterOptions, type StartDefaultWorker, WorkerClassifier, createRouterWith } from './browser.js';

// A literal `new Worker(new URL(…, import.meta.url), {…})`: the pattern bundlers (Vite, webpack) follow.
const startWasmWorker: StartDefaultWorker = () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'semroute-classifier' });

/** Starts the WASM classifier worker (`worker.ts`) and loads the model. */
export function createBrowserClassifier(options: BrowserClassifierOptions = {}): Promise<WorkerClassifier> {
  return WorkerClassifier.create(options, startWasmWorker);
}

/** Starts the WASM classifier worker, loads the model and returns a ready Router. */
export function createRouter(options: CreateBrowserRouterOptions = {}): Promise<Router> {
  return createRouterWith(options, startWasmWorker);
}
