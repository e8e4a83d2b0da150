/**
 * The eval loop: every (mode, question) pair not yet in `results.jsonl` is sent with bounded concurrency, answered,
 * scored and appended; then results are compacted and `summary.json` / `report.html` written.
 * How a request is built for a mode (reasoning switch, routing) is injected as a {@link RequestPreparer}.
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendChat, EvalRequestError, type ChatResult } from './client.js';
import { buildPrompt, extractAnswer, type McQuestion } from './dataset.js';
import { SIMULATED_OWNER_PREFIX } from './profile.js';
import { Progress } from './progress.js';
import { readResults, REPORT_FILE, RESULTS_FILE, SUMMARY_FILE, type EvalRecord } from './records.js';
import { renderReport, type PredictionInfo, type ReportMeta } from './report.js';
import { seededShuffle } from './rng.js';
import { summarize, type Summary } from './summary.js';
import { estimatePromptTokens, estimateTokens, TOKEN_ESTIMATOR } from './tokens.js';

/** What a mode sends for one question, and what it decided. */
export interface PreparedRequest {
  readonly body: Record<string, unknown>;
  readonly reasoning: boolean;
  readonly effort: string | null;
  readonly routed_category: string | null;
  readonly decision: string | null;
  /** Set when the router answered itself (jailbreak / PII block): nothing is sent, the answer is this message. */
  readonly blocked?: string;
}

export type RequestPreparer = (q: McQuestion, mode: string, userPrompt: string) => Promise<PreparedRequest> | PreparedRequest;

export interface EvalRunOptions {
  readonly endpoint: string;
  readonly apiKey?: string;
  readonly model: string;
  readonly family: string;
  readonly datasetName: string;
  readonly questions: readonly McQuestion[];
  readonly modes: readonly string[];
  readonly prepare: RequestPreparer;
  readonly outDir: string;
  readonly limit?: number;
  readonly concurrency?: number;
  readonly seed?: number;
  readonly stream?: boolean;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly backoffMs?: number;
  readonly quiet?: boolean;
  /** Extra fields merged into every request body (temperature, max_tokens …). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** Recorded in summary.json / the report. */
  readonly meta?: Readonly<Record<string, unknown>>;
  /**
   * Name of the simulated-model profile when the endpoint is semroute's simulated model (`--simulate`): then
   * summary.json says `"simulated": true` and the report's title, tables and figures say so.
   */
  readonly simulatedProfile?: string;
  /** Predicted policy figures (from `semroute tune`) shown next to the router mode's measurement. */
  readonly prediction?: PredictionInfo | null;
  readonly log?: (line: string) => void;
}

export interface EvalRunResult {
  readonly summary: Summary;
  readonly records: EvalRecord[];
  readonly attempted: number;
  readonly skipped: number;
  readonly failed: number;
  readonly aborted?: string;
  /** The simulated-model profile behind these results (this run's or an earlier one's in the same folder), if any. */
  readonly simulatedProfile?: string;
}

/** Abort the run when this many requests in a row fail to reach the endpoint. */
const NETWORK_FAILURES_TO_ABORT = 5;
/** Abort the run when this many requests in a row are refused with a client error (4xx other than 429: wrong model, auth …). */
const CLIENT_ERRORS_TO_ABORT = 10;

/** Questions of the run: all, or a seeded sample of `limit` (same sample for the same seed, so resume and modes stay paired). */
export function selectQuestions(questions: readonly McQuestion[], limit: number | undefined, seed: number): McQuestion[] {
  if (limit === undefined || limit >= questions.length) return questions.slice();
  return seededShuffle(questions, seed).slice(0, Math.max(0, limit));
}

/** Score one response into a record. */
export function toRecord(q: McQuestion, mode: string, model: string, prep: PreparedRequest, res: ChatResult, userPrompt: string): EvalRecord {
  const ex = extractAnswer(res.content, q.options.length);
  const u = res.usage;
  const hasPrompt = typeof u?.prompt_tokens === 'number';
  const hasCompletion = typeof u?.completion_tokens === 'number';
  const messages = (prep.body.messages as { content?: unknown }[] | undefined) ?? [{ content: userPrompt }];
  const promptTokens = hasPrompt ? u!.prompt_tokens! : estimatePromptTokens(messages);
  const completion = hasCompletion ? u!.completion_tokens! : estimateTokens(res.content) + estimateTokens(res.reasoningContent);
  const rtUsage = u?.completion_tokens_details?.reasoning_tokens;
  const reasoningTokens = typeof rtUsage === 'number' ? rtUsage : res.reasoningContent ? estimateTokens(res.reasoningContent) : prep.reasoning ? null : 0;
  return {
    id: `${mode}|${q.question_id}`,
    mode,
    question_id: q.question_id,
    category: q.category,
    routed_category: prep.routed_category,
    decision: prep.decision,
    model,
    reasoning: prep.reasoning,
    effort: prep.effort,
    status: 'ok',
    gold: q.answer,
    extracted: ex.letter,
    extraction: ex.method,
    correct: ex.letter !== null && ex.letter === q.answer,
    finish_reason: res.finishReason,
    latency_ms: Math.round(res.latencyMs * 100) / 100,
    ttft_ms: res.ttftMs !== undefined ? Math.round(res.ttftMs * 100) / 100 : null,
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    reasoning_tokens: reasoningTokens,
    tokens_estimated: !hasPrompt || !hasCompletion,
    reasoning_tokens_source: typeof rtUsage === 'number' ? 'usage' : res.reasoningContent ? 'estimate' : null,
    attempts: res.attempts,
    ts: new Date().toISOString(),
  };
}

function errorRecord(q: McQuestion, mode: string, model: string, prep: PreparedRequest | undefined, err: Error): EvalRecord {
  return {
    id: `${mode}|${q.question_id}`,
    mode,
    question_id: q.question_id,
    category: q.category,
    routed_category: prep?.routed_category ?? null,
    decision: prep?.decision ?? null,
    model,
    reasoning: prep?.reasoning ?? false,
    effort: prep?.effort ?? null,
    status: 'error',
    error: err.message,
    error_kind: err instanceof EvalRequestError ? err.kind : 'prepare',
    gold: q.answer,
    extracted: null,
    extraction: null,
    correct: null,
    finish_reason: null,
    latency_ms: null,
    ttft_ms: null,
    prompt_tokens: null,
    completion_tokens: null,
    reasoning_tokens: null,
    tokens_estimated: false,
    reasoning_tokens_source: null,
    attempts: err instanceof EvalRequestError ? err.attempts : 0,
    ts: new Date().toISOString(),
  };
}

/** Check the endpoint answers HTTP at all (any status) before sending hundreds of requests. */
/**
 * Checks that the endpoint answers before sending work. Resolves to the profile name when the endpoint is semroute's
 * simulated model (its `/models` entries are `owned_by: "semroute-sim:PROFILE"`), else undefined.
 */
export async function preflight(endpoint: string, apiKey?: string): Promise<string | undefined> {
  const base = endpoint.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
  let text: string;
  try {
    const res = await fetch(`${base}/models`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(15_000) });
    text = await res.text().catch(() => '');
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    throw new EvalRequestError(`cannot reach endpoint ${endpoint}: ${e.cause?.code ?? e.cause?.message ?? e.message}. Is the server running, and is the URL the OpenAI base (e.g. http://localhost:8000/v1)?`, 'network');
  }
  try {
    const data = (JSON.parse(text) as { data?: unknown }).data;
    if (!Array.isArray(data)) return undefined;
    for (const m of data) {
      const owner = (m as { owned_by?: unknown } | null)?.owned_by;
      if (typeof owner === 'string' && owner.startsWith(SIMULATED_OWNER_PREFIX)) return owner.slice(SIMULATED_OWNER_PREFIX.length) || 'unnamed';
    }
  } catch {
    // Not JSON (or not a model list): a server that answers at all is fine here.
  }
  return undefined;
}

/** Write summary.json and report.html for the records in `outDir`. */
export function writeReports(outDir: string, records: readonly EvalRecord[], meta: ReportMeta): Summary {
  const summary = summarize(records, { seed: meta.seed ?? 1 });
  // `simulated` first: whoever opens summary.json sees at once whether a real model answered.
  const simulated = meta.simulatedProfile ?? null;
  const full = { simulated: simulated !== null, simulated_profile: simulated, ...summary, run: meta.run ?? {}, prediction: meta.prediction ?? null, generated_at: new Date().toISOString() };
  writeFileSync(join(outDir, SUMMARY_FILE), `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(join(outDir, REPORT_FILE), renderReport(summary, meta));
  return summary;
}

export async function runEval(opts: EvalRunOptions): Promise<EvalRunResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const seed = opts.seed ?? 0;
  mkdirSync(opts.outDir, { recursive: true });
  const resultsFile = join(opts.outDir, RESULTS_FILE);
  const runFile = join(opts.outDir, 'run.json');
  const prev = existsSync(runFile) ? (JSON.parse(readFileSync(runFile, 'utf8')) as { runs?: Record<string, unknown>[] }) : { runs: [] };
  const last = prev.runs?.[prev.runs.length - 1];
  if (last && (last.model !== opts.model || last.dataset !== opts.datasetName)) {
    throw new Error(`${opts.outDir} holds results for model ${String(last.model)} on ${String(last.dataset)}; use another --out for ${opts.model} on ${opts.datasetName}`);
  }

  const { records: existing, badLines } = readResults(resultsFile);
  if (badLines) log(`warning: ignored ${badLines} unreadable line(s) in ${resultsFile}`);
  const done = new Set(existing.filter((r) => r.status === 'ok').map((r) => r.id));
  const questions = selectQuestions(opts.questions, opts.limit, seed);
  // Interleave modes per question so a partial run is still paired.
  const queue: [McQuestion, string][] = [];
  for (const q of questions) for (const m of opts.modes) if (!done.has(`${m}|${q.question_id}`)) queue.push([q, m]);
  const skipped = questions.length * opts.modes.length - queue.length;
  if (skipped) log(`resuming: ${skipped} of ${questions.length * opts.modes.length} items already done in ${resultsFile}`);

  // Simulated when eval started the simulated model itself, when the endpoint turns out to be one (`semroute
  // mock-backend --simulate` behind --endpoint), or when an earlier run in this folder was: its results stay in.
  let simulatedProfile = opts.simulatedProfile;
  if (queue.length) {
    const detected = await preflight(opts.endpoint, opts.apiKey);
    if (simulatedProfile === undefined && detected !== undefined) {
      simulatedProfile = detected;
      log(`note: ${opts.endpoint} is semroute's simulated model (profile "${detected}"), not a real model; the results are marked simulated`);
    }
  }
  const run = { endpoint: opts.endpoint, model: opts.model, family: opts.family, dataset: opts.datasetName, seed, limit: opts.limit ?? null, stream: opts.stream ?? true, token_estimator: TOKEN_ESTIMATOR, ...opts.meta, simulated: simulatedProfile ?? null };
  simulatedProfile ??= prev.runs?.map((r) => r.simulated).find((x): x is string => typeof x === 'string' && x.length > 0);
  writeFileSync(runFile, `${JSON.stringify({ runs: [...(prev.runs ?? []), { ...run, started_at: new Date().toISOString() }] }, null, 2)}\n`);

  let failed = 0;
  let aborted: string | undefined;
  if (queue.length) {
    const progress = new Progress({ total: queue.length, quiet: opts.quiet ?? false, label: 'semroute eval' });
    const gate = { pauseUntil: 0 };
    let consecutiveNetwork = 0;
    let consecutiveClient = 0;
    let next = 0;
    const worker = async () => {
      while (!aborted) {
        const item = queue[next++];
        if (!item) return;
        const [q, mode] = item;
        const userPrompt = buildPrompt(q);
        let prep: PreparedRequest | undefined;
        let rec: EvalRecord;
        try {
          prep = await opts.prepare(q, mode, userPrompt);
          if (prep.blocked !== undefined) {
            const blockedRes: ChatResult = { content: prep.blocked, reasoningContent: '', finishReason: 'content_filter', usage: { prompt_tokens: 0, completion_tokens: 0 }, latencyMs: 0, attempts: 0 };
            rec = toRecord(q, mode, opts.model, prep, blockedRes, userPrompt);
            appendFileSync(resultsFile, `${JSON.stringify(rec)}\n`);
            progress.tick(true);
            continue;
          }
          const body = { ...opts.extraBody, ...prep.body, stream: opts.stream ?? true, ...(opts.stream ?? true ? { stream_options: { include_usage: true } } : {}) };
          const res = await sendChat(body, {
            endpoint: opts.endpoint,
            ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
            timeoutMs: opts.timeoutMs ?? 600_000,
            maxRetries: opts.maxRetries ?? 6,
            backoffMs: opts.backoffMs ?? 500,
            gate,
          });
          rec = toRecord(q, mode, opts.model, prep, res, userPrompt);
          consecutiveNetwork = 0;
          consecutiveClient = 0;
        } catch (err) {
          rec = errorRecord(q, mode, opts.model, prep, err as Error);
          failed++;
          if (err instanceof EvalRequestError && (err.kind === 'network' || err.kind === 'timeout')) {
            if (++consecutiveNetwork >= NETWORK_FAILURES_TO_ABORT) aborted = `aborted: ${consecutiveNetwork} requests in a row could not reach the endpoint (last: ${err.message})`;
          } else consecutiveNetwork = 0;
          if (err instanceof EvalRequestError && err.kind === 'http' && err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429) {
            if (++consecutiveClient >= CLIENT_ERRORS_TO_ABORT) aborted = `aborted: ${consecutiveClient} requests in a row were refused (last: ${err.message}); check --model, --api-key-env and the endpoint`;
          } else consecutiveClient = 0;
        }
        appendFileSync(resultsFile, `${JSON.stringify(rec)}\n`);
        progress.tick(rec.status === 'ok');
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
    progress.finish();
  }
  // Compact: one line per item, the latest.
  const { records } = readResults(resultsFile);
  writeFileSync(resultsFile, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  const summary = writeReports(opts.outDir, records, { run, seed, prediction: opts.prediction ?? null, ...(simulatedProfile !== undefined ? { simulatedProfile } : {}) });
  return { summary, records, attempted: queue.length, skipped, failed, ...(aborted ? { aborted } : {}), ...(simulatedProfile !== undefined ? { simulatedProfile } : {}) };
}

