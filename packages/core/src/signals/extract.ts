/**
 * Which text is classified: the last user message plus up to N prior user turns (most recent first, so a
 * classifier that truncates keeps the current question), never system/developer/assistant/tool messages.
 * Only text content parts are read; image_url, input_audio, file … parts are skipped.
 * @module
 */
import type { RouterConfig } from '../config/schema.js';
import type { ChatCompletionRequest } from '../openai/types.js';

/** Where a piece of the classified text came from, for mapping PII spans back onto the request. */
export interface TextSegment {
  /** Index into `request.messages`. */
  readonly message: number;
  /** Index into the message's content-part array, or -1 for string content. */
  readonly part: number;
  /** Offset of this segment in the classified text. */
  readonly start: number;
  readonly end: number;
}

/** The classified text and its provenance. */
export interface ClassifiedText {
  readonly text: string;
  /** Number of user turns included (0 when there is no user text). */
  readonly turns: number;
  readonly segments: readonly TextSegment[];
}

/** Separator between turns and between text parts in the classified text. */
export const TURN_SEPARATOR = '\n\n';
const PART_SEPARATOR = '\n';

/** Text parts of a message content: `[partIndex, text]` (-1 for string content). */
export function textParts(content: unknown): [number, string][] {
  if (typeof content === 'string') return [[-1, content]];
  if (!Array.isArray(content)) return [];
  const out: [number, string][] = [];
  content.forEach((p, i) => {
    if (p && typeof p === 'object') {
      const part = p as Record<string, unknown>;
      if ((part.type === 'text' || part.type === 'input_text') && typeof part.text === 'string') out.push([i, part.text]);
    }
  });
  return out;
}

/** Like {@link extractClassifiedText}, with the segment map used for PII redaction. */
export function extractClassifiedTextDetailed(request: ChatCompletionRequest, config: RouterConfig): ClassifiedText {
  const maxPrior = config.global.conversation.max_prior_user_turns;
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const segments: TextSegment[] = [];
  let text = '';
  let turns = 0;
  for (let i = messages.length - 1; i >= 0 && turns <= maxPrior; i--) {
    const m = messages[i];
    if (!m || typeof m !== 'object' || m.role !== 'user') continue;
    const parts = textParts(m.content).filter(([, t]) => t.length > 0);
    if (parts.length === 0) continue;
    if (turns > 0) text += TURN_SEPARATOR;
    parts.forEach(([part, t], k) => {
      if (k > 0) text += PART_SEPARATOR;
      segments.push({ message: i, part, start: text.length, end: text.length + t.length });
      text += t;
    });
    turns++;
  }
  return { text, turns, segments };
}

/**
 * The text semroute classifies for a request: the last user message, then up to
 * `global.conversation.max_prior_user_turns` earlier user messages (most recent first), joined by a blank line.
 */
export function extractClassifiedText(request: ChatCompletionRequest, config: RouterConfig): { text: string; turns: number } {
  const r = extractClassifiedTextDetailed(request, config);
  return { text: r.text, turns: r.turns };
}
