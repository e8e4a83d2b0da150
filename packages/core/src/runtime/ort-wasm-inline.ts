/**
 * onnxruntime-web's WASM build, run inline (no Web Worker, no proxy worker, one thread) from a WebAssembly.Module
 * the caller compiled or imported. Cloudflare Workers refuse to compile WebAssembly from bytes at run time
 * (`WebAssembly.instantiate(bytes)` fails with "Wasm code generation disallowed by embedder"): the `.wasm` is
 * imported as a module there, and ORT-web 1.30 only accepts bytes (`env.wasm.wasmBinary`).
 *
 * So ORT is given an 8-byte marker as `wasmBinary`, and for the duration of the first session creation (the only
 * time ORT instantiates its module) `WebAssembly.instantiate` answers that marker, and only that marker, with an
 * instance of the precompiled module. Everything else is passed to the original function, which is restored
 * right after. Runtimes that may compile bytes (Deno, Bun, Node) take the same path after `WebAssembly.compile`.
 * @module
 */
import type * as OrtWeb from 'onnxruntime-web';
import { ClassifierError } from '../errors.js';

export type Ort = typeof OrtWeb;

/** `\0semrout`: not a WebAssembly header (`\0asm`), so it can never be mistaken for a real module. */
const MARKER = Object.freeze([0x00, 0x73, 0x65, 0x6d, 0x72, 0x6f, 0x75, 0x74]);

function isMarker(source: unknown): boolean {
  const b = source instanceof Uint8Array ? source : source instanceof ArrayBuffer ? new Uint8Array(source) : undefined;
  return !!b && b.byteLength === MARKER.length && MARKER.every((x, i) => b[i] === x);
}

/** The ORT heap (a WebAssembly.Memory among the instance's imports or exports), kept to report its size. */
let heap: WebAssembly.Memory | undefined;

function findMemory(imports: unknown, instance: WebAssembly.Instance): WebAssembly.Memory | undefined {
  const scan = (o: unknown): WebAssembly.Memory | undefined => {
    if (!o || typeof o !== 'object') return undefined;
    for (const v of Object.values(o as Record<string, unknown>)) if (v instanceof WebAssembly.Memory) return v;
    return undefined;
  };
  if (imports && typeof imports === 'object') {
    for (const ns of Object.values(imports as Record<string, unknown>)) {
      const m = scan(ns);
      if (m) return m;
    }
  }
  return scan(instance.exports);
}

/** Bytes of ORT's WebAssembly heap right now (it only grows), or undefined before the first session. */
export function wasmHeapBytes(): number | undefined {
  return heap?.buffer.byteLength;
}

let ortModule: Promise<Ort> | undefined;
/** The WASM-only ORT-web build, configured for inline single-threaded use. Loaded once per realm. */
export function loadOrtWasm(): Promise<Ort> {
  ortModule ??= import('onnxruntime-web/wasm').then((mod) => {
    const ort = ((mod as { default?: Ort }).default ?? mod) as Ort;
    ort.env.wasm.numThreads = 1; // edge isolates have no threads (no SharedArrayBuffer workers)
    ort.env.wasm.proxy = false; // and no Web Worker: inference runs inline
    ort.env.wasm.wasmBinary = new Uint8Array(MARKER);
    return ort;
  });
  return ortModule;
}

type Instantiate = (source: unknown, imports?: unknown) => Promise<unknown>;

/**
 * Runs `fn` (ORT's first `InferenceSession.create`) while `WebAssembly.instantiate` answers ORT's marker with an
 * instance of `module`. Callers serialize ORT calls (ort-web-runner's `serialized`), so no two runs overlap.
 */
export async function withPrecompiledOrt<T>(module: WebAssembly.Module, fn: () => Promise<T>): Promise<T> {
  const wasm = WebAssembly as unknown as { instantiate: Instantiate };
  const original = wasm.instantiate;
  const patched: Instantiate = async (source, imports) => {
    if (!isMarker(source)) return original.call(WebAssembly, source, imports);
    const instance = (await original.call(WebAssembly, module, imports)) as WebAssembly.Instance;
    heap = findMemory(imports, instance);
    return { instance, module };
  };
  wasm.instantiate = patched;
  try {
    return await fn();
  } finally {
    if (wasm.instantiate === patched) wasm.instantiate = original;
  }
}

/** A WebAssembly.Module from bytes, with a clear message where the runtime forbids it (Cloudflare Workers). */
export async function compileOrtWasm(bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ClassifierError(
      `could not compile ORT's WebAssembly from bytes (${why}). On Cloudflare Workers, import the .wasm as a module ` +
        `(\`import ortWasm from './ort-wasm-simd-threaded.wasm'\`) and pass that WebAssembly.Module as \`wasm\`.`,
      { cause },
    );
  }
}
