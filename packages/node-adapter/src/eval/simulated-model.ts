/**
 * A simulated LLM for `semroute eval` / `tune` without a GPU: an OpenAI-compatible chat-completions handler that answers
 * MMLU-Pro questions correctly with the probability its profile gives for the question's category and reasoning setting,
 * deterministically per seed and question id, with `usage`, reasoning content and delays that follow the profile.
 * It honours each reasoning family's switch the way the real servers do (qwen3 thinks unless `enable_thinking: false`, …).
 *
 * Mount it in any Node HTTP server: `http.createServer(createSimulatedModelHandler(profile, { questions }))`, or call
 * `handler.respond(parsedBody, res)` from another server's route.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LETTERS, loadDataset, questionFromPrompt, type McQuestion } from './dataset.js';
import { SIMULATED_OWNER_PREFIX, expectedFigures, type SimProfile } from './profile.js';
import { hashNormal, hashUniform } from './rng.js';
import { normalCdf } from './stats.js';
import { estimatePromptTokens } from './tokens.js';

export interface SimulatedModelOptions {
  /** Questions the model "knows" (to look up category and gold answer); default: all MMLU-Pro splits when found. */
  readonly questions?: readonly McQuestion[];
  /** Data dir for the default question set. */
  readonly dataDir?: string;
  /** Seed of every random draw (default 0). */
  readonly seed?: number;
  /** Multiplies every delay; 0 answers at once, 0.001 makes a 25 s answer take 25 ms (default 1). */
  readonly timeScale?: number;
  /** Override the profile's reasoning family. */
  readonly family?: string;
  /** Emit reasoning text of about the reported length (default false: a short stand-in). */
  readonly fullText?: boolean;
  /** Fault injection for tests. Probabilities are drawn per question id and attempt, deterministically. */
  readonly faults?: {
    /** Probability that an attempt is answered 429 with `Retry-After: 0`. */
    readonly rateLimit?: number;
    /** Probability that an attempt is answered 503. */
    readonly serverError?: number;
    /** Probability that a question is always answered with a malformed body. */
    readonly malformed?: number;
    /** Leave `usage` out of every response. */
    readonly omitUsage?: boolean;
  };
}

/** The reasoning setting the simulated server read from a request. */
export interface ReasoningState {
  readonly on: boolean;
  /** Set for effort families (gpt-oss, gpt, mistral). */
  readonly effort?: string;
}

/** How each family's server reads the request: which field, and what happens when it is absent. */
export function readReasoningState(family: string, body: Record<string, unknown>): ReasoningState {
  const kwargs = (body.chat_template_kwargs ?? {}) as Record<string, unknown>;
  const effortOf = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  switch (family) {
    case 'qwen3':
      return { on: kwargs.enable_thinking !== false }; // Qwen3 thinks by default
    case 'deepseek':
      return { on: kwargs.thinking === true }; // DeepSeek V3.1 template: thinking off by default
    case 'gpt-oss': {
      const e = effortOf(kwargs.reasoning_effort) ?? effortOf(body.reasoning_effort) ?? 'medium'; // always reasons
      return { on: true, effort: e };
    }
    case 'gpt': {
      const r = (body.reasoning ?? {}) as Record<string, unknown>;
      const e = effortOf(r.effort) ?? effortOf(body.reasoning_effort);
      return e ? { on: e !== 'none', effort: e } : { on: false };
    }
    case 'mistral': {
      const e = effortOf(body.reasoning_effort);
      return e ? { on: e !== 'none', effort: e } : { on: false };
    }
    default:
      return { on: false };
  }
}

export interface SimulatedAnswer {
  readonly question?: McQuestion;
  readonly category: string;
  readonly reasoning: ReasoningState;
  readonly correct: boolean;
  readonly unanswered: boolean;
  readonly letter: string | null;
  readonly content: string;
  readonly reasoningContent: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly finishReason: 'stop' | 'length';
  /** Unscaled delays in ms. */
  readonly ttftMs: number;
  readonly totalMs: number;
}

const FILLER = ['first', 'consider', 'each', 'option', 'carefully', 'then', 'recall', 'the', 'relevant', 'facts', 'and', 'check', 'units', 'compare', 'eliminate', 'unlikely', 'choices', 'so', 'therefore', 'we', 'see'];

function filler(words: number, key: string): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(FILLER[Math.floor(hashUniform(key, i) * FILLER.length)] as string);
  return out.join(' ');
}

function lastUserText(messages: readonly { role?: unknown; content?: unknown }[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('\n');
  }
  return '';
}

/** Pure core of the simulated model: what it answers to one chat-completions body. */
export function simulateAnswer(profile: SimProfile, index: ReadonlyMap<string, McQuestion>, body: Record<string, unknown>, opts: SimulatedModelOptions = {}): SimulatedAnswer {
  const seed = opts.seed ?? 0;
  const family = opts.family ?? profile.family;
  const messages = Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
  const text = lastUserText(messages);
  const qtext = questionFromPrompt(text);
  const q = qtext !== undefined ? index.get(qtext.trim()) : undefined;
  const qid = q ? q.question_id : `text:${text.length}:${text.slice(0, 200)}`;
  const category = q && profile.categories[q.category] ? q.category : 'other';
  const reasoning = readReasoningState(family, body);
  const fig = expectedFigures(profile, category, reasoning.on, reasoning.effort);
  const modeKey = reasoning.on ? `on:${reasoning.effort ?? ''}` : 'off';
  const rho = profile.correlation;
  const z = Math.sqrt(rho) * hashNormal(seed, qid, 'q') + Math.sqrt(1 - rho) * hashNormal(seed, qid, modeKey);
  const correct = q !== undefined && normalCdf(z) < fig.accuracy;
  const unanswered = !correct && hashUniform(seed, qid, modeKey, 'ua') < fig.unanswered / Math.max(1e-9, 1 - fig.accuracy);
  let letter: string | null = null;
  if (q && correct) letter = q.answer;
  else if (q && !unanswered) {
    const wrong = LETTERS.slice(0, q.options.length).split('').filter((l) => l !== q.answer);
    letter = wrong[Math.floor(hashUniform(seed, qid, modeKey, 'wrong') * wrong.length)] ?? null;
  } else if (!q && !unanswered) letter = LETTERS[Math.floor(hashUniform(seed, qid, 'any') * 4)] ?? 'A';

  const cv = profile.tokens_cv;
  const s2 = Math.log(1 + cv * cv);
  const completionTokens = Math.max(1, Math.round(Math.exp(Math.log(fig.tokens) - s2 / 2 + Math.sqrt(s2) * hashNormal(seed, qid, modeKey, 'tok'))));
  const reasoningTokens = reasoning.on ? Math.round(completionTokens * profile.reasoning_share) : 0;
  const promptTokens = estimatePromptTokens(messages as { content?: unknown }[]);

  const style = hashUniform(seed, qid, modeKey, 'style');
  let final: string;
  if (letter === null) final = 'Let me reconsider the remaining options once more and check each step';
  else if (style < 0.85) final = `The answer is (${letter}).`;
  else if (style < 0.93) final = `Answer: ${letter}`;
  else if (style < 0.98) final = letter;
  else final = `so the best choice is (${letter})`;
  const visibleWords = reasoning.on ? 12 : Math.min(60, Math.max(5, completionTokens - 8));
  const content = letter === null ? `${filler(8, `${qid}c`)} ${final}` : `${filler(opts.fullText ? Math.max(0, completionTokens - reasoningTokens - 8) : visibleWords, `${qid}c`)}. ${final}`;
  const reasoningContent = reasoning.on ? filler(opts.fullText ? reasoningTokens : 24, `${qid}r`) : '';

  const lat = profile.latency;
  const ttftMs = lat.ttft_ms + (promptTokens / lat.prefill_tokens_per_second) * 1000;
  const totalMs = ttftMs + (completionTokens / lat.decode_tokens_per_second) * 1000;
  return {
    ...(q ? { question: q } : {}),
    category, reasoning, correct, unanswered, letter, content, reasoningContent,
    promptTokens, completionTokens, reasoningTokens,
    finishReason: unanswered && reasoning.on ? 'length' : 'stop',
    ttftMs, totalMs,
  };
}

export interface SimulatedModelHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Answer an already-parsed chat-completions body on `res` (for servers that parse bodies themselves). */
  respond(body: unknown, res: ServerResponse): Promise<void>;
  readonly profile: SimProfile;
  /** Requests answered so far (including injected faults). */
  readonly stats: { requests: number; faults: number };
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(s)), ...headers });
  res.end(s);
}

function oaiError(message: string, type: string, code: string): unknown {
  return { error: { message, type, param: null, code } };
}

function buildIndex(opts: SimulatedModelOptions): Map<string, McQuestion> {
  let questions = opts.questions;
  if (!questions) {
    try {
      questions = loadDataset('mmlu-pro:all', opts.dataDir).questions;
    } catch {
      questions = [];
    }
  }
  const index = new Map<string, McQuestion>();
  for (const q of questions) index.set(q.question.trim(), q);
  return index;
}

/** Create the simulated model's Node HTTP handler (serves `POST /v1/chat/completions`, `GET /v1/models`, `GET /health`). */
export function createSimulatedModelHandler(profile: SimProfile, opts: SimulatedModelOptions = {}): SimulatedModelHandler {
  let index: Map<string, McQuestion> | undefined;
  const getIndex = () => (index ??= buildIndex(opts));
  const attempts = new Map<string, number>();
  const stats = { requests: 0, faults: 0 };
  const scale = opts.timeScale ?? 1;
  const seed = opts.seed ?? 0;
  let seq = 0;

  const respond = async (rawBody: unknown, res: ServerResponse): Promise<void> => {
    stats.requests++;
    if (!rawBody || typeof rawBody !== 'object' || !Array.isArray((rawBody as { messages?: unknown }).messages)) {
      sendJson(res, 400, oaiError('simulated model: body must be a JSON object with messages[]', 'invalid_request_error', 'invalid_body'));
      return;
    }
    const body = rawBody as Record<string, unknown>;
    const ans = simulateAnswer(profile, getIndex(), body, opts);
    const qid = ans.question?.question_id ?? 'unknown';
    const attempt = (attempts.get(qid) ?? 0) + 1;
    attempts.set(qid, attempt);
    const f = opts.faults ?? {};
    if (f.rateLimit && hashUniform(seed, qid, attempt, '429') < f.rateLimit) {
      stats.faults++;
      sendJson(res, 429, oaiError('simulated model: rate limited', 'rate_limit_error', 'rate_limited'), { 'retry-after': '0' });
      return;
    }
    if (f.serverError && hashUniform(seed, qid, attempt, '503') < f.serverError) {
      stats.faults++;
      sendJson(res, 503, oaiError('simulated model: overloaded', 'server_error', 'overloaded'));
      return;
    }
    const id = `chatcmpl-sim-${++seq}`;
    const model = typeof body.model === 'string' ? body.model : profile.model;
    const created = Math.floor(Date.now() / 1000);
    const usage = {
      prompt_tokens: ans.promptTokens,
      completion_tokens: ans.completionTokens,
      total_tokens: ans.promptTokens + ans.completionTokens,
      ...(ans.reasoning.on ? { completion_tokens_details: { reasoning_tokens: ans.reasoningTokens } } : {}),
    };
    const malformed = !!f.malformed && hashUniform(seed, qid, 'malformed') < f.malformed;
    if (malformed) stats.faults++;
    const stream = body.stream === true;
    await sleep(ans.ttftMs * scale);
    if (!stream) {
      await sleep((ans.totalMs - ans.ttftMs) * scale);
      if (malformed) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "broken", "choices": [');
        return;
      }
      const message: Record<string, unknown> = { role: 'assistant', content: ans.content };
      if (ans.reasoningContent) message.reasoning_content = ans.reasoningContent;
      sendJson(res, 200, {
        id, object: 'chat.completion', created, model,
        choices: [{ index: 0, message, finish_reason: ans.finishReason }],
        ...(f.omitUsage ? {} : { usage }),
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    if (malformed) {
      res.write('data: {"id": "broken", "choices": [{"delta": \n\n');
      res.end('data: [DONE]\n\n');
      return;
    }
    const pieces: Record<string, unknown>[] = [];
    const split = (s: string, n: number) => {
      const words = s.split(' ');
      const per = Math.max(1, Math.ceil(words.length / n));
      const out: string[] = [];
      for (let i = 0; i < words.length; i += per) out.push((i ? ' ' : '') + words.slice(i, i + per).join(' '));
      return out;
    };
    if (ans.reasoningContent) for (const p of split(ans.reasoningContent, 3)) pieces.push({ reasoning_content: p });
    for (const p of split(ans.content, 2)) pieces.push({ content: p });
    chunk({ role: 'assistant', ...(pieces[0] ?? { content: '' }) });
    const gap = ((ans.totalMs - ans.ttftMs) * scale) / Math.max(1, pieces.length - 1);
    for (const p of pieces.slice(1)) {
      await sleep(gap);
      if (res.destroyed) return;
      chunk(p);
    }
    chunk({}, ans.finishReason);
    const so = (body.stream_options ?? {}) as Record<string, unknown>;
    if (so.include_usage === true && !f.omitUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  };

  const handler = (async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    if (req.method === 'GET' && (url === '/v1/models' || url === '/models')) {
      sendJson(res, 200, { object: 'list', data: [{ id: profile.model, object: 'model', created: 0, owned_by: `${SIMULATED_OWNER_PREFIX}${profile.name}` }] });
      return;
    }
    if (req.method === 'GET' && url === '/health') {
      sendJson(res, 200, { status: 'ok', profile: profile.name });
      return;
    }
    if (req.method !== 'POST' || !url.split('?')[0]!.endsWith('/chat/completions')) {
      sendJson(res, 404, oaiError(`simulated model: no route ${req.method} ${url}`, 'invalid_request_error', 'not_found'));
      return;
    }
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    } catch {
      sendJson(res, 400, oaiError('simulated model: malformed JSON', 'invalid_request_error', 'invalid_json'));
      return;
    }
    await respond(body, res);
  }) as SimulatedModelHandler;
  Object.assign(handler, { respond, profile, stats });
  return handler;
}

export interface SimulatedModelServer {
  readonly url: string;
  readonly handler: SimulatedModelHandler;
  close(): Promise<void>;
}

/** Start the simulated model on loopback (port 0 = a free port); `url` ends in `/v1`. */
export async function startSimulatedModel(profile: SimProfile, opts: SimulatedModelOptions & { port?: number; host?: string } = {}): Promise<SimulatedModelServer> {
  const handler = createSimulatedModelHandler(profile, opts);
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, oaiError(`simulated model: ${(err as Error).message}`, 'server_error', 'internal'));
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(opts.port ?? 0, host, r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/v1`,
    handler,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
