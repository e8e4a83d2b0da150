/**
 * ONNX Runtime Web sessions as the classifier's batch runners, shared by the browser worker (web.ts) and the
 * edge runtime (edge.ts); custom heads' runners are in `ort-web-byo.ts`. All ORT-web calls of one JavaScript realm are chained on one promise (WASM and WebGPU
 * sessions must not run concurrently).
 * @module
 */
import type * as OrtWeb from 'onnxruntime-web';
import { ClassifierError } from '../errors.js';
import { GRAPH } from './artifacts.js';
import type { BatchOutputs } from './batcher.js';
import type { DisposableRunner } from './classifier.js';

type Ort = typeof OrtWeb;
type Session = OrtWeb.InferenceSession;

let chain: Promise<unknown> = Promise.resolve();
/** Serializes every ORT-web call in this worker. */
export function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const p = chain.then(fn, fn);
  chain = p.catch(() => undefined);
  return p;
}

export function webRunner(ort: Ort, session: Session): DisposableRunner {
  return {
    run(inputIds, attentionMask, batch, seqLen): Promise<BatchOutputs> {
      return serialized(async () => {
        const feeds = {
          input_ids: new ort.Tensor('int64', inputIds, [batch, seqLen]),
          attention_mask: new ort.Tensor('int64', attentionMask, [batch, seqLen]),
        };
        const r = await session.run(feeds);
        const get = async (name: string): Promise<Float32Array> => {
          const t = r[name];
          if (!t) throw new ClassifierError(`model output '${name}' missing; the graph has: ${session.outputNames.join(', ')}`);
          const d = t.location === 'cpu' ? t.data : await t.getData(true);
          return d as Float32Array;
        };
        return {
          domain: await get(GRAPH.domain),
          jailbreak: await get(GRAPH.jailbreak),
          pii: await get(GRAPH.pii),
          pooled: await get(GRAPH.pooled),
        };
      });
    },
    dispose: () => serialized(() => session.release()),
  };
}
