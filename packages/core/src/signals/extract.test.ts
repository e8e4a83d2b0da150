import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../config/parse.js';
import type { ChatCompletionRequest } from '../openai/types.js';
import { extractClassifiedText, extractClassifiedTextDetailed } from './extract.js';

const cfg = (n: number) =>
  loadConfigOrThrow({ providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] }, global: { conversation: { max_prior_user_turns: n } } });

const req: ChatCompletionRequest = {
  model: 'auto',
  messages: [
    { role: 'system', content: 'SYSTEM SECRET' },
    { role: 'user', content: 'first' },
    { role: 'assistant', content: 'ASSISTANT' },
    { role: 'user', content: [{ type: 'text', text: 'second' }, { type: 'image_url', image_url: { url: 'data:...' } }, { type: 'text', text: 'part2' }] },
    { role: 'tool', content: 'TOOL' },
    { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'xx', format: 'wav' } }] },
    { role: 'user', content: 'last' },
  ],
};

describe('extractClassifiedText', () => {
  it('takes the last user message, then up to N prior user turns, most recent first', () => {
    expect(extractClassifiedText(req, cfg(0))).toEqual({ text: 'last', turns: 1 });
    expect(extractClassifiedText(req, cfg(1))).toEqual({ text: 'last\n\nsecond\npart2', turns: 2 });
    expect(extractClassifiedText(req, cfg(5))).toEqual({ text: 'last\n\nsecond\npart2\n\nfirst', turns: 3 });
  });
  it('never includes system, assistant or tool text; skips non-text parts', () => {
    const { text } = extractClassifiedText(req, cfg(10));
    expect(text).not.toMatch(/SYSTEM|ASSISTANT|TOOL|data:/);
  });
  it('maps segments back to messages and parts', () => {
    const d = extractClassifiedTextDetailed(req, cfg(1));
    expect(d.segments).toEqual([
      { message: 6, part: -1, start: 0, end: 4 },
      { message: 3, part: 0, start: 6, end: 12 },
      { message: 3, part: 2, start: 13, end: 18 },
    ]);
    for (const s of d.segments) expect(d.text.slice(s.start, s.end).length).toBe(s.end - s.start);
  });
  it('copes with no user text and odd content', () => {
    expect(extractClassifiedText({ messages: [{ role: 'system', content: 'x' }] }, cfg(2))).toEqual({ text: '', turns: 0 });
    expect(extractClassifiedText({ messages: [{ role: 'user', content: null }, { role: 'user' }] }, cfg(2))).toEqual({ text: '', turns: 0 });
  });
});
