/**
 * `@semroute/core/browser-webgpu`: `@semroute/core/browser` with WebGPU. The same API; its worker also ships ONNX
 * Runtime Web's WebGPU build (27 MB more WebAssembly in the app's bundle), so `backend: 'auto'` uses WebGPU when an
 * adapter exists and is faster than WASM, and `backend: 'webgpu'` runs on it.
 * @module @semroute/core/browser-webgpu
 */
export * from './browser-common.js';
export { createRouter, createBrowserClassifier } from './runtime/browser-webgpu.js';
