/**
 * The eval's OpenAI-compatible chat client: one request with timing (total and time to first token when streaming),
 * tolerant SSE parsing, and retries with exponential back-off on 429 / 5xx / network errors (honouring `Retry-After`).
 * @module
 */

export interface ChatUsage {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
  readonly total_tokens?: number;
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number } | null;
}

export interface ChatResult {
  readonly content: string;
  readonly reasoningContent: string;
  readonly finishReason: string | null;
  readonly usage?: ChatUsage;
  readonly model?: string;
  readonly latencyMs: number;
  /** Time to the first content or reasoning token (streaming only). */
  readonly ttftMs?: number;
  readonly attempts: number;
}

/** A request that failed for good; `kind` says why. */
export class EvalRequestError extends Error {
  override readonly name = 'EvalRequestError';
  constructor(
    message: string,
    readonly kind: 'network' | 'http' | 'malformed' | 'timeout',
    readonly status?: number,
    readonly attempts = 1,
  ) {
    super(message);
  }
}

export interface ChatClientOptions {
  /** Base URL, e.g. `http://localhost:8000/v1` (`/chat/completions` is appended unless already there). */
  readonly endpoint: string;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  /** Base back-off in ms (doubles per retry, with jitter; capped at 60 s). */
  readonly backoffMs?: number;
  /** Shared gate: when the server says 429, every worker waits until this time. */
  readonly gate?: { pauseUntil: number };
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

export function chatUrl(endpoint: string): string {
  const e = endpoint.replace(/\/+$/, '');
  return e.endsWith('/chat/completions') ? e : `${e}/chat/completions`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return s * 1000;
  const d = Date.parse(h);
  return Number.isFinite(d) ? d - Date.now() : undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Parse a non-streaming completion body; throws `malformed` errors with what was wrong. */
export function parseCompletion(text: string): Omit<ChatResult, 'latencyMs' | 'attempts'> {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new EvalRequestError(`malformed response: not JSON (${JSON.stringify(text.slice(0, 120))})`, 'malformed');
  }
  if (!isObj(j)) throw new EvalRequestError('malformed response: not a JSON object', 'malformed');
  if (isObj(j.error)) throw new EvalRequestError(`server error in a 200 response: ${String(j.error.message ?? JSON.stringify(j.error)).slice(0, 300)}`, 'malformed');
  const choices = j.choices;
  if (!Array.isArray(choices) || choices.length === 0 || !isObj(choices[0])) throw new EvalRequestError('malformed response: no choices[0]', 'malformed');
  const msg = choices[0].message;
  if (!isObj(msg)) throw new EvalRequestError('malformed response: choices[0].message missing', 'malformed');
  const content = typeof msg.content === 'string' ? msg.content : msg.content === null ? '' : undefined;
  if (content === undefined) throw new EvalRequestError('malformed response: choices[0].message.content is not a string', 'malformed');
  const reasoning = typeof msg.reasoning_content === 'string' ? msg.reasoning_content : typeof msg.reasoning === 'string' ? msg.reasoning : '';
  return {
    content,
    reasoningContent: reasoning,
    finishReason: typeof choices[0].finish_reason === 'string' ? choices[0].finish_reason : null,
    ...(isObj(j.usage) ? { usage: j.usage as ChatUsage } : {}),
    ...(typeof j.model === 'string' ? { model: j.model } : {}),
  };
}

async function readStream(res: Response, t0: number): Promise<Omit<ChatResult, 'latencyMs' | 'attempts'>> {
  if (!res.body) throw new EvalRequestError('malformed response: empty stream', 'malformed');
  const decoder = new TextDecoder();
  let buf = '';
  let content = '';
  let reasoning = '';
  let finishReason: string | null = null;
  let usage: ChatUsage | undefined;
  let model: string | undefined;
  let ttftMs: number | undefined;
  let sawDone = false;
  let events = 0;
  const handleData = (data: string) => {
    if (data === '[DONE]') {
      sawDone = true;
      return;
    }
    let j: unknown;
    try {
      j = JSON.parse(data);
    } catch {
      throw new EvalRequestError(`malformed response: bad SSE event ${JSON.stringify(data.slice(0, 120))}`, 'malformed');
    }
    if (!isObj(j)) throw new EvalRequestError('malformed response: SSE event is not an object', 'malformed');
    if (isObj(j.error)) throw new EvalRequestError(`server error in stream: ${String(j.error.message ?? 'unknown')}`, 'http', 500);
    events++;
    if (typeof j.model === 'string') model = j.model;
    if (isObj(j.usage)) usage = j.usage as ChatUsage;
    const choices = Array.isArray(j.choices) ? j.choices : [];
    const c0 = choices[0];
    if (isObj(c0)) {
      const d = isObj(c0.delta) ? c0.delta : {};
      const piece = typeof d.content === 'string' ? d.content : '';
      const rpiece = typeof d.reasoning_content === 'string' ? d.reasoning_content : typeof d.reasoning === 'string' ? d.reasoning : '';
      if ((piece || rpiece) && ttftMs === undefined) ttftMs = performance.now() - t0;
      content += piece;
      reasoning += rpiece;
      if (typeof c0.finish_reason === 'string') finishReason = c0.finish_reason;
    }
  };
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let idx: number;
    while ((idx = buf.search(/\r?\n\r?\n/)) >= 0) {
      const event = buf.slice(0, idx);
      buf = buf.slice(idx).replace(/^\r?\n\r?\n/, '');
      const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (data) handleData(data);
    }
  }
  const rest = buf.trim();
  if (rest.startsWith('data:')) handleData(rest.slice(5).trim());
  if (events === 0) throw new EvalRequestError('malformed response: stream carried no completion chunks', 'malformed');
  if (!sawDone && finishReason === null) throw new EvalRequestError('malformed response: stream ended early (no finish_reason, no [DONE])', 'malformed');
  return { content, reasoningContent: reasoning, finishReason, ...(usage ? { usage } : {}), ...(model ? { model } : {}), ...(ttftMs !== undefined ? { ttftMs } : {}) };
}

/** Send one chat-completions request, retrying transient failures. Throws {@link EvalRequestError}. */
export async function sendChat(body: Record<string, unknown>, opts: ChatClientOptions): Promise<ChatResult> {
  const maxRetries = opts.maxRetries ?? 6;
  const base = opts.backoffMs ?? 500;
  const url = chatUrl(opts.endpoint);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: body.stream ? 'text/event-stream' : 'application/json', ...opts.headers };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  let lastErr: EvalRequestError | undefined;
  for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
    if (opts.gate && opts.gate.pauseUntil > Date.now()) await sleep(opts.gate.pauseUntil - Date.now());
    let waitMs: number | undefined;
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000) });
      if (res.status === 429 || res.status >= 500) {
        const text = await res.text().catch(() => '');
        waitMs = retryAfterMs(res.headers.get('retry-after'));
        if (res.status === 429 && opts.gate) opts.gate.pauseUntil = Math.max(opts.gate.pauseUntil, Date.now() + (waitMs ?? base));
        lastErr = new EvalRequestError(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`, 'http', res.status, attempt);
      } else if (!res.ok) {
        const text = await res.text().catch(() => '');
        throw new EvalRequestError(`HTTP ${res.status} from ${url}: ${text.slice(0, 300)}`, 'http', res.status, attempt);
      } else {
        const ctype = res.headers.get('content-type') ?? '';
        const parsed = ctype.includes('text/event-stream') ? await readStream(res, t0) : parseCompletion(await res.text());
        return { ...parsed, latencyMs: performance.now() - t0, attempts: attempt };
      }
    } catch (err) {
      if (err instanceof EvalRequestError) {
        if (err.kind !== 'http' || (err.status !== undefined && err.status !== 429 && err.status < 500)) throw new EvalRequestError(err.message, err.kind, err.status, attempt);
        lastErr = err;
      } else {
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
        const detail = e.cause?.code ?? e.cause?.message ?? e.message;
        lastErr = new EvalRequestError(timeout ? `request to ${url} timed out after ${opts.timeoutMs ?? 600_000} ms` : `cannot reach ${url}: ${detail}`, timeout ? 'timeout' : 'network', undefined, attempt);
      }
    }
    if (attempt <= maxRetries) {
      const backoff = Math.min(60_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() * 0.5);
      await sleep(waitMs !== undefined ? Math.max(0, waitMs) : backoff);
    }
  }
  throw new EvalRequestError(`${lastErr?.message ?? 'request failed'} (gave up after ${maxRetries + 1} attempts)`, lastErr?.kind ?? 'network', lastErr?.status, maxRetries + 1);
}
