/**
 * Bring-your-own heads on ONNX Runtime Web: their batch runner (browser worker and edge) and their loading in the
 * browser worker. The worker (`web.ts`) imports this module only when the `heads` option is given, so bundlers put
 * the custom-head code (this and `byo.ts`) in a chunk of its own that the default path never fetches (it keeps the
 * default browser bundle within its budget).
 * @module
 */
import type * as OrtWeb from 'onnxruntime-web';
import type { ModelSpec } from './artifacts.js';
import type { ExecutionTarget } from './backends.js';
import type { BatcherOptions } from './batcher.js';
import { ByoHead, type ByoOutputs, groupHeadModels, runByoSession, validateOverrides, withModelTower } from './byo.js';
import type { DisposableRunner } from './classifier.js';
import { serialized } from './ort-web-runner.js';
import { ModelTokenizer } from './tokenizer.js';
import { type FetchOptions, fetchBytes, fetchJson } from './web-loader.js';

type Ort = typeof OrtWeb;

/** A custom model's session as a batch runner; its runs are chained with every other ORT-web call of the realm. */
export function webByoRunner(ort: Ort, session: OrtWeb.InferenceSession, outputs: ByoOutputs): DisposableRunner {
  const int64 = (data: BigInt64Array, dims: readonly number[]): OrtWeb.Tensor => new ort.Tensor('int64', data, dims);
  return {
    run: (inputIds, attentionMask, batch, seqLen) => serialized(() => runByoSession(session, int64, outputs, inputIds, attentionMask, batch, seqLen)),
    dispose: () => serialized(() => session.release()),
  };
}

/**
 * Loads each custom head of `heads` (the `heads` option, validated here), plus the model's own towers when its
 * heads.json names them (one session for heads naming the same model), on the ORT build and target already chosen.
 * `modelUrl` gives a model file's URL (base URL or bundler file map): the towers' files are read through it.
 */
export async function loadWebByoHeads(
  heads: unknown,
  chosen: { readonly ort: Ort; readonly target: ExecutionTarget },
  spec: ModelSpec,
  batching: Partial<BatcherOptions> | undefined,
  fetchOptions: (file: string) => FetchOptions,
  modelUrl: (file: string) => string,
): Promise<ByoHead[]> {
  const custom: ByoHead[] = [];
  for (const g of groupHeadModels(withModelTower(validateOverrides(heads), spec))) {
    // The model's own tower: its files are model files (`towers/use-lite/tokenizer.json`, as a file map names them),
    // read and reported under that name, so progress never shows the model's tokenizer.json twice.
    const name = (f: string): string => (g.inModelFolder ? `${g.model}/${f}` : f);
    const at = (f: string): string => (g.inModelFolder ? modelUrl(name(f)) : new URL(f, g.model.endsWith('/') ? g.model : `${g.model}/`).href);
    custom.push(
      await ByoHead.load(
        g.heads,
        {
          // async: a file missing from a file map (at() throws) must reject, so an optional file (tokenizer_config.json) can be absent.
          json: async (f) => fetchJson(at(f), fetchOptions(name(f))),
          tokenizer: (tj, tc) => new ModelTokenizer(tj, tc),
          runner: async (file, outputs) => {
            const b = await fetchBytes(at(file), fetchOptions(name(file)));
            const { ort, target } = chosen;
            const session = await serialized(() =>
              ort.InferenceSession.create(b, { executionProviders: [target === 'webgpu' ? 'webgpu' : 'wasm'], graphOptimizationLevel: 'all' }),
            );
            return webByoRunner(ort, session, outputs);
          },
        },
        spec,
        batching,
      ),
    );
  }
  return custom;
}
