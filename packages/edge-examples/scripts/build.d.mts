/** Types of scripts/build.mjs (used by the tests and the benchmark). */
export declare const PKG: string;
export declare const ROOT: string;
export declare const MODEL_DIR: string;
export declare const MODEL_FILES: readonly string[];
export declare const WASM_NAME: string;
export declare const ORT_WASM: string;
export interface BuildResult {
  out: string;
  worker: string;
  deno: string;
  bun: string;
  sizes: { workerJs: number; workerJsGzip: number; wasm: number; wasmGzip: number };
}
export declare function buildAll(out?: string): Promise<BuildResult>;
export declare function workerdConfig(o?: { port?: number; assetsDir?: string; configFile?: string; modelPath?: string; debugLog?: boolean; dtype?: 'int8' | 'fp32' }): string;
