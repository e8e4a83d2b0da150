/**
 * `semroute classify --in FILE.jsonl --out FILE.jsonl`: streams JSONL through the router in small concurrent
 * batches. Memory stays bounded: input is pulled chunk by chunk only as fast as output drains.
 * @module
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Router } from '@semroute/core';
import { classificationRecord, type Heads } from '../server/route-view.js';

export interface ClassifyStreamOptions {
  batch?: number;
  heads?: Heads;
  /** Called after each batch with the number of lines done. */
  onProgress?: (done: number) => void;
}

/** Split a byte stream into lines (UTF-8), yielding them lazily. */
export async function* lines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let carry = '';
  const dec = new TextDecoder('utf-8');
  for await (const chunk of input) {
    const text = carry + (typeof chunk === 'string' ? chunk : dec.decode(chunk, { stream: true }));
    const parts = text.split('\n');
    carry = parts.pop() ?? '';
    for (const p of parts) yield p;
  }
  carry += dec.decode();
  if (carry) yield carry;
}

/** A prompt line: `{"text": ...}` or an OpenAI `{"messages": [...]}` body (optionally with `id`). */
export function promptOf(line: string): { text?: string; messages?: unknown[]; id?: unknown } {
  const obj = JSON.parse(line) as Record<string, unknown>;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('expected a JSON object');
  if (typeof obj.text === 'string') return { text: obj.text, id: obj.id };
  if (Array.isArray(obj.messages)) return { messages: obj.messages, id: obj.id };
  throw new Error('expected {"text": ...} or {"messages": [...]}');
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/** Classify every line of `input` into `out`; returns the number of lines processed. */
export async function classifyStream(router: Router, input: Readable | AsyncIterable<Buffer | string>, out: Writable, opts: ClassifyStreamOptions = {}): Promise<number> {
  const batchSize = Math.max(1, opts.batch ?? 32);
  let done = 0;
  let lineNo = 0;
  let batch: { line: number; raw: string }[] = [];
  const flush = async () => {
    const results = await Promise.all(
      batch.map(async ({ line, raw }) => {
        try {
          const p = promptOf(raw);
          const rec = await classificationRecord(router, p.messages ? { messages: p.messages } : (p.text ?? ''), opts.heads);
          return JSON.stringify(p.id !== undefined ? { id: p.id, ...rec } : rec);
        } catch (e) {
          return JSON.stringify({ line, error: e instanceof Error ? e.message : String(e) });
        }
      }),
    );
    await write(out, results.join('\n') + '\n');
    done += batch.length;
    batch = [];
    opts.onProgress?.(done);
  };
  for await (const raw of lines(input)) {
    lineNo++;
    if (!raw.trim()) continue;
    batch.push({ line: lineNo, raw });
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  return done;
}
