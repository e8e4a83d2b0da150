/**
 * `@semroute/core/browser`: the core plus the browser runtime. Inference runs in a module Web Worker on ONNX
 * Runtime Web's WASM SIMD build (threaded when the page is cross-origin isolated), so a bundler emits one ORT
 * `.wasm`; WebGPU is opt-in through `@semroute/core/browser-webgpu`, which has the same API.
 * `createRouter({ config, model, backend, worker, onProgress })` returns a ready Router.
 * @module @semroute/core/browser
 */
export * from './browser-common.js';
export { createRouter, createBrowserClassifier } from './runtime/browser-wasm.js';
