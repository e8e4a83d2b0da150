import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lines, promptOf } from './classify-stream.js';

describe('jsonl input', () => {
  it('splits lines across chunk boundaries, including multi-byte characters', async () => {
    const text = '{"text":"é1"}\n{"text":"2"}\n{"text":"3"}';
    const buf = Buffer.from(text);
    const parts = [buf.subarray(0, 11), buf.subarray(11, 20), buf.subarray(20)];
    const out: string[] = [];
    for await (const l of lines(Readable.from(parts))) out.push(l);
    expect(out.map((l) => promptOf(l).text)).toEqual(['é1', '2', '3']);
  });
  it('streams 100k lines lazily', async () => {
    let produced = 0;
    async function* gen() {
      for (let i = 0; i < 1000; i++) {
        produced += 100;
        yield Buffer.from('{"text":"hello world"}\n'.repeat(100));
      }
    }
    let n = 0;
    for await (const l of lines(gen())) {
      n++;
      // never more than one chunk ahead of the consumer
      expect(produced - n).toBeLessThanOrEqual(100);
      if (n === 1) expect(promptOf(l).text).toBe('hello world');
    }
    expect(n).toBe(100_000);
  });
  it('accepts OpenAI bodies and rejects junk', () => {
    expect(promptOf('{"messages":[{"role":"user","content":"x"}],"id":7}').id).toBe(7);
    expect(() => promptOf('[1]')).toThrow();
    expect(() => promptOf('{"foo":1}')).toThrow(/text/);
  });
});
