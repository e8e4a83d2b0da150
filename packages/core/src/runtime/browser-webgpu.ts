/**
 * The opt-in WebGPU entry's factories (`@semroute/core/browser-webgpu`): the classifier worker is
 * `worker-webgpu.ts`, which can run ONNX Runtime Web's WebGPU build (and its 27 MB asyncify `.wasm`) besides WASM.
 * @module
 */
import type { Router } from '../router.js';
import { type BrowserClassifierOptions, type CreateBrowserRouterOptions, type StartDefaultWorker, WorkerClassifier, createRouterWith } from './browser.js';

// A literal `new Worker(new URL(…, import.meta.url), {…})`: the pattern bundlers (Vite, webpack) follow.
const startWebGpuWorker: StartDefaultWorker = () => new Worker(new URL('./worker-webgpu.js', import.meta.url), { type: 'module', name: 'semroute-classifier' });

/** Starts the WebGPU-capable classifier worker (`worker-webgpu.ts`) and loads the model. */
export function createBrowserClassifier(options: BrowserClassifierOptions = {}): Promise<WorkerClassifier> {
  return WorkerClassifier.create(options, startWebGpuWorker);
}

/** Starts the WebGPU-capable classifier worker, loads the model and returns a ready Router. */
export function createRouter(options: CreateBrowserRouterOptions = {}): Promise<Router> {
  return createRouterWith(options, startWebGpuWorker);
}
