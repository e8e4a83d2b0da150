/**
 * The OpenAI Responses API (`POST /v1/responses`) in terms of chat.completions, pure and isomorphic:
 * - {@link validateResponsesRequest}: the request shape semroute relies on, junk → {@link RequestError} with the path;
 * - {@link responsesToChat}: the chat.completions view of a request (what the router classifies and rewrites, and
 *   what a chat-only backend receives), with a map from chat messages back to the request's items;
 * - {@link responsesBodyFor}: the Responses body for a backend that speaks Responses, taking every rewrite the
 *   router made on the chat view (model, reasoning switch, system prompt, PII redaction) back onto the items;
 * - {@link chatToResponse} and {@link ChatStreamToResponses}: a chat answer (JSON or SSE chunks) as a Response
 *   object or as Responses stream events;
 * - {@link refusalResponse}: a blocked / fast_response decision as a Response (and its events).
 * No routing here: the decision always comes from `Router.route` on the chat view.
 * @module
 */
import { RequestError } from '../errors.js';
import { isObj } from '../json-object.js';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage } from './types.js';

/** One input or output item (message, function_call, function_call_output, reasoning …). Unknown fields are kept. */
export type ResponseItem = Record<string, unknown>;

/** A `POST /v1/responses` body. Fields semroute does not own are passed through to Responses backends. */
export interface ResponsesRequest {
  model?: string;
  input: string | ResponseItem[];
  instructions?: string | null;
  previous_response_id?: string | null;
  store?: boolean | null;
  stream?: boolean | null;
  [key: string]: unknown;
}

/** A Response object (the non-streamed answer, and the `response` of stream events). */
export type ResponseObject = Record<string, unknown> & { id: string; output: ResponseItem[] };

const MAX_ITEMS = 10_000;

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Item types the chat translation understands (others are refused with their path). */
const ITEM_TYPES: ReadonlySet<string> = new Set(['message', 'function_call', 'function_call_output', 'reasoning']);

/**
 * Checks the shape semroute relies on: `input` a string or an array of items (messages `{role, content}` with
 * string or part-array content, `function_call`, `function_call_output`, `reasoning`), `instructions` a string,
 * `previous_response_id` a string, `store` / `stream` booleans. Never includes message text in errors.
 */
export function validateResponsesRequest(value: unknown): ResponsesRequest {
  if (!isObj(value)) throw new RequestError('', `request body must be a JSON object, received ${kind(value)}`);
  const b = value;
  if (b.model !== undefined && b.model !== null && typeof b.model !== 'string') throw new RequestError('model', `expected a string, received ${kind(b.model)}`);
  for (const k of ['stream', 'store'] as const) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'boolean') throw new RequestError(k, `expected a boolean, received ${kind(b[k])}`);
  }
  for (const k of ['instructions', 'previous_response_id'] as const) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') throw new RequestError(k, `expected a string, received ${kind(b[k])}`);
  }
  const input = b.input;
  if (typeof input === 'string') return b as ResponsesRequest;
  if (!Array.isArray(input)) throw new RequestError('input', `expected a string or an array of input items, received ${kind(input)}`);
  if (input.length > MAX_ITEMS) throw new RequestError('input', `too many input items (${input.length} > ${MAX_ITEMS})`);
  input.forEach((item, i) => validateItem(item, `input[${i}]`));
  return b as ResponsesRequest;
}

function validateItem(item: unknown, p: string): void {
  if (!isObj(item)) throw new RequestError(p, `expected an input item object, received ${kind(item)}`);
  const type = item.type ?? 'message';
  if (typeof type !== 'string') throw new RequestError(`${p}.type`, `expected a string, received ${kind(type)}`);
  if (!ITEM_TYPES.has(type)) {
    throw new RequestError(`${p}.type`, `item type ${JSON.stringify(type.slice(0, 40))} is not supported; use message, function_call, function_call_output or reasoning`);
  }
  if (type === 'message') {
    if (typeof item.role !== 'string' || item.role.length === 0) throw new RequestError(`${p}.role`, `expected a role string, received ${kind(item.role)}`);
    const c = item.content;
    if (typeof c === 'string') return;
    if (!Array.isArray(c)) throw new RequestError(`${p}.content`, `expected a string or an array of content parts, received ${kind(c)}`);
    c.forEach((part, j) => {
      if (!isObj(part) || typeof part.type !== 'string') throw new RequestError(`${p}.content[${j}]`, 'expected a content part object with a type');
      if (/^(input_text|output_text|text)$/.test(part.type) && typeof part.text !== 'string') throw new RequestError(`${p}.content[${j}].text`, `expected a string, received ${kind(part.text)}`);
    });
  } else if (type === 'function_call') {
    if (typeof item.call_id !== 'string') throw new RequestError(`${p}.call_id`, `expected a string, received ${kind(item.call_id)}`);
    if (typeof item.name !== 'string') throw new RequestError(`${p}.name`, `expected a string, received ${kind(item.name)}`);
  } else if (type === 'function_call_output') {
    if (typeof item.call_id !== 'string') throw new RequestError(`${p}.call_id`, `expected a string, received ${kind(item.call_id)}`);
  }
}

/** The request's `input` as items (a string is one user message). */
export function inputItems(req: ResponsesRequest): ResponseItem[] {
  return typeof req.input === 'string' ? [{ type: 'message', role: 'user', content: req.input }] : req.input;
}

/** The chat.completions view of a Responses request. */
export interface ChatView {
  readonly chat: ChatCompletionRequest;
  /**
   * Per chat message: the index of the item it came from in `items` (history, then this request's input), or -1
   * for the `instructions` system message.
   */
  readonly itemOf: readonly number[];
  /** The conversation's items: the stored history, then this request's input. */
  readonly items: readonly ResponseItem[];
}

/** A content part of a Responses message → the chat part at the same index. */
function chatPart(part: Record<string, unknown>): ChatContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: part.text as string };
    case 'refusal':
      return { type: 'text', text: typeof part.refusal === 'string' ? part.refusal : '' };
    case 'input_image': {
      const url = typeof part.image_url === 'string' ? part.image_url : undefined;
      return url ? { type: 'image_url', image_url: { url, ...(typeof part.detail === 'string' ? { detail: part.detail } : {}) } } : (part as ChatContentPart);
    }
    default:
      return part as ChatContentPart;
  }
}

const joinText = (parts: readonly ChatContentPart[]): string =>
  parts.map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');

/** Fields of a Responses request carried over to chat.completions under another name or shape. */
function chatParams(req: ResponsesRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['temperature', 'top_p', 'user', 'parallel_tool_calls', 'seed', 'top_logprobs', 'service_tier']) if (req[k] !== undefined) out[k] = req[k];
  if (typeof req.max_output_tokens === 'number') out.max_tokens = req.max_output_tokens;
  if (Array.isArray(req.tools)) {
    out.tools = req.tools.map((t, i) => {
      if (!isObj(t) || t.type !== 'function') throw new RequestError(`tools[${i}].type`, 'only function tools can be translated for a chat.completions backend');
      const { type: _t, strict, ...fn } = t;
      return { type: 'function', function: { ...fn, ...(strict !== undefined ? { strict } : {}) } };
    });
  }
  const tc = req.tool_choice;
  if (typeof tc === 'string') out.tool_choice = tc;
  else if (isObj(tc) && tc.type === 'function' && typeof tc.name === 'string') out.tool_choice = { type: 'function', function: { name: tc.name } };
  const fmt = isObj(req.text) ? req.text.format : undefined;
  if (isObj(fmt)) {
    if (fmt.type === 'json_schema') {
      const { type: _t, ...schema } = fmt;
      out.response_format = { type: 'json_schema', json_schema: schema };
    } else if (fmt.type === 'json_object') out.response_format = { type: 'json_object' };
  }
  const effort = isObj(req.reasoning) ? req.reasoning.effort : undefined;
  if (typeof effort === 'string') out.reasoning_effort = effort;
  if (req.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

/**
 * The chat.completions view: `instructions` as the first system message, then the history and input items
 * (messages with their parts at the same indices, `function_call` items as assistant tool calls, their outputs as
 * tool messages; `reasoning` items dropped), plus the sampling fields chat.completions knows.
 */
export function responsesToChat(req: ResponsesRequest, history: readonly ResponseItem[] = []): ChatView {
  const items = [...history, ...inputItems(req)];
  const messages: ChatMessage[] = [];
  const itemOf: number[] = [];
  if (typeof req.instructions === 'string' && req.instructions.length > 0) {
    messages.push({ role: 'system', content: req.instructions });
    itemOf.push(-1);
  }
  items.forEach((item, i) => {
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role === 'developer' ? 'system' : (item.role as string);
      const c = item.content;
      let content: ChatMessage['content'];
      if (typeof c === 'string') content = c;
      else {
        const parts = (c as Record<string, unknown>[]).map(chatPart);
        // Assistant turns go back as plain text (chat backends accept no output parts).
        content = role === 'assistant' ? joinText(parts) : parts;
      }
      messages.push({ role, content });
      itemOf.push(i);
    } else if (type === 'function_call') {
      const call = { id: item.call_id as string, type: 'function', function: { name: item.name as string, arguments: typeof item.arguments === 'string' ? item.arguments : '{}' } };
      const last = messages[messages.length - 1];
      if (last && last.role === 'assistant' && Array.isArray(last.tool_calls) && itemOf[itemOf.length - 1] !== -1) (last.tool_calls as unknown[]).push(call);
      else {
        messages.push({ role: 'assistant', content: null, tool_calls: [call] });
        itemOf.push(i);
      }
    } else if (type === 'function_call_output') {
      messages.push({ role: 'tool', tool_call_id: item.call_id as string, content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? '') });
      itemOf.push(i);
    }
  });
  const chat: ChatCompletionRequest = { ...(typeof req.model === 'string' ? { model: req.model } : {}), messages, ...chatParams(req) };
  return { chat, itemOf, items };
}

/** A chat message's content as Responses parts of the given item's role (input_text for input, output_text for assistant). */
function itemContent(content: ChatMessage['content'], original: unknown): unknown {
  if (typeof content === 'string') {
    if (!Array.isArray(original)) return content;
    // the original had parts: keep it as parts
    return [{ type: 'input_text', text: content }];
  }
  if (!Array.isArray(content) || !Array.isArray(original)) return original;
  if (content.length !== original.length) {
    // parts were added (system_prompt insert / append on a part array): take the chat parts back one by one
    return content.map((c) => (c.type === 'text' ? { type: 'input_text', text: c.text } : c.type === 'image_url' && isObj(c.image_url) ? { type: 'input_image', image_url: c.image_url.url } : c));
  }
  return original.map((p, j) => {
    const c = content[j];
    if (isObj(p) && typeof p.text === 'string' && c && c.type === 'text' && typeof c.text === 'string') return { ...p, text: c.text };
    return p;
  });
}

/**
 * The body for a backend that speaks Responses: the client's request with the conversation expanded (history +
 * input; `previous_response_id` dropped: the router keeps the state, so `store: false` upstream) and the router's
 * rewrites of the chat view taken back: `model`, the reasoning switch (`reasoning_effort` or `reasoning.effort` →
 * `reasoning.effort`; `chat_template_kwargs` as is, for vLLM), `instructions` (system_prompt plugin), and the text
 * of user / system messages (PII redaction).
 */
export function responsesBodyFor(req: ResponsesRequest, view: ChatView, rewritten: ChatCompletionRequest): Record<string, unknown> {
  const { previous_response_id: _p, ...rest } = req;
  const body: Record<string, unknown> = { ...rest, store: false };
  if (rewritten.model !== undefined) body.model = rewritten.model;
  const r = rewritten as Record<string, unknown>;
  if (isObj(r.reasoning) || typeof r.reasoning_effort === 'string') {
    const effort = typeof r.reasoning_effort === 'string' ? r.reasoning_effort : (r.reasoning as Record<string, unknown>).effort;
    body.reasoning = { ...(isObj(req.reasoning) ? req.reasoning : {}), ...(isObj(r.reasoning) ? r.reasoning : {}), ...(effort !== undefined ? { effort } : {}) };
  }
  if (r.chat_template_kwargs !== undefined) body.chat_template_kwargs = r.chat_template_kwargs;
  const items: ResponseItem[] = [...view.items];
  let instructions: string | undefined;
  const out = rewritten.messages;
  // The rewritten messages are the view's, in order, plus at most one system message the system_prompt plugin added first.
  const shift = out.length - view.chat.messages.length;
  out.forEach((m, k) => {
    const src = k - shift;
    const at = src >= 0 ? view.itemOf[src]! : -1;
    if (at === -1) {
      if (m.role === 'system') instructions = typeof m.content === 'string' ? m.content : joinText(Array.isArray(m.content) ? m.content : []);
      return;
    }
    const before = view.chat.messages[src]!;
    if (before.content === m.content) return;
    const item = items[at]!;
    if ((item.type ?? 'message') === 'message') items[at] = { ...item, content: itemContent(m.content, item.content) };
  });
  if (instructions !== undefined) body.instructions = instructions;
  else delete body.instructions;
  body.input = items;
  return body;
}

// ---- answers ----

/** What a Response echoes of its request. */
function echo(req: ResponsesRequest): Record<string, unknown> {
  const e: Record<string, unknown> = {
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: req.reasoning ?? null,
    store: req.store ?? true,
    temperature: req.temperature ?? null,
    text: req.text ?? { format: { type: 'text' } },
    tool_choice: req.tool_choice ?? 'auto',
    tools: req.tools ?? [],
    top_p: req.top_p ?? null,
    metadata: req.metadata ?? {},
  };
  if (req.user !== undefined) e.user = req.user;
  return e;
}

/** Identity of one answer: the router's response id, its item ids, creation time, and the model it reports. */
export interface ResponseIdentity {
  readonly id: string;
  readonly createdAt: number;
  /** The served model as the client sees it (the backend's model id, or `router` for a block). */
  readonly model: string;
}

const itemId = (id: string, kind: string, n: number) => `${kind}_${id.replace(/^resp_/, '')}${n ? `_${n}` : ''}`;

function usageOf(u: unknown): Record<string, unknown> | null {
  if (!isObj(u)) return null;
  const input = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : 0;
  const output = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
  const details = isObj(u.completion_tokens_details) && typeof u.completion_tokens_details.reasoning_tokens === 'number' ? u.completion_tokens_details.reasoning_tokens : 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: isObj(u.prompt_tokens_details) && typeof u.prompt_tokens_details.cached_tokens === 'number' ? u.prompt_tokens_details.cached_tokens : 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: details },
    total_tokens: typeof u.total_tokens === 'number' ? u.total_tokens : input + output,
  };
}

function responseShell(req: ResponsesRequest, who: ResponseIdentity, status: string, output: ResponseItem[], usage: unknown, incomplete?: string): ResponseObject {
  return {
    id: who.id,
    object: 'response',
    created_at: who.createdAt,
    status,
    error: null,
    incomplete_details: incomplete ? { reason: incomplete } : null,
    model: who.model,
    output,
    ...echo(req),
    usage: usage ?? null,
  };
}

function messageItem(id: string, text: string, status = 'completed', refusal = false): ResponseItem {
  return {
    id: itemId(id, 'msg', 0),
    type: 'message',
    status,
    role: 'assistant',
    content: [refusal ? { type: 'refusal', refusal: text } : { type: 'output_text', text, annotations: [] }],
  };
}

/** A chat.completion answer as a Response. */
export function chatToResponse(req: ResponsesRequest, who: ResponseIdentity, completion: unknown): ResponseObject {
  const c = isObj(completion) ? completion : {};
  const choice = Array.isArray(c.choices) && isObj(c.choices[0]) ? c.choices[0] : {};
  const msg = isObj(choice.message) ? choice.message : {};
  const output: ResponseItem[] = [];
  const text = typeof msg.content === 'string' ? msg.content : '';
  if (typeof msg.refusal === 'string' && msg.refusal) output.push(messageItem(who.id, msg.refusal, 'completed', true));
  else if (text || !Array.isArray(msg.tool_calls)) output.push(messageItem(who.id, text));
  if (Array.isArray(msg.tool_calls)) {
    msg.tool_calls.forEach((tc, n) => {
      const fn = isObj(tc) && isObj(tc.function) ? tc.function : {};
      output.push({
        id: itemId(who.id, 'fc', n + 1),
        type: 'function_call',
        status: 'completed',
        call_id: isObj(tc) && typeof tc.id === 'string' ? tc.id : itemId(who.id, 'call', n + 1),
        name: typeof fn.name === 'string' ? fn.name : '',
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
      });
    });
  }
  const incomplete = choice.finish_reason === 'length' ? 'max_output_tokens' : choice.finish_reason === 'content_filter' ? 'content_filter' : undefined;
  return responseShell(req, { ...who, model: typeof c.model === 'string' ? c.model : who.model }, incomplete ? 'incomplete' : 'completed', output, usageOf(c.usage), incomplete);
}

/** One Responses stream event, SSE-framed (`event:` line + `data:` JSON with `type` and `sequence_number`). */
export function responsesEvent(type: string, seq: number, fields: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, ...fields })}\n\n`;
}

/**
 * Translates a chat.completions SSE stream into Responses events. Feed it each `data:` payload (parsed JSON; the
 * `[DONE]` sentinel is not passed); it returns the SSE text to send. `finish()` closes open items and emits
 * `response.completed` (or `response.incomplete`); `response` is then the final Response (what a store keeps).
 */
export class ChatStreamToResponses {
  #seq = 0;
  #text = '';
  #textOpen = false;
  #finish: string | undefined;
  #usage: unknown;
  #model: string;
  readonly #calls = new Map<number, { id: string; call_id: string; name: string; arguments: string; outputIndex: number }>();
  #outputs = 0;
  #textIndex = -1;
  #final: ResponseObject | undefined;

  constructor(
    readonly request: ResponsesRequest,
    readonly who: ResponseIdentity,
  ) {
    this.#model = who.model;
  }

  /** `response.created` and `response.in_progress`: send them before the upstream's first chunk. */
  start(): string {
    const r = responseShell(this.request, { ...this.who, model: this.#model }, 'in_progress', [], null);
    return this.#ev('response.created', { response: r }) + this.#ev('response.in_progress', { response: r });
  }

  #ev(type: string, fields: Record<string, unknown>): string {
    return responsesEvent(type, this.#seq++, fields);
  }

  #openText(): string {
    if (this.#textOpen) return '';
    this.#textOpen = true;
    this.#textIndex = this.#outputs++;
    const item: ResponseItem & { id: string } = { ...messageItem(this.who.id, '', 'in_progress'), id: itemId(this.who.id, 'msg', 0), content: [] };
    return (
      this.#ev('response.output_item.added', { output_index: this.#textIndex, item }) +
      this.#ev('response.content_part.added', { item_id: item.id, output_index: this.#textIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } })
    );
  }

  /** One chat chunk (parsed `data:` JSON) → the events it makes. */
  push(chunk: unknown): string {
    if (!isObj(chunk)) return '';
    if (typeof chunk.model === 'string') this.#model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) && isObj(chunk.choices[0]) ? chunk.choices[0] : undefined;
    if (!choice) return '';
    let out = '';
    const delta = isObj(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      out += this.#openText();
      this.#text += delta.content;
      out += this.#ev('response.output_text.delta', { item_id: itemId(this.who.id, 'msg', 0), output_index: this.#textIndex, content_index: 0, delta: delta.content });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const tc of delta.tool_calls) {
        if (!isObj(tc)) continue;
        const idx = typeof tc.index === 'number' ? tc.index : 0;
        const fn = isObj(tc.function) ? tc.function : {};
        let call = this.#calls.get(idx);
        if (!call) {
          call = { id: itemId(this.who.id, 'fc', idx + 1), call_id: typeof tc.id === 'string' ? tc.id : itemId(this.who.id, 'call', idx + 1), name: typeof fn.name === 'string' ? fn.name : '', arguments: '', outputIndex: this.#outputs++ };
          this.#calls.set(idx, call);
          out += this.#ev('response.output_item.added', {
            output_index: call.outputIndex,
            item: { id: call.id, type: 'function_call', status: 'in_progress', call_id: call.call_id, name: call.name, arguments: '' },
          });
        }
        if (typeof fn.arguments === 'string' && fn.arguments.length > 0) {
          call.arguments += fn.arguments;
          out += this.#ev('response.function_call_arguments.delta', { item_id: call.id, output_index: call.outputIndex, delta: fn.arguments });
        }
      }
    }
    if (typeof choice.finish_reason === 'string') this.#finish = choice.finish_reason;
    return out;
  }

  /** Closes the answer: `…done` events for each open item, then `response.completed` / `response.incomplete`. */
  finish(): string {
    let out = '';
    const output: ResponseItem[] = [];
    if (this.#textOpen || this.#calls.size === 0) {
      out += this.#openText();
      const item = messageItem(this.who.id, this.#text);
      const part = (item.content as unknown[])[0];
      out += this.#ev('response.output_text.done', { item_id: item.id, output_index: this.#textIndex, content_index: 0, text: this.#text });
      out += this.#ev('response.content_part.done', { item_id: item.id, output_index: this.#textIndex, content_index: 0, part });
      out += this.#ev('response.output_item.done', { output_index: this.#textIndex, item });
      output[this.#textIndex] = item;
    }
    for (const call of this.#calls.values()) {
      const item = { id: call.id, type: 'function_call', status: 'completed', call_id: call.call_id, name: call.name, arguments: call.arguments };
      out += this.#ev('response.function_call_arguments.done', { item_id: call.id, output_index: call.outputIndex, arguments: call.arguments });
      out += this.#ev('response.output_item.done', { output_index: call.outputIndex, item });
      output[call.outputIndex] = item;
    }
    const incomplete = this.#finish === 'length' ? 'max_output_tokens' : this.#finish === 'content_filter' ? 'content_filter' : undefined;
    this.#final = responseShell(this.request, { ...this.who, model: this.#model }, incomplete ? 'incomplete' : 'completed', output.filter(Boolean), usageOf(this.#usage), incomplete);
    out += this.#ev(incomplete ? 'response.incomplete' : 'response.completed', { response: this.#final });
    return out;
  }

  /** The final Response, once {@link finish} ran. */
  get response(): ResponseObject | undefined {
    return this.#final;
  }
}

/**
 * A blocked or fast_response decision as a Response: a refusal part for blocks, output text for fast_response,
 * `model: "router"`; and the same as stream events.
 */
export function refusalResponse(req: ResponsesRequest, who: ResponseIdentity, message: string, refusal: boolean): { json: ResponseObject; sse: string } {
  const item = messageItem(who.id, message, 'completed', refusal);
  const json = responseShell(req, who, 'completed', [item], { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 });
  const part = (item.content as Record<string, unknown>[])[0]!;
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>) => responsesEvent(type, seq++, fields);
  const shell = { ...json, status: 'in_progress', output: [], usage: null };
  const kindDelta = refusal ? 'response.refusal' : 'response.output_text';
  const sse =
    ev('response.created', { response: shell }) +
    ev('response.in_progress', { response: shell }) +
    ev('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }) +
    ev('response.content_part.added', { item_id: item.id, output_index: 0, content_index: 0, part: refusal ? { type: 'refusal', refusal: '' } : { type: 'output_text', text: '', annotations: [] } }) +
    ev(`${kindDelta}.delta`, { item_id: item.id, output_index: 0, content_index: 0, delta: message }) +
    ev(`${kindDelta}.done`, { item_id: item.id, output_index: 0, content_index: 0, ...(refusal ? { refusal: message } : { text: message }) }) +
    ev('response.content_part.done', { item_id: item.id, output_index: 0, content_index: 0, part }) +
    ev('response.output_item.done', { output_index: 0, item }) +
    ev('response.completed', { response: json });
  return { json, sse };
}
