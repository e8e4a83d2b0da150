/**
 * A small OpenAI-compatible server for tests, the demo and benchmarks: chat.completions and the Responses API
 * (`POST /v1/responses`, JSON or the Responses stream events).
 * It echoes what it received (model, reasoning fields, system prompt) so a test can assert the
 * router's rewrite end-to-end, and it can be told to be slow, to fail, or to cut a stream mid-way.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the mock backend behaves: where it listens, how slow it is, and how it fails. All optional. */
export interface MockBackendOptions {
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Delay before the response head, in ms. */
  latencyMs?: number;
  /** Delay between SSE chunks, in ms. */
  chunkDelayMs?: number;
  /** Probability in [0, 1] of answering 500 instead of a completion. */
  failureRate?: number;
  /** Streaming: destroy the socket after this many content chunks (mid-stream cut). */
  cutAfterChunks?: number;
  /** Number of content chunks in a streamed answer (default 4). */
  chunks?: number;
  /** Name reported in the echo, to tell backends apart in tests. */
  name?: string;
  /** Number every answer (`mock answer 3 from …`), so a test can tell a fresh answer from a replayed one. */
  numbered?: boolean;
  /** `finish_reason` of every answer (default `stop`), e.g. `length` or `tool_calls`. */
  finishReason?: string;
}

/** What the mock saw in one request; also returned in the completion as `mock_echo`. */
export interface MockEcho {
  backend: string;
  model: unknown;
  stream: boolean;
  chat_template_kwargs?: unknown;
  reasoning_effort?: unknown;
  reasoning?: unknown;
  system?: string;
  messages: number;
  authorization?: boolean;
  /** The W3C trace context the request came with, if any. */
  traceparent?: string;
  tracestate?: string;
  /** `chat` for /chat/completions, `responses` for /responses. */
  api: 'chat' | 'responses';
  /** Responses API: the `instructions` and the number of input items received. */
  instructions?: string;
  input_items?: number;
  /** The text of every user message / input item received, in order (tests check PII redaction with it). */
  user_texts: string[];
}

/** A running mock backend (from {@link startMockBackend}); `url` is its base, e.g. `http://127.0.0.1:8802`. */
export interface MockBackend {
  readonly url: string;
  readonly port: number;
  /** Options can be changed while running (tests flip failure modes). */
  readonly options: MockBackendOptions;
  /** Every request body received, in order. */
  readonly received: MockEcho[];
  /** Requests whose client went away before the answer finished. */
  readonly aborted: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function json(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

/** A Responses API answer: one Response object, or its stream events (created … output_text.delta … completed). */
async function answerResponses(
  res: ServerResponse,
  a: { id: string; created: number; model: string; content: string; echo: MockEcho; opts: MockBackendOptions },
): Promise<boolean> {
  const item = (text: string, status: string) => ({ id: `msg_${a.id}`, type: 'message', status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
  const response = (status: string, output: unknown[]) => ({
    id: a.id,
    object: 'response',
    created_at: a.created,
    status,
    model: a.model,
    output,
    usage: status === 'completed' ? { input_tokens: 1, output_tokens: 1, total_tokens: 2 } : null,
    mock_echo: a.echo,
  });
  if (!a.echo.stream) {
    json(res, 200, response('completed', [item(a.content, 'completed')]));
    return true;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let seq = 0;
  const ev = (type: string, fields: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  res.write(ev('response.created', { response: response('in_progress', []) }));
  res.write(ev('response.output_item.added', { output_index: 0, item: { ...item('', 'in_progress'), content: [] } }));
  const words = a.content.split(' ');
  const n = a.opts.chunks ?? 4;
  for (let i = 0; i < n; i++) {
    if (res.destroyed) return false;
    if (a.opts.chunkDelayMs) await sleep(a.opts.chunkDelayMs);
    res.write(ev('response.output_text.delta', { item_id: `msg_${a.id}`, output_index: 0, content_index: 0, delta: `${i === 0 ? '' : ' '}${words[i % words.length]}` }));
  }
  const text = words.slice(0, n).join(' ');
  res.write(ev('response.output_text.done', { item_id: `msg_${a.id}`, output_index: 0, content_index: 0, text }));
  res.write(ev('response.output_item.done', { output_index: 0, item: item(text, 'completed') }));
  res.end(ev('response.completed', { response: response('completed', [item(text, 'completed')]) }));
  return true;
}

/** Start the mock backend; resolves once it listens. Port 0 picks a free port. */
export async function startMockBackend(options: MockBackendOptions = {}): Promise<MockBackend> {
  const opts: MockBackendOptions = { chunks: 4, ...options };
  const received: MockEcho[] = [];
  let aborted = 0;
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && (url === '/v1/models' || url === '/models')) {
      json(res, 200, { object: 'list', data: [{ id: 'mock', object: 'model', created: 0, owned_by: 'semroute-mock' }] });
      return;
    }
    if (req.method === 'GET' && url === '/health') {
      json(res, 200, { status: 'ok' });
      return;
    }
    const isResponses = url.endsWith('/responses');
    if (req.method !== 'POST' || !(url.endsWith('/chat/completions') || isResponses)) {
      json(res, 404, { error: { message: `mock backend: no route ${req.method} ${url}`, type: 'invalid_request_error', param: null, code: 'not_found' } });
      return;
    }
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      json(res, 400, { error: { message: 'mock backend: malformed JSON', type: 'invalid_request_error', param: null, code: 'invalid_json' } });
      return;
    }
    const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? (body.input as { role?: string; content?: unknown }[]) : [];
    const messages = isResponses ? input : Array.isArray(body.messages) ? (body.messages as { role?: string; content?: unknown }[]) : [];
    const sys = messages.find((m) => m && m.role === 'system');
    const textOf = (c: unknown): string =>
      typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (p && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('') : '';
    const echo: MockEcho = {
      backend: opts.name ?? 'mock',
      api: isResponses ? 'responses' : 'chat',
      model: body.model,
      stream: body.stream === true,
      messages: messages.length,
      authorization: typeof req.headers.authorization === 'string',
      user_texts: messages.filter((m) => m && m.role === 'user').map((m) => textOf(m.content)),
    };
    if (isResponses) {
      echo.input_items = messages.length;
      if (typeof body.instructions === 'string') echo.instructions = body.instructions;
    }
    if ('chat_template_kwargs' in body) echo.chat_template_kwargs = body.chat_template_kwargs;
    if ('reasoning_effort' in body) echo.reasoning_effort = body.reasoning_effort;
    if ('reasoning' in body) echo.reasoning = body.reasoning;
    if (sys && typeof sys.content === 'string') echo.system = sys.content;
    if (typeof req.headers.traceparent === 'string') echo.traceparent = req.headers.traceparent;
    if (typeof req.headers.tracestate === 'string') echo.tracestate = req.headers.tracestate;
    received.push(echo);

    let finished = false;
    res.on('close', () => {
      if (!finished) aborted++;
    });
    if (opts.latencyMs) await sleep(opts.latencyMs);
    if (opts.failureRate && Math.random() < opts.failureRate) {
      finished = true;
      json(res, 500, { error: { message: 'mock backend: injected failure', type: 'server_error', param: null, code: 'mock_failure' } });
      return;
    }
    const id = `chatcmpl-mock-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : 'mock';
    const content = `mock answer ${opts.numbered ? `${seq} ` : ''}from ${echo.backend} (${model})`;
    const finish = opts.finishReason ?? 'stop';
    if (isResponses) {
      finished = await answerResponses(res, { id: `resp_mock${seq}`, created, model, content, echo, opts });
      return;
    }
    if (!echo.stream) {
      finished = true;
      json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        mock_echo: echo,
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: object, finish: string | null, extra?: object) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null, { mock_echo: echo }));
    const n = opts.chunks ?? 4;
    for (let i = 0; i < n; i++) {
      if (res.destroyed) return;
      if (opts.cutAfterChunks !== undefined && i >= opts.cutAfterChunks) {
        // flush what was written (head + chunks), then drop the connection mid-body
        await new Promise<void>((r) => res.write('', () => r()));
        res.socket?.destroy();
        return;
      }
      if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
      if (res.destroyed) return;
      const words = content.split(' ');
      res.write(chunk({ content: `${i === 0 ? '' : ' '}${words[i % words.length] ?? 'x'}` }, null));
    }
    res.write(chunk({}, finish));
    // As OpenAI: with stream_options.include_usage, a last chunk with no choices carries the usage.
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    if (streamOptions?.include_usage === true) {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: 1, completion_tokens: n, total_tokens: 1 + n } })}\n\n`);
    }
    finished = true;
    res.end('data: [DONE]\n\n');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { error: { message: 'mock backend error', type: 'server_error', param: null, code: null } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${addr.port}`,
    port: addr.port,
    options: opts,
    received,
    get aborted() {
      return aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
