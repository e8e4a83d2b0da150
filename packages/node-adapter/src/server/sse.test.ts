import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { lastEventEnd, pipeBody, sseErrorEvent } from './sse.js';

async function* chunks(parts: string[], failAfter?: number) {
  let i = 0;
  for (const p of parts) {
    if (failAfter !== undefined && i++ >= failAfter) throw new Error('socket hang up');
    yield Buffer.from(p);
  }
}

function sink() {
  const s = new PassThrough();
  let out = '';
  s.on('data', (d) => (out += d));
  return { res: s as unknown as ServerResponse, text: () => out };
}

describe('sse pipe', () => {
  it('finds event boundaries', () => {
    expect(lastEventEnd(Buffer.from('data: a\n\ndata: b'))).toBe(9);
    expect(lastEventEnd(Buffer.from('data: a\r\n\r\n'))).toBe(11);
    expect(lastEventEnd(Buffer.from('data: a\n'))).toBe(0);
  });
  it('forwards whole events only, and reports a broken upstream', async () => {
    const { res, text } = sink();
    const ac = new AbortController();
    const outcome = await pipeBody(chunks(['data: 1\n\nda', 'ta: 2\n\ndata: 3', 'xx'], 2), res, { sse: true, signal: ac.signal });
    expect(outcome).toBe('upstream_broken');
    expect(text()).toBe('data: 1\n\ndata: 2\n\n');
  });
  it('passes everything through on success', async () => {
    const { res, text } = sink();
    let first = 0;
    const outcome = await pipeBody(chunks(['data: 1\n\n', 'data: [DONE]\n\n']), res, { sse: true, signal: new AbortController().signal, onFirstByte: () => first++ });
    expect(outcome).toBe('ok');
    expect(first).toBe(1);
    expect(text()).toBe('data: 1\n\ndata: [DONE]\n\n');
  });
  it('error event is valid JSON then [DONE]', () => {
    const [a, b] = sseErrorEvent('x', 'y').split('\n\n');
    expect(JSON.parse(a!.slice(6)).error.code).toBe('y');
    expect(b).toBe('data: [DONE]');
  });
});
