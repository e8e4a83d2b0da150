/**
 * The browser main-thread client (core's WorkerClassifier) against an in-process "worker": a MessageChannel endpoint
 * running the real worker API over the Node runtime. Covers crash recovery (restart + one retry, or a clear
 * error), init failure, and dispose, without a browser. The real-browser versions live in e2e/parity.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expose } from 'comlink';
import { createNodeClassifier } from '@semroute/node-adapter';
import { WorkerClassifier, type WorkerLike, resolveModelBase, resolveModelFiles } from '../../../core/src/runtime/browser.js';
import { createWorkerApi } from '../../../core/src/runtime/worker-api.js';

/** A Worker look-alike: comlink talks over a MessageChannel; `crash()` fires an 'error' event like a real crash. */
class FakeWorker extends EventTarget implements WorkerLike {
  static started = 0;
  /** Crash the worker that receives the next N classify calls. */
  static crashOnClassify = 0;
  readonly #port: MessagePort;
  readonly #other: MessagePort;
  terminated = false;
  constructor(modelOverride?: string) {
    super();
    FakeWorker.started++;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#other = port2;
    port1.addEventListener('message', (ev) => this.dispatchEvent(new MessageEvent('message', { data: (ev as MessageEvent).data })));
    port1.start();
    const api = createWorkerApi(async (o) => {
      const classifier = await createNodeClassifier({ model: modelOverride, threads: 1, warmup: false, ...(o.batching ? { batching: o.batching } : {}) });
      return { classifier, info: { backend: classifier.backend, dtype: classifier.dtype, fallbacks: [] } };
    });
    // The "worker side": crashForTest raises an error event on the worker object, as a browser would.
    api.crashForTest = () => setTimeout(() => this.crash('simulated worker crash'), 0);
    const classify = api.classify.bind(api);
    api.classify = (texts, o) => {
      if (FakeWorker.crashOnClassify > 0) {
        FakeWorker.crashOnClassify--;
        setTimeout(() => this.crash('crashed on classify'), 0);
        return new Promise(() => undefined); // a dead worker never answers
      }
      return classify(texts, o);
    };
    expose(api, port2);
  }
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.#port.postMessage(message, (transfer ?? []) as never);
  }
  crash(message: string): void {
    const ev = new Event('error') as Event & { message: string };
    ev.message = message;
    this.dispatchEvent(ev);
  }
  terminate(): void {
    this.terminated = true;
    this.#port.close();
    this.#other.close();
  }
}

let created: WorkerClassifier[] = [];
afterEach(async () => {
  for (const c of created) await c.dispose();
  created = [];
});

async function make(opts: { retryOnCrash?: boolean } = {}): Promise<{ clf: WorkerClassifier; workers: FakeWorker[] }> {
  const workers: FakeWorker[] = [];
  const clf = await WorkerClassifier.create({
    model: 'http://localhost/models/semroute-mini/',
    worker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    ...opts,
  });
  created.push(clf);
  return { clf, workers };
}

describe('WorkerClassifier (main-thread client)', () => {
  it('classifies through the worker and reports the worker backend', async () => {
    const { clf } = await make();
    expect(clf.backend).toBe('cpu');
    const [s] = await clf.classify(['What is an enzyme?']);
    expect(Object.keys(s!.categoryScores)).toHaveLength(14);
    expect(s!.backend).toBe('cpu');
  });

  it('restarts a crashed worker and retries in-flight calls once', async () => {
    const { clf, workers } = await make();
    const [before] = await clf.classify(['What is an enzyme?']);
    const inflight = clf.classify(Array.from({ length: 200 }, (_, i) => `question ${i} about enzymes and proteins`));
    await new Promise((r) => setTimeout(r, 20)); // the call is now in the worker
    workers[0]!.crash('out of memory');
    const res = await inflight;
    expect(res).toHaveLength(200);
    expect(clf.restarts).toBe(1);
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    const [after] = await clf.classify(['What is an enzyme?']);
    expect(after!.jailbreak).toBeCloseTo(before!.jailbreak, 6);
  });

  it('fails in-flight calls with a clear error when retry is off, then serves on the new worker', async () => {
    const { clf, workers } = await make({ retryOnCrash: false });
    const inflight = clf.classify(Array.from({ length: 200 }, (_, i) => `question ${i}`));
    await new Promise((r) => setTimeout(r, 20));
    workers[0]!.crash('simulated');
    await expect(inflight).rejects.toThrow(/classifier worker crashed: simulated/);
    await expect(clf.classify(['hello'])).resolves.toHaveLength(1);
  });

  it('gives up after one retry when the worker keeps crashing', async () => {
    const { clf, workers } = await make();
    FakeWorker.crashOnClassify = 2; // the call and its retry both land on a worker that dies
    await expect(clf.classify(['poison'])).rejects.toThrow(/crashed and the retry failed: classifier worker crashed: crashed on classify/);
    expect(workers).toHaveLength(3);
    await expect(clf.classify(['fine again'])).resolves.toHaveLength(1);
  });

  it('a crash before a call reaches the worker just waits for the restarted one', async () => {
    const { clf, workers } = await make({ retryOnCrash: false });
    const p = clf.classify(['hello']);
    workers[0]!.crash('early');
    await expect(p).resolves.toHaveLength(1);
    expect(clf.restarts).toBe(1);
  });

  it('refuses calls after dispose()', async () => {
    const { clf, workers } = await make();
    await clf.dispose();
    expect(workers[0]!.terminated).toBe(true);
    await expect(clf.classify(['x'])).rejects.toThrow(/disposed/);
  });

  it('loads models from the page origin only, unless remote models are opted into', () => {
    const page = 'https://app.example.com/chat/';
    expect(resolveModelBase({}, page)).toBe('https://app.example.com/chat/models/semroute-mini/');
    expect(resolveModelBase({ model: '/m/x' }, page)).toBe('https://app.example.com/m/x/');
    expect(() => resolveModelBase({ model: 'https://cdn.example.net/m/' }, page)).toThrow(/allowRemoteModels: true/);
    expect(resolveModelBase({ model: 'https://cdn.example.net/m/', allowRemoteModels: true }, page)).toBe('https://cdn.example.net/m/');
    expect(() => resolveModelBase({ huggingFace: 'org/name' }, page)).toThrow(/allowRemoteModels/);
    expect(resolveModelBase({ huggingFace: 'org/name', allowRemoteModels: true }, page)).toBe('https://huggingface.co/org/name/resolve/main/');
  });

  it('takes a model file by file (bundler assets), same origin or data:/blob: unless remote models are opted into', () => {
    const page = 'https://app.example.com/chat/';
    const files = {
      'config.json': '/assets/config-1a2b.json',
      'tokenizer.json': new URL('https://app.example.com/assets/tokenizer-3c4d.json'),
      'tokenizer_config.json': 'data:application/json;base64,e30=',
      'heads.json': 'assets/heads-5e6f.json',
      'onnx/model_quantized.onnx': '/assets/model_quantized-7a8b.onnx',
    };
    expect(resolveModelFiles(files, false, page)).toEqual({
      'config.json': 'https://app.example.com/assets/config-1a2b.json',
      'tokenizer.json': 'https://app.example.com/assets/tokenizer-3c4d.json',
      'tokenizer_config.json': 'data:application/json;base64,e30=',
      'heads.json': 'https://app.example.com/chat/assets/heads-5e6f.json',
      'onnx/model_quantized.onnx': 'https://app.example.com/assets/model_quantized-7a8b.onnx',
    });
    const remote = { ...files, 'onnx/model_quantized.onnx': 'https://cdn.example.net/m.onnx' };
    expect(() => resolveModelFiles(remote, false, page)).toThrow(/cdn\.example\.net.*allowRemoteModels: true/);
    expect(resolveModelFiles(remote, true, page)['onnx/model_quantized.onnx']).toBe('https://cdn.example.net/m.onnx');
    const { 'heads.json': _heads, 'onnx/model_quantized.onnx': _graph, ...partial } = files;
    expect(() => resolveModelFiles(partial, false, page)).toThrow(/lacks heads\.json, onnx\/model\.onnx or onnx\/model_quantized\.onnx/);
  });
});
