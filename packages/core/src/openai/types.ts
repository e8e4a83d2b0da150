/**
 * OpenAI chat.completions request types, and a validator that turns junk into a {@link RequestError}
 * naming the JSON path. Unknown fields are preserved everywhere.
 * @module
 */
import { RequestError } from '../errors.js';

/** A text content part. */
export interface ChatTextPart {
  type: 'text';
  text: string;
  [key: string]: unknown;
}
/** Any content part (`text`, `image_url`, `input_audio`, `file`, …); non-text parts are never classified. */
export type ChatContentPart = ChatTextPart | { type: string; [key: string]: unknown };

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function' | (string & {});
  content?: string | ChatContentPart[] | null;
  name?: string;
  [key: string]: unknown;
}

/** An OpenAI chat.completions request body. Fields semroute does not own are passed through untouched. */
export interface ChatCompletionRequest {
  model?: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  [key: string]: unknown;
}

const MAX_MESSAGES = 10_000;

/**
 * Checks the shape semroute relies on (an object with a `messages` array of `{role, content}` objects whose
 * content is a string, null, or an array of `{type}` parts) and returns the value typed. Throws
 * {@link RequestError} with the JSON path and what was expected. Never includes message text in errors.
 */
export function validateChatRequest(value: unknown): ChatCompletionRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RequestError('', `request body must be a JSON object, received ${kind(value)}`);
  }
  const body = value as Record<string, unknown>;
  if (body.model !== undefined && body.model !== null && typeof body.model !== 'string') {
    throw new RequestError('model', `expected a string, received ${kind(body.model)}`);
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw new RequestError('stream', `expected a boolean, received ${kind(body.stream)}`);
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) throw new RequestError('messages', `expected an array of messages, received ${kind(messages)}`);
  if (messages.length === 0) throw new RequestError('messages', 'expected at least one message');
  if (messages.length > MAX_MESSAGES) throw new RequestError('messages', `too many messages (${messages.length} > ${MAX_MESSAGES})`);
  messages.forEach((m, i) => {
    const p = `messages[${i}]`;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new RequestError(p, `expected a message object, received ${kind(m)}`);
    const msg = m as Record<string, unknown>;
    if (typeof msg.role !== 'string' || msg.role.length === 0) throw new RequestError(`${p}.role`, `expected a role string, received ${kind(msg.role)}`);
    const c = msg.content;
    if (c === undefined || c === null || typeof c === 'string') return;
    if (!Array.isArray(c)) throw new RequestError(`${p}.content`, `expected a string, null or an array of content parts, received ${kind(c)}`);
    c.forEach((part, j) => {
      const pp = `${p}.content[${j}]`;
      if (typeof part !== 'object' || part === null || Array.isArray(part)) throw new RequestError(pp, `expected a content part object, received ${kind(part)}`);
      const t = (part as Record<string, unknown>).type;
      if (typeof t !== 'string') throw new RequestError(`${pp}.type`, `expected a content part type string, received ${kind(t)}`);
      if (t === 'text' && typeof (part as Record<string, unknown>).text !== 'string') {
        throw new RequestError(`${pp}.text`, `expected a string, received ${kind((part as Record<string, unknown>).text)}`);
      }
    });
  });
  return body as ChatCompletionRequest;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
