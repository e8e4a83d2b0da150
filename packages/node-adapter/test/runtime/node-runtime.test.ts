/**
 * Integration tests of the Node runtime on the real bundled model (models/semroute-mini, or $SEMROUTE_MODEL_DIR).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUDA_INSTALLED, ClassifierError, type ClassifierSignals, type NodeClassifier, createNodeClassifier, createRouter } from '@semroute/node-adapter';

let clf: NodeClassifier;

beforeAll(async () => {
  clf = await createNodeClassifier({ threads: 2 });
}, 60_000);

afterAll(async () => {
  await clf?.dispose();
});

function expectWellFormed(s: ClassifierSignals, text: string): void {
  const ps = Object.values(s.categoryScores);
  expect(ps.length).toBe(14);
  expect(ps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  for (const p of ps) expect(Number.isFinite(p) && p >= 0 && p <= 1).toBe(true);
  expect(s.jailbreak >= 0 && s.jailbreak <= 1).toBe(true);
  for (const sp of s.pii) {
    expect(sp.start).toBeGreaterThanOrEqual(0);
    expect(sp.end).toBeGreaterThan(sp.start);
    expect(sp.end).toBeLessThanOrEqual(text.length);
    expect(sp.score).toBeGreaterThan(0);
  }
  expect(s.pooled?.length).toBe(256);
  expect(s.backend).toBe(clf.backend);
}

describe('Node runtime on the bundled model', () => {
  it('loads the bundled model on CPU and reports the provider in every result', async () => {
    expect(clf.backend).toBe('cpu');
    expect(clf.dtype).toBe('int8');
    const [s] = await clf.classify(['What is the integral of sin(x) dx?']);
    expectWellFormed(s!, 'What is the integral of sin(x) dx?');
    let norm = 0;
    for (const v of s!.pooled!) norm += v * v;
    expect(norm).toBeCloseTo(1, 4);
  });

  it('merges exact pattern matches into the model PII spans', async () => {
    // (`piiPatterns: false` gives the model's own spans: model-contract.test.ts compares those with the pipeline's.)
    const text = 'hey, mail me at john.smith@gmail.com, card 4111 1111 1111 1111 or call (415) 555-0132.';
    const clf = await createNodeClassifier({ threads: 1, warmup: false });
    try {
      const [a] = await clf.classify([text], { heads: ['pii'] });
      const found = a!.pii.map((s) => [s.type, text.slice(s.start, s.end)]);
      expect(found).toEqual(expect.arrayContaining([
        ['EMAIL_ADDRESS', 'john.smith@gmail.com'],
        ['CREDIT_CARD', '4111 1111 1111 1111'],
        ['PHONE_NUMBER', '(415) 555-0132'],
      ]));
      for (let i = 1; i < a!.pii.length; i++) expect(a!.pii[i - 1]!.end).toBeLessThanOrEqual(a!.pii[i]!.start);
    } finally {
      await clf.dispose();
    }
  });

  it('createRouter from @semroute/node-adapter routes a chat request end-to-end', async () => {
    const router = await createRouter({ threads: 1 });
    try {
      const r = await router.route({ model: 'auto', messages: [{ role: 'user', content: 'Solve 3x + 5 = 20 for x.' }] });
      expect(r.backend).toBe('cpu');
      expect(typeof r.decision.model).toBe('string');
      expect(r.headers['x-vsr-selected-model']).toBe(r.decision.model);
      // The classifier's time is split where the model runs: tokenize and infer, each within the whole classify call.
      const { tokenizeMs, inferMs, classifyMs } = r.timings;
      expect(tokenizeMs).toBeGreaterThanOrEqual(0);
      expect(inferMs).toBeGreaterThan(0);
      expect(tokenizeMs! + inferMs!).toBeLessThanOrEqual(classifyMs + 0.01);
      const red = await router.redact('no personal data here');
      expect(red.text).toBe('no personal data here');
    } finally {
      await router.dispose();
    }
  });

  it('falls back from an unavailable CUDA provider to CPU, and says so', async () => {
    if (CUDA_INSTALLED) return; // a GPU server: nothing to fall back from
    const warnings: string[] = [];
    const c = await createNodeClassifier({ backend: 'cuda', logger: { warn: (m) => warnings.push(m) }, warmup: false });
    try {
      expect(c.backend).toBe('cpu');
      expect(c.fallbacks[0]).toMatch(/^cuda: /);
      expect(warnings.join('\n')).toMatch(/backend 'cuda' failed to initialise .*falling back to 'cpu'/);
      const [s] = await c.classify(['hello']);
      expect(s!.backend).toBe('cpu');
    } finally {
      await c.dispose();
    }
  });

  it('rejects unknown or foreign backends with the valid choices', async () => {
    await expect(createNodeClassifier({ backend: 'tpu' as never })).rejects.toThrow(/Should be one of: auto, webgpu, wasm, cpu, cuda/);
    await expect(createNodeClassifier({ backend: 'wasm' })).rejects.toThrow(/not available in the Node runtime.*auto, cuda, cpu/);
    await expect(createNodeClassifier({ model: '/nonexistent/model' })).rejects.toThrow(ClassifierError);
  });

  it('never fails on empty, whitespace, 100k-character or binary-garbage input', async () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0), seed);
    let garbage = '';
    for (let i = 0; i < 5000; i++) garbage += String.fromCharCode(rnd() & 0xffff); // includes lone surrogates, NULs, controls
    let bytes = '';
    for (let i = 0; i < 3000; i++) bytes += String.fromCharCode(rnd() & 0xff);
    const sentence = 'The patient John Smith, born 1970, emailed jsmith@example.com about his tax return. ';
    const long = sentence.repeat(Math.ceil(100_000 / sentence.length)).slice(0, 100_000);
    const inputs = ['', '   ', '\n\t\r  \u00a0', garbage, bytes, long, '\u0000\u0000', '😀'.repeat(500)];
    const t0 = performance.now();
    const out = await clf.classify(inputs);
    const ms = performance.now() - t0;
    out.forEach((s, i) => expectWellFormed(s, inputs[i]!));
    expect(out[0]!.tokenCount).toBe(2); // [CLS] [SEP]
    expect(out[0]!.pii).toEqual([]);
    expect(out[5]!.tokenCount).toBeGreaterThan(10_000); // the whole 100k text was tokenized (PII windows cover it)
    expect(ms).toBeLessThan(60_000);
  }, 120_000);

  it('finds a PII span that straddles a window boundary in a long text (character offsets into the original)', async () => {
    const email = 'maria.gonzalez@example.org';
    const short = `Please contact me at ${email} tomorrow.`;
    const [alone] = await clf.classify([short]);
    const hit = alone!.pii.find((s) => short.slice(s.start, s.end).includes('example'));
    if (!hit) return; // this checkpoint does not tag the e-mail even in isolation: nothing to compare
    const w = clf.windows;
    // Put the e-mail right across the first PII window's right edge.
    const fillerWord = 'lorem ';
    const before = fillerWord.repeat(w.piiWindowTokens - 8);
    const text = `${before}${short} ${fillerWord.repeat(300)}`;
    const [long] = await clf.classify([text]);
    const at = text.indexOf(email);
    const found = long!.pii.find((s) => s.start <= at + 5 && s.end >= at + email.length - 5);
    expect(found, JSON.stringify(long!.pii)).toBeTruthy();
    expect(text.slice(found!.start, found!.end)).toContain('@example');
  });

  it('resolves 1,000 parallel classify() calls, each with its own result (micro-batched)', async () => {
    const texts = Array.from({ length: 50 }, (_, i) =>
      i % 2 ? `Question ${i}: what is the boiling point of water at ${i * 100} meters?` : `Tell me about the history of Rome, part ${i}.`,
    );
    const solo: ClassifierSignals[] = [];
    for (const t of texts) solo.push((await clf.classify([t]))[0]!);
    const before = clf.batchesRun;
    const calls = Array.from({ length: 1000 }, (_, i) => clf.classify([texts[i % 50]!]));
    const res = await Promise.all(calls);
    expect(clf.batchesRun - before).toBeLessThan(200); // batched, not 1,000 runs
    // int8 results move slightly with the other rows of a micro-batch (per-tensor dynamic quantization), so
    // "the right result" is checked as: same token count, close scores, and its pooled embedding is nearest to its own text's.
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let d = 0;
      for (let k = 0; k < a.length; k++) d += a[k]! * b[k]!;
      return d;
    };
    res.forEach(([s], i) => {
      const own = i % 50;
      const ref = solo[own]!;
      expect(s!.tokenCount).toBe(ref.tokenCount);
      for (const [k, p] of Object.entries(ref.categoryScores)) expect(Math.abs(s!.categoryScores[k]! - p)).toBeLessThan(0.1);
      const sims = solo.map((o) => dot(o.pooled!, s!.pooled!));
      expect(sims.indexOf(Math.max(...sims))).toBe(own);
    });
  }, 120_000);

  it('rejects with a clear error when the queue is full, and keeps serving', async () => {
    const small = await createNodeClassifier({ batching: { maxQueue: 8, maxBatch: 4 }, warmup: false });
    try {
      const settled = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => small.classify([`text ${i}`])));
      const rejected = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
      expect(rejected.length).toBeGreaterThan(0);
      expect(String(rejected[0]!.reason.message)).toMatch(/queue is full .*maxQueue 8/);
      expect(settled.some((s) => s.status === 'fulfilled')).toBe(true);
      await expect(small.classify(['still works'])).resolves.toHaveLength(1);
    } finally {
      await small.dispose();
    }
  });

  it('computes only the requested heads', async () => {
    const [s] = await clf.classify(['My name is Alice Jones'], { heads: ['domain'] });
    expect(Object.keys(s!.categoryScores)).toHaveLength(14);
    expect(s!.pii).toEqual([]);
    expect(s!.pooled).toBeUndefined();
    await expect(clf.classify(['x'], { heads: ['sentiment' as never] })).rejects.toThrow(/Should be one of: domain, jailbreak, pii, pooled/);
  });

  it('inferenceThread: same results, and the event loop keeps running during inference', async () => {
    const threaded = await createNodeClassifier({ threads: 1, inferenceThread: true });
    try {
      const texts = ['What is the integral of sin(x) dx?', 'My email is ann@example.com', ''];
      const a = await clf.classify(texts);
      const b = await threaded.classify(texts);
      b.forEach((s, i) => {
        for (const [k, p] of Object.entries(a[i]!.categoryScores)) expect(Math.abs(s.categoryScores[k]! - p)).toBeLessThan(1e-5);
        expect(s.pii.map((x) => [x.type, x.start, x.end])).toEqual(a[i]!.pii.map((x) => [x.type, x.start, x.end]));
      });
      // While 200 long texts run, timers on the main thread still fire.
      let ticks = 0;
      const iv = setInterval(() => ticks++, 5);
      const t0 = performance.now();
      await threaded.classify(Array.from({ length: 200 }, (_, i) => `${'The history of the Roman republic and its institutions. '.repeat(10)} ${i}`));
      const ms = performance.now() - t0;
      clearInterval(iv);
      expect(ticks).toBeGreaterThan(ms / 5 / 4); // at least a quarter of the ticks a free loop would get
    } finally {
      await threaded.dispose();
    }
  }, 60_000);

  it('inferenceThreads: N sessions in worker threads run batches side by side with the same results', async () => {
    await expect(createNodeClassifier({ inferenceThreads: 0 })).rejects.toThrow(/inferenceThreads must be an integer from 1 to 64 \(got 0\)/);
    const pooled = await createNodeClassifier({ threads: 1, inferenceThreads: 2 });
    try {
      // 300 concurrent calls of different lengths: every caller gets its own text's result, as from one session.
      const texts = Array.from({ length: 300 }, (_, i) => `${'Explain the photoelectric effect and who explained it. '.repeat(1 + (i % 4))} ${i}`);
      const [a, b] = [await clf.classify(texts.slice(0, 12)), await pooled.classify(texts)];
      a.forEach((s, i) => {
        expect(b[i]!.category).toBe(s.category);
        for (const [k, p] of Object.entries(s.categoryScores)) expect(Math.abs(b[i]!.categoryScores[k]! - p)).toBeLessThan(5e-2);
      });
      expect(b.every((s) => s.backend === 'cpu')).toBe(true);
      expect(pooled.batchesRun).toBeGreaterThan(1);
    } finally {
      await pooled.dispose();
    }
  }, 60_000);

  it('refuses work after dispose()', async () => {
    const c = await createNodeClassifier({ warmup: false });
    await c.dispose();
    await expect(c.classify(['x'])).rejects.toThrow(/disposed/);
  });
});
