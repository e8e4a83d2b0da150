import { describe, expect, it } from 'vitest';
import { type BatchRunner, MicroBatcher, bucketOf } from './batcher.js';

/** Fake model: domain logit 0 = sum of ids of the row, pii per token = its id. */
function fakeRunner(log: Array<[number, number]>): BatchRunner {
  return {
    async run(ids, mask, B, S) {
      log.push([B, S]);
      const domain = new Float32Array(B * 2);
      const pii = new Float32Array(B * S);
      for (let b = 0; b < B; b++) {
        let s = 0;
        for (let t = 0; t < S; t++) {
          if (mask[b * S + t] === 1n) s += Number(ids[b * S + t]);
          pii[b * S + t] = Number(ids[b * S + t]);
        }
        domain[b * 2] = s;
      }
      return { domain, jailbreak: new Float32Array(B * 2), pii, pooled: new Float32Array(B * 3) };
    },
  };
}
const opts = { maxBatch: 8, maxBatchTokens: 4096, maxQueue: 64, batchWindowMs: 1, dims: { domain: 2, jailbreak: 2, pii: 1 }, padId: 0 };

describe('MicroBatcher', () => {
  it('batches concurrent submissions by length bucket and maps rows back', async () => {
    const log: Array<[number, number]> = [];
    const mb = new MicroBatcher(fakeRunner(log), opts);
    const seqs = Array.from({ length: 20 }, (_, i) => ({ ids: Int32Array.from({ length: 1 + (i % 3) * 20 }, (_, k) => i + k + 1), needPii: true }));
    const rows = await Promise.all(mb.submit(seqs));
    rows.forEach((r, i) => {
      const ids = seqs[i]!.ids;
      expect(r.domain[0]).toBe(ids.reduce((a, b) => a + b, 0));
      expect([...r.pii!]).toEqual([...ids]);
    });
    expect(log.length).toBeLessThan(20);
    for (const [B, S] of log) expect(B).toBeLessThanOrEqual(8), expect(S).toBeGreaterThan(0);
    expect(bucketOf(17)).toBe(32);
  });

  it('rejects with a clear error when the queue is full, without dropping queued work', async () => {
    const mb = new MicroBatcher(fakeRunner([]), { ...opts, maxQueue: 4 });
    const ok = mb.submit([{ ids: Int32Array.of(1), needPii: false }]);
    const over = mb.submit(Array.from({ length: 4 }, () => ({ ids: Int32Array.of(2), needPii: false })));
    await expect(over[0]).rejects.toThrow(/queue is full.*maxQueue 4/);
    await expect(ok[0]).resolves.toBeTruthy();
  });

  it('fails every row of a batch when the run fails', async () => {
    const mb = new MicroBatcher({ run: () => Promise.reject(new Error('boom')) }, opts);
    const ps = mb.submit([{ ids: Int32Array.of(1), needPii: false }, { ids: Int32Array.of(2), needPii: false }]);
    for (const p of ps) await expect(p).rejects.toThrow(/inference failed: boom/);
  });

  it('runs up to `parallelism` batches at once and still maps every row back', async () => {
    let running = 0;
    let peak = 0;
    const inner = fakeRunner([]);
    const runner: BatchRunner = {
      parallelism: 2,
      async run(ids, mask, B, S) {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return inner.run(ids, mask, B, S);
      },
    };
    const mb = new MicroBatcher(runner, opts);
    const seqs = Array.from({ length: 40 }, (_, i) => ({ ids: Int32Array.from([i + 1, i + 2]), needPii: false }));
    const rows = await Promise.all(mb.submit(seqs));
    rows.forEach((r, i) => expect(r.domain[0]).toBe(2 * i + 3));
    expect(peak).toBe(2);
    expect(mb.batches).toBe(5);
  });
});
