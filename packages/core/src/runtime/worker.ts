/**
 * Module web worker entry of `@semroute/core/browser` (the default): exposes the classifier to the main thread
 * over comlink, with ONNX Runtime Web's WASM build only, so a bundler emits one ORT `.wasm`. WebGPU lives in
 * `worker-webgpu.ts` (`@semroute/core/browser-webgpu`).
 *
 * ORT-web's multi-threaded build may start its pthread workers from this same script (bundlers inline ORT
 * here); those are named `em-pthread*` and must not expose the classifier API.
 * @module
 */
import { exposeClassifierWorker } from './web.js';

exposeClassifierWorker({ wasm: () => import('onnxruntime-web/wasm') });
