/**
 * Module web worker entry of `@semroute/core/browser-webgpu` (opt-in): as `worker.ts`, plus ONNX Runtime Web's
 * WebGPU build (and its 27 MB asyncify `.wasm`), loaded only when a WebGPU backend is tried.
 * @module
 */
import { exposeClassifierWorker } from './web.js';

exposeClassifierWorker({ wasm: () => import('onnxruntime-web/wasm'), webgpu: () => import('onnxruntime-web/webgpu') });
