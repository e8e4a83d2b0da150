/**
 * Optional inference thread for Node: onnxruntime-node runs `session.run` synchronously on the calling thread
 * (inside a setImmediate), which blocks the event loop for a whole batch. With `inferenceThread: true` the
 * session lives in a worker_threads worker instead, so a server keeps parsing requests (and the micro-batcher
 * keeps filling the next batch) while a batch runs. Inputs and outputs are transferred, not copied.
 *
 * The worker is a small CommonJS script evaluated from a string, so it needs no TypeScript loader in development.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { ClassifierError } from '@semroute/core';
import { type BatchOutputs, type DisposableRunner, GRAPH } from '@semroute/core/runtime-kit';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session = null;
parentPort.on('message', async (m) => {
  try {
    if (m.type === 'init') {
      session = await ort.InferenceSession.create(m.bytes, m.options);
      parentPort.postMessage({ id: m.id, ok: true, outputNames: session.outputNames });
    } else if (m.type === 'run') {
      const r = await session.run({
        input_ids: new ort.Tensor('int64', m.ids, [m.B, m.S]),
        attention_mask: new ort.Tensor('int64', m.mask, [m.B, m.S]),
      });
      const out = {};
      const transfer = [];
      for (const k of m.outputs) {
        const t = r[k];
        if (!t) throw new Error("model output '" + k + "' missing; the graph has: " + session.outputNames.join(', '));
        const d = new Float32Array(t.data);
        out[k] = d;
        transfer.push(d.buffer);
      }
      parentPort.postMessage({ id: m.id, ok: true, out }, transfer);
    } else if (m.type === 'dispose') {
      if (session) await session.release();
      session = null;
      parentPort.postMessage({ id: m.id, ok: true });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e) });
  }
});
`;

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  out?: Record<string, Float32Array>;
  outputNames?: string[];
}

/** Starts an inference thread holding one session; resolves once the session is created. */
export async function threadRunner(bytes: Uint8Array, options: object): Promise<DisposableRunner & { outputNames: readonly string[] }> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath } });
  worker.unref();
  let next = 1;
  let dead: Error | null = null;
  const pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void }>();
  const fail = (e: Error): void => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.ok) p.resolve(r);
    else p.reject(new ClassifierError(`inference thread: ${r.error}`));
  });
  worker.on('error', (e) => fail(new ClassifierError(`inference thread crashed: ${e.message}`, { cause: e })));
  worker.on('exit', (code) => fail(new ClassifierError(`inference thread exited (code ${code})`)));
  const call = (msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> => {
    if (dead) return Promise.reject(dead);
    const id = next++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref(); // keep the process alive while work is in flight
      worker.postMessage({ ...msg, id }, transfer);
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });
  };
  let init: Reply;
  try {
    init = await call({ type: 'init', bytes, options });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  const outputs = [GRAPH.domain, GRAPH.jailbreak, GRAPH.pii, GRAPH.pooled];
  return {
    outputNames: init.outputNames ?? [],
    async run(inputIds, attentionMask, batch, seqLen): Promise<BatchOutputs> {
      const r = await call({ type: 'run', ids: inputIds, mask: attentionMask, B: batch, S: seqLen, outputs }, [
        inputIds.buffer as ArrayBuffer,
        attentionMask.buffer as ArrayBuffer,
      ]);
      const o = r.out!;
      return { domain: o[GRAPH.domain]!, jailbreak: o[GRAPH.jailbreak]!, pii: o[GRAPH.pii]!, pooled: o[GRAPH.pooled]! };
    },
    async dispose() {
      if (!dead) await call({ type: 'dispose' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
