/**
 * What the cache stores and serves: a `chat.completion` object. A non-streamed upstream answer is checked as it is;
 * a streamed one is assembled from its `chat.completion.chunk` events once the stream ends with `[DONE]`. Only
 * complete, plain answers are stored: every choice ends with `finish_reason: "stop"` and holds text, no tool or
 * function calls. A hit is served as JSON, or as an SSE stream (role + content, finish, optional usage, `[DONE]`)
 * when the client asked to stream, whichever way the answer was stored.
 * @module
 */
import { isObj, type JsonObject as Obj } from '../json-object.js';

/** One stored choice. */
export interface CachedChoice {
  readonly index: number;
  readonly message: { readonly role: string; readonly content: string; readonly refusal?: string | null };
  readonly finish_reason: 'stop';
  readonly logprobs?: null;
}

/** The stored answer (a `chat.completion` without the per-response id and time). */
export interface CachedCompletion {
  readonly model: string;
  readonly choices: readonly CachedChoice[];
  readonly usage?: Readonly<Record<string, unknown>>;
  readonly system_fingerprint?: string;
}

/** Why an upstream answer is not stored, or undefined when it may be. */
export type NotCacheableReason = 'status' | 'not_json' | 'not_a_completion' | 'finish_reason' | 'tool_calls' | 'no_text' | 'stream_incomplete';

/** A parsed `chat.completion` → what the cache stores, or why not. */
export function cacheableCompletion(body: unknown): CachedCompletion | NotCacheableReason {
  if (!isObj(body) || !Array.isArray(body.choices) || body.choices.length === 0) return 'not_a_completion';
  if (body.object !== undefined && body.object !== 'chat.completion') return 'not_a_completion';
  const choices: CachedChoice[] = [];
  for (const [i, c] of (body.choices as unknown[]).entries()) {
    if (!isObj(c) || !isObj(c.message)) return 'not_a_completion';
    const m = c.message;
    if (c.finish_reason !== 'stop') return 'finish_reason';
    if ((Array.isArray(m.tool_calls) && m.tool_calls.length > 0) || m.function_call) return 'tool_calls';
    if (typeof m.content !== 'string' || m.content.length === 0) return 'no_text';
    choices.push({
      index: typeof c.index === 'number' ? c.index : i,
      message: { role: typeof m.role === 'string' ? m.role : 'assistant', content: m.content, ...(typeof m.refusal === 'string' ? { refusal: m.refusal } : {}) },
      finish_reason: 'stop',
    });
  }
  return {
    model: typeof body.model === 'string' ? body.model : '',
    choices,
    ...(isObj(body.usage) ? { usage: body.usage } : {}),
    ...(typeof body.system_fingerprint === 'string' ? { system_fingerprint: body.system_fingerprint } : {}),
  };
}

interface ChoiceAcc {
  role: string;
  content: string;
  finish?: unknown;
  tools: boolean;
}

/**
 * Assembles a streamed answer from the SSE bytes a client received. Feed it every chunk in order (`push`), then
 * `finish()`: the completion, or why it cannot be stored (no `[DONE]`, an error event, a cut-off or tool-call answer).
 * Holds at most `maxBytes` of content; beyond that the answer is not stored.
 */
export class SseCompletionCollector {
  readonly #decoder = new TextDecoder();
  readonly #maxBytes: number;
  #pending = '';
  #bytes = 0;
  #done = false;
  #failed: NotCacheableReason | undefined;
  #model = '';
  #fingerprint: string | undefined;
  #usage: Obj | undefined;
  readonly #choices = new Map<number, ChoiceAcc>();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds the next piece of the stream (bytes or text, in order). Ignored once the stream ended or failed. */
  push(chunk: Uint8Array | string): void {
    if (this.#failed || this.#done) return;
    this.#bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (this.#bytes > this.#maxBytes * 2 + 65536) {
      // Far larger than any answer we would keep (the wire carries JSON framing around the text).
      this.#fail('stream_incomplete');
      return;
    }
    this.#pending += typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = this.#pending.search(/\r?\n\r?\n/)) >= 0) {
      const event = this.#pending.slice(0, at);
      this.#pending = this.#pending.slice(at).replace(/^\r?\n\r?\n/, '');
      this.#event(event);
      if (this.#failed || this.#done) return;
    }
  }

  /** The assembled `chat.completion`, or why it cannot be stored (`stream_incomplete` when `[DONE]` never came). */
  finish(): CachedCompletion | NotCacheableReason {
    if (this.#failed) return this.#failed;
    if (!this.#done) return 'stream_incomplete';
    return cacheableCompletion({
      object: 'chat.completion',
      model: this.#model,
      choices: [...this.#choices.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([index, c]) => ({ index, message: { role: c.role, content: c.content, ...(c.tools ? { tool_calls: [{}] } : {}) }, finish_reason: c.finish })),
      ...(this.#usage ? { usage: this.#usage } : {}),
      ...(this.#fingerprint ? { system_fingerprint: this.#fingerprint } : {}),
    });
  }

  #fail(r: NotCacheableReason): void {
    this.#failed = r;
    this.#pending = '';
    this.#choices.clear();
  }

  #event(event: string): void {
    let data = '';
    for (const line of event.split(/\r?\n/)) {
      if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line.startsWith('data: ') ? 6 : 5);
    }
    if (data === '') return;
    if (data.trim() === '[DONE]') {
      this.#done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      this.#fail('not_json');
      return;
    }
    if (!isObj(chunk) || isObj(chunk.error)) {
      this.#fail('status');
      return;
    }
    if (typeof chunk.model === 'string' && !this.#model) this.#model = chunk.model;
    if (typeof chunk.system_fingerprint === 'string') this.#fingerprint = chunk.system_fingerprint;
    if (isObj(chunk.usage)) this.#usage = chunk.usage;
    if (!Array.isArray(chunk.choices)) return;
    for (const c of chunk.choices as unknown[]) {
      if (!isObj(c)) continue;
      const index = typeof c.index === 'number' ? c.index : 0;
      let acc = this.#choices.get(index);
      if (!acc) {
        acc = { role: 'assistant', content: '', tools: false };
        this.#choices.set(index, acc);
      }
      const d = isObj(c.delta) ? c.delta : {};
      if (typeof d.role === 'string') acc.role = d.role;
      if (typeof d.content === 'string') acc.content += d.content;
      if ((Array.isArray(d.tool_calls) && d.tool_calls.length > 0) || d.function_call) acc.tools = true;
      if (c.finish_reason !== undefined && c.finish_reason !== null) acc.finish = c.finish_reason;
    }
  }
}

/** A fresh response id for a served hit (`chatcmpl-cache-…`). */
function responseId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `chatcmpl-cache-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A stored answer as the `chat.completion` JSON a client receives. */
export function completionJson(c: CachedCompletion, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return JSON.stringify({
    id: responseId(),
    object: 'chat.completion',
    created: nowSeconds,
    model: c.model,
    choices: c.choices.map((ch) => ({ index: ch.index, message: ch.message, logprobs: null, finish_reason: ch.finish_reason })),
    ...(c.usage ? { usage: c.usage } : {}),
    ...(c.system_fingerprint ? { system_fingerprint: c.system_fingerprint } : {}),
  });
}

/**
 * A stored answer as SSE events: per choice one chunk with the role and the whole content, then one with its
 * `finish_reason`; a usage chunk when the client asked for it (`stream_options.include_usage`); then `[DONE]`.
 */
export function completionSse(c: CachedCompletion, opts: { includeUsage?: boolean; nowSeconds?: number } = {}): string[] {
  const id = responseId();
  const created = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Obj = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: c.model, ...(c.system_fingerprint ? { system_fingerprint: c.system_fingerprint } : {}), choices, ...extra })}\n\n`;
  const events: string[] = [];
  for (const ch of c.choices) {
    events.push(chunk([{ index: ch.index, delta: { role: ch.message.role, content: ch.message.content }, logprobs: null, finish_reason: null }]));
    events.push(chunk([{ index: ch.index, delta: {}, logprobs: null, finish_reason: ch.finish_reason }]));
  }
  if (opts.includeUsage && c.usage) events.push(chunk([], { usage: c.usage }));
  events.push('data: [DONE]\n\n');
  return events;
}
