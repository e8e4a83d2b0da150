import { describe, expect, it } from 'vitest';
import { promptSignature } from './guard.js';
import { MemoryCacheStore, utf8Length } from './memory-store.js';
import { quantize } from './vector.js';

const v = (x: number, y: number) => quantize(Float32Array.from([x, y, 0, 0]).map((a) => a / Math.hypot(x, y)));
const entry = (bucket: string, body: string, vector = v(1, 0)) => ({ bucket, vector, signature: promptSignature('q'), body, decision: 'd' });

describe('MemoryCacheStore', () => {
  it('keeps at most max_entries, evicting the oldest first (FIFO) even when used', async () => {
    const s = new MemoryCacheStore({ maxEntries: 2, maxBytes: 1e9, ttlMs: 0, eviction: 'fifo' });
    await s.put(entry('b', 'one'));
    await s.put(entry('b', 'two'));
    const [first] = await s.search('b', v(1, 0), 0.5, 1);
    await s.get(first!.id);
    const { evicted } = await s.put(entry('b', 'three'));
    expect(evicted).toBe(1);
    const bodies = await Promise.all((await s.search('b', v(1, 0), 0.5, 10)).map((c) => s.get(c.id)));
    expect(bodies.sort()).toEqual(['three', 'two']);
  });

  it('LRU keeps the entry that was just used', async () => {
    const s = new MemoryCacheStore({ maxEntries: 2, maxBytes: 1e9, ttlMs: 0, eviction: 'lru' });
    await s.put(entry('b', 'one', v(1, 0)));
    await s.put(entry('b', 'two', v(0, 1)));
    const [one] = await s.search('b', v(1, 0), 0.9, 1);
    expect(await s.get(one!.id)).toBe('one');
    await s.put(entry('b', 'three', v(1, 1)));
    const bodies = await Promise.all((await s.search('b', v(1, 0), -1, 10)).map((c) => s.get(c.id)));
    expect(bodies.sort()).toEqual(['one', 'three']);
  });

  it('keeps the answer bytes within max_bytes and never stores an answer larger than the bound', async () => {
    const s = new MemoryCacheStore({ maxEntries: 1000, maxBytes: 4000, ttlMs: 0, eviction: 'lru' });
    for (let i = 0; i < 20; i++) await s.put(entry('b', 'x'.repeat(1000)));
    expect(s.size().bytes).toBeLessThanOrEqual(4000);
    expect(s.size().entries).toBe(2);
    await s.put(entry('b', 'y'.repeat(5000)));
    expect((await Promise.all((await s.search('b', v(1, 0), 0, 10)).map((c) => s.get(c.id)))).every((b) => b!.startsWith('x'))).toBe(true);
  });

  it('expires entries after ttl', async () => {
    let now = 1000;
    const s = new MemoryCacheStore({ maxEntries: 10, maxBytes: 1e9, ttlMs: 500, eviction: 'lru', now: () => now });
    await s.put(entry('b', 'one'));
    expect(await s.search('b', v(1, 0), 0.9, 1)).toHaveLength(1);
    now += 501;
    expect(await s.search('b', v(1, 0), 0.9, 1)).toHaveLength(0);
    expect(s.size().entries).toBe(0);
  });

  it('searches one bucket only', async () => {
    const s = new MemoryCacheStore({ maxEntries: 10, maxBytes: 1e9, ttlMs: 0, eviction: 'lru' });
    await s.put(entry('a', 'one'));
    expect(await s.search('b', v(1, 0), 0.5, 1)).toEqual([]);
  });

  it('shrinks to new limits at once', async () => {
    const s = new MemoryCacheStore({ maxEntries: 10, maxBytes: 1e9, ttlMs: 0, eviction: 'lru' });
    for (let i = 0; i < 10; i++) await s.put(entry('b', `a${i}`));
    expect(s.setLimits({ maxEntries: 3, maxBytes: 1e9, ttlMs: 0, eviction: 'lru' })).toBe(7);
    expect(s.size().entries).toBe(3);
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });
});
