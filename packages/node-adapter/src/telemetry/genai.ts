/**
 * What an OpenAI-compatible answer says about itself, for the `gen_ai.response.*` / `gen_ai.usage.*` span
 * attributes: read from a whole JSON answer, or from the tail of an SSE stream. Chat completions: the model and id
 * ride on every chunk, the finish reason on the last choice chunk, usage on the final chunk when the client asked for
 * it with `stream_options.include_usage`. Responses API: the response object, or in a stream the `response` of its
 * `response.completed` (…) events, with `usage.input_tokens` / `output_tokens`. Also the opt-in message capture in
 * the GenAI conventions' JSON shape.
 * Pure functions, no OpenTelemetry: anything malformed yields fewer fields, never an exception.
 * @module
 */

/** The answer's self-description; absent fields were not in the answer. */
export interface ResponseSummary {
  model?: string;
  id?: string;
  finishReasons: string[];
  inputTokens?: number;
  outputTokens?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/** Fold one chat.completion (or chat.completion.chunk) object into `into`: later values win, finish reasons add up per choice. */
function fold(into: ResponseSummary, doc: unknown, reasons: Map<number, string>): void {
  if (!isObject(doc)) return;
  // A Responses API stream event carries the response object.
  if (typeof doc.type === 'string' && isObject(doc.response)) return fold(into, doc.response, reasons);
  if (typeof doc.model === 'string') into.model = doc.model;
  if (typeof doc.id === 'string') into.id = doc.id;
  if (Array.isArray(doc.choices)) {
    for (const [i, c] of doc.choices.entries()) {
      if (!isObject(c) || typeof c.finish_reason !== 'string') continue;
      reasons.set(typeof c.index === 'number' ? c.index : i, c.finish_reason);
    }
  }
  if (isObject(doc.usage)) {
    const input = count(doc.usage.prompt_tokens ?? doc.usage.input_tokens);
    const output = count(doc.usage.completion_tokens ?? doc.usage.output_tokens);
    if (input !== undefined) into.inputTokens = input;
    if (output !== undefined) into.outputTokens = output;
  }
}

function finish(s: ResponseSummary, reasons: Map<number, string>): ResponseSummary {
  s.finishReasons = [...reasons.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  return s;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Summary of a non-streamed answer (its JSON text). */
export function summarizeJson(text: string): ResponseSummary {
  const reasons = new Map<number, string>();
  const s: ResponseSummary = { finishReasons: [] };
  fold(s, parse(text), reasons);
  return finish(s, reasons);
}

/**
 * Summary of the SSE events in `text` (the tail of a stream: a first event cut in half is skipped). Events are
 * read in order, so the last chunk's values win.
 */
export function summarizeSse(text: string): ResponseSummary {
  const reasons = new Map<number, string>();
  const s: ResponseSummary = { finishReasons: [] };
  for (const event of text.split(/\r?\n\r?\n/)) {
    let data = '';
    for (const line of event.split(/\r?\n/)) {
      if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line.startsWith('data: ') ? 6 : 5);
    }
    if (!data || data === '[DONE]') continue;
    fold(s, parse(data), reasons);
  }
  return finish(s, reasons);
}

/** Keeps the last `limit` bytes (at least) of a byte stream, as whole chunks. */
export class StreamTail {
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  constructor(readonly limit = 16 * 1024) {}

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0]!.length >= this.limit) this.#bytes -= this.#chunks.shift()!.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}

/** One message in the GenAI conventions' `gen_ai.input.messages` / `gen_ai.output.messages` shape. */
interface GenAiMessage {
  role: string;
  parts: Array<Record<string, unknown>>;
  finish_reason?: string;
}

const TEXT_PARTS = new Set(['text', 'input_text', 'output_text']);

function parts(content: unknown): Array<Record<string, unknown>> {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((p) => {
    if (isObject(p) && TEXT_PARTS.has(String(p.type)) && typeof p.text === 'string') return { type: 'text', content: p.text };
    // Images, audio, files: their kind only (a data URL is no trace attribute).
    return { type: isObject(p) && typeof p.type === 'string' ? p.type : 'unknown' };
  });
}

function messageOf(m: unknown, finishReason?: unknown): GenAiMessage | undefined {
  if (!isObject(m)) return undefined;
  const out: GenAiMessage = { role: typeof m.role === 'string' ? m.role : 'unknown', parts: parts(m.content) };
  if (Array.isArray(m.tool_calls)) {
    for (const c of m.tool_calls) {
      if (!isObject(c) || !isObject(c.function)) continue;
      out.parts.push({ type: 'tool_call', id: c.id, name: c.function.name, arguments: c.function.arguments });
    }
  }
  if (typeof finishReason === 'string') out.finish_reason = finishReason;
  return out;
}

/**
 * `gen_ai.input.messages` (JSON) of a request body (JSON text): chat.completions `messages`, or the Responses API's
 * `instructions` + `input` (a string or message items); undefined when it has none.
 */
export function inputMessages(body: string): string | undefined {
  const doc = parse(body);
  if (!isObject(doc)) return undefined;
  let messages: unknown[];
  if (Array.isArray(doc.messages)) messages = doc.messages;
  else if (typeof doc.input === 'string' || Array.isArray(doc.input)) {
    const items = typeof doc.input === 'string' ? [{ role: 'user', content: doc.input }] : doc.input.filter((i) => isObject(i) && (i.type === undefined || i.type === 'message'));
    messages = typeof doc.instructions === 'string' ? [{ role: 'system', content: doc.instructions }, ...items] : items;
  } else return undefined;
  return JSON.stringify(messages.map((m) => messageOf(m)).filter((m) => m !== undefined));
}

/** `gen_ai.output.messages` (JSON) of a non-streamed chat.completions answer (JSON text). */
export function outputMessages(text: string): string | undefined {
  const doc = parse(text);
  if (!isObject(doc) || !Array.isArray(doc.choices)) return undefined;
  return JSON.stringify(doc.choices.map((c) => (isObject(c) ? messageOf(c.message, c.finish_reason) : undefined)).filter((m) => m !== undefined));
}
