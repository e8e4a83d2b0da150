/**
 * `semroute eval` and `semroute tune`: argument parsing and wiring. Exit codes: 0 done, 1 finished with failed items or
 * an unmet budget, 2 usage / input error, 3 run aborted (endpoint unreachable, or every request refused; re-run to resume).
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EvalRequestError } from './client.js';
import { ConfigWriteError, writeTunedConfig } from './config-writer.js';
import { DatasetError, loadDataset } from './dataset.js';
import { DEFAULT_PROFILE, loadProfile, ProfileError } from './profile.js';
import { readResults, RESULTS_FILE } from './records.js';
import type { PredictionInfo } from './report.js';
import { configSetting, createPreparer, EvalConfigError, loadRouterConfig, modelDecider, oracleDecider, validateModes, type ClassifierKind } from './routing.js';
import { runEval } from './run.js';
import { startSimulatedModel, type SimulatedModelServer } from './simulated-model.js';
import { OBJECTIVES, TuneError, tunePolicy, type Objective, type TuneResult } from './tune.js';

export const EVAL_USAGE = `Usage: semroute eval --endpoint URL --model NAME --family FAMILY --out DIR [options]

Measure accuracy, latency and tokens of reasoning on / off / routed on MMLU-Pro (the paper's Table 1, on your model).

  --endpoint URL          OpenAI-compatible base URL, e.g. http://localhost:8000/v1
  --api-key-env NAME      environment variable holding the API key (sent as Bearer)
  --model NAME            model id sent upstream (e.g. Qwen/Qwen3-30B-A3B)
  --family FAMILY         reasoning family: qwen3, deepseek, gpt-oss, gpt, mistral (or one defined in --config)
  --dataset SPEC          mmlu-pro (= test split), mmlu-pro:train|val|test|all, or FILE.jsonl (MMLU-Pro schema) [mmlu-pro]
  --data-dir DIR          folder with MMLU-Pro train/val/test.jsonl [$SEMROUTE_DATA_DIR, ../shared/data/mmlu-pro]
  --modes LIST            comma list of direct-off, direct-on, direct-on:low|medium|high, router [direct-off,direct-on,router]
  --config FILE           semroute/vSR config the router mode decides with [built-in default]
  --classifier KIND       router mode's categories: model (bundled classifier) or oracle (dataset labels) [model]
  --classifier-model DIR  model folder for --classifier model [the bundled one]
  --limit N               seeded sample of N questions (the same N questions for every mode)
  --concurrency K         requests in flight [8]
  --seed S                sampling / bootstrap seed, also sent as the request seed [0]
  --out DIR               results.jsonl, summary.json, report.html (re-running resumes)
  --temperature T         sampling temperature (default: server's)
  --max-tokens N          max_tokens per request (default: server's)
  --no-stream             non-streaming requests (no time-to-first-token)
  --timeout S             per-request timeout in seconds [600]
  --max-retries N         retries on 429 / 5xx / network errors, with back-off [6]
  --prediction FILE       tune's prediction (.tune.json) to show against the router measurement [auto from --config]
  --simulate [PROFILE]    run against the built-in simulated model (no GPU) instead of --endpoint [${DEFAULT_PROFILE}]
  --time-scale X          simulated model: multiply its delays (0 = instant) [0.01]
  --quiet                 no progress bar
`;

export const TUNE_USAGE = `Usage: semroute tune --results DIR --out tuned.yaml [options]

Choose per-category use_reasoning / reasoning_effort from eval results with direct-off and direct-on (and optionally
direct-on:EFFORT), write a config that passes validation, and print its predicted accuracy / tokens / latency.

  --results DIR             an eval --out folder (results.jsonl + run.json)
  --out FILE                tuned config to write (a FILE.tune.json with the prediction is written next to it)
  --config FILE             base config to modify [the eval run's --config, else the built-in default]
  --objective O             accuracy | balanced | cost [accuracy]
  --lambda X                accuracy points traded per 1,000 tokens (overrides the objective: 0 / 2 / 10)
  --max-tokens-per-query N  budget: mean completion tokens per query of the policy
  --max-latency-per-query S budget: mean latency per query (seconds)
  --confidence C            evidence needed to leave a category's default [0.95]
  --min-samples N           fewer paired questions keep the default [30]
  --keep-models             keep the base config's models (default: route to the measured model)
  Without --results, tune runs its own eval first (direct-off,direct-on) with the eval options
  (--endpoint/--simulate, --model, --family, --dataset, --limit, --concurrency, --seed) into FILE.eval/.
`;

const EVAL_OPTIONS = {
  endpoint: { type: 'string' },
  'api-key-env': { type: 'string' },
  model: { type: 'string' },
  family: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  modes: { type: 'string' },
  config: { type: 'string' },
  classifier: { type: 'string' },
  'classifier-model': { type: 'string' },
  limit: { type: 'string' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  temperature: { type: 'string' },
  'max-tokens': { type: 'string' },
  'no-stream': { type: 'boolean' },
  timeout: { type: 'string' },
  'max-retries': { type: 'string' },
  prediction: { type: 'string' },
  simulate: { type: 'string' },
  'time-scale': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TUNE_OPTIONS = {
  ...EVAL_OPTIONS,
  results: { type: 'string' },
  objective: { type: 'string' },
  lambda: { type: 'string' },
  'max-tokens-per-query': { type: 'string' },
  'max-latency-per-query': { type: 'string' },
  confidence: { type: 'string' },
  'min-samples': { type: 'string' },
  'keep-models': { type: 'boolean' },
} as const;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CommandIO {
  readonly out?: (s: string) => void;
  readonly err?: (s: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

function num(v: string | undefined, flag: string, opts: { int?: boolean; min?: number; max?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`--${flag}: expected ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}${opts.max !== undefined ? ` ≤ ${opts.max}` : ''}, got "${v}"`);
  }
  return n;
}

/** `--simulate` may be given without a value: treat a following flag as "no value". */
function normaliseSimulate(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out.push(a);
    if (a === '--simulate' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('--'))) out.push(DEFAULT_PROFILE);
  }
  return out;
}

function exitCodeFor(err: unknown, io: Required<Pick<CommandIO, 'err'>>): number {
  if (err instanceof UsageError || err instanceof DatasetError || err instanceof ProfileError || err instanceof EvalConfigError || err instanceof TuneError || err instanceof ConfigWriteError) {
    io.err(`error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof EvalRequestError && err.kind === 'network') {
    io.err(`error: ${err.message}\n`);
    return 3;
  }
  if (err instanceof TypeError && /parseArgs|Unknown option|argument/i.test(err.message)) {
    io.err(`error: ${err.message}\n`);
    return 2;
  }
  io.err(`error: ${(err as Error).message ?? String(err)}\n`);
  return 2;
}

interface EvalInvocation {
  readonly outDir: string;
  readonly exitCode: number;
}

type EvalValues = ReturnType<typeof parseArgs<{ options: typeof EVAL_OPTIONS; allowPositionals: false }>>['values'];

async function doEval(v: EvalValues, io: Required<CommandIO>, forcedModes?: string[]): Promise<EvalInvocation> {
  const outDir = v.out;
  if (!outDir) throw new UsageError('--out DIR is required');
  let sim: SimulatedModelServer | undefined;
  const env = io.env;
  try {
    const modes = forcedModes ?? (v.modes ?? 'direct-off,direct-on,router').split(',').map((s) => s.trim()).filter(Boolean);
    validateModes(modes);
    const dataset = loadDataset(v.dataset ?? 'mmlu-pro', v['data-dir'], env);
    let endpoint = v.endpoint;
    let model = v.model;
    let family = v.family;
    let simulatedProfile: string | undefined;
    if (v.simulate !== undefined) {
      if (endpoint) throw new UsageError('give either --endpoint or --simulate, not both');
      const profile = loadProfile(v.simulate);
      const timeScale = num(v['time-scale'], 'time-scale', { min: 0 }) ?? 0.01;
      model ??= profile.model;
      family ??= profile.family;
      // The simulated server reads the reasoning switch of the family under test.
      sim = await startSimulatedModel(profile, { questions: dataset.questions, seed: num(v.seed, 'seed', { int: true }) ?? 0, timeScale, family });
      endpoint = sim.url;
      simulatedProfile = profile.name;
      io.err(`simulated model "${profile.name}" (a plausible reading of the paper's charts, not its data) at ${endpoint}, time scale ${timeScale}\n`);
    }
    if (!endpoint) throw new UsageError('--endpoint URL is required (or --simulate for the built-in simulated model)');
    if (!model) throw new UsageError('--model NAME is required');
    if (!family) throw new UsageError('--family is required (qwen3, deepseek, gpt-oss, gpt, mistral, or one defined in --config)');
    let apiKey: string | undefined;
    if (v['api-key-env']) {
      apiKey = env[v['api-key-env']];
      if (!apiKey) throw new UsageError(`--api-key-env ${v['api-key-env']}: that environment variable is not set`);
    }
    const configPath = v.config ? resolve(v.config) : undefined;
    if (configPath && !existsSync(configPath)) throw new UsageError(`--config ${configPath}: file not found`);
    const config = loadRouterConfig(configPath ? readFileSync(configPath, 'utf8') : undefined, configPath);
    const classifier = (v.classifier ?? 'model') as ClassifierKind;
    if (classifier !== 'model' && classifier !== 'oracle') throw new UsageError(`--classifier: expected model or oracle, got "${v.classifier}"`);
    let decider = oracleDecider(config);
    let dispose: (() => Promise<void>) | undefined;
    let classifierLabel = 'oracle (dataset labels)';
    if (modes.includes('router') && classifier === 'model') {
      const m = await modelDecider(config, v['classifier-model']);
      decider = m.decider;
      dispose = m.dispose;
      classifierLabel = `bundled model (${m.backend})`;
    }
    let prediction: PredictionInfo | null = null;
    const predFile = v.prediction ?? (configPath ? configPath.replace(/\.(ya?ml|json)$/i, '') + '.tune.json' : undefined);
    if (predFile && existsSync(predFile)) {
      const p = JSON.parse(readFileSync(predFile, 'utf8')) as { predicted?: { tuned?: PredictionInfo['tuned']; default?: PredictionInfo['default'] } };
      if (p.predicted?.tuned) prediction = { ...(configPath ? { config: configPath } : {}), tuned: p.predicted.tuned, ...(p.predicted.default ? { default: p.predicted.default } : {}) };
    } else if (v.prediction) throw new UsageError(`--prediction ${v.prediction}: file not found`);
    const seed = num(v.seed, 'seed', { int: true }) ?? 0;
    const extraBody: Record<string, unknown> = { seed };
    const temperature = num(v.temperature, 'temperature', { min: 0 });
    if (temperature !== undefined) extraBody.temperature = temperature;
    const maxTokens = num(v['max-tokens'], 'max-tokens', { int: true, min: 1 });
    if (maxTokens !== undefined) extraBody.max_tokens = maxTokens;
    try {
      const limit = num(v.limit, 'limit', { int: true, min: 1 });
      const res = await runEval({
        endpoint,
        ...(apiKey ? { apiKey } : {}),
        model,
        family,
        datasetName: dataset.name,
        questions: dataset.questions,
        modes,
        prepare: createPreparer({ config, model, family, decider }),
        outDir: resolve(outDir),
        ...(limit !== undefined ? { limit } : {}),
        concurrency: num(v.concurrency, 'concurrency', { int: true, min: 1, max: 1024 }) ?? 8,
        seed,
        stream: !v['no-stream'],
        timeoutMs: (num(v.timeout, 'timeout', { min: 1 }) ?? 600) * 1000,
        maxRetries: num(v['max-retries'], 'max-retries', { int: true, min: 0 }) ?? 6,
        ...(sim ? { backoffMs: 20 } : {}),
        quiet: !!v.quiet,
        extraBody,
        meta: { modes: modes.join(','), config: configPath ?? '(built-in default)', classifier: modes.includes('router') ? classifierLabel : null },
        ...(simulatedProfile !== undefined ? { simulatedProfile } : {}),
        prediction,
        log: (l) => io.err(`${l}\n`),
      });
      // A simulated run says so on every line of the summary, so no line can be quoted as a real model's result.
      const sims = res.simulatedProfile;
      const tag = sims !== undefined ? '  [simulated]' : '';
      if (sims !== undefined) io.out(`SIMULATED RUN: semroute's simulated model (profile "${sims}") answered, not a real model; every figure below is simulated.\n`);
      for (const m of res.summary.modes) {
        io.out(`${m.mode.padEnd(16)} accuracy ${(m.accuracy * 100).toFixed(2)}%  latency ${m.mean_latency_s.toFixed(2)} s  tokens ${m.mean_tokens.toFixed(1)}  n=${m.n}${m.errors ? `  errors=${m.errors}` : ''}${m.extraction_failures ? `  unextracted=${m.extraction_failures}` : ''}${m.tokens_estimated ? `  tokens-estimated=${m.tokens_estimated}` : ''}${tag}\n`);
      }
      for (const c of res.summary.comparisons) {
        io.out(`${c.mode} vs ${c.baseline}: ${c.delta_accuracy_pp >= 0 ? '+' : ''}${c.delta_accuracy_pp.toFixed(2)} pp (McNemar p=${c.mcnemar.p.toPrecision(2)}), latency ${c.latency_change_pct.toFixed(1)}%, tokens ${c.tokens_change_pct.toFixed(1)}%${tag}\n`);
      }
      io.out(`report: ${join(resolve(outDir), 'report.html')}${sims !== undefined ? ' (simulated)' : ''}\n`);
      if (res.aborted) {
        io.err(`error: ${res.aborted}. Re-run the same command to resume.\n`);
        return { outDir, exitCode: 3 };
      }
      if (res.failed) {
        io.err(`warning: ${res.failed} item(s) failed (see "error" in results.jsonl); re-run the same command to retry them.\n`);
        return { outDir, exitCode: 1 };
      }
      return { outDir, exitCode: 0 };
    } finally {
      await dispose?.();
    }
  } finally {
    await sim?.close();
  }
}

/** `semroute eval …`; resolves to the exit code. */
export async function runEvalCommand(argv: string[], ioIn: CommandIO = {}): Promise<number> {
  const io = { out: ioIn.out ?? ((s: string) => void process.stdout.write(s)), err: ioIn.err ?? ((s: string) => void process.stderr.write(s)), env: ioIn.env ?? process.env };
  try {
    const { values } = parseArgs({ args: normaliseSimulate(argv), options: EVAL_OPTIONS, allowPositionals: false, strict: true });
    if (values.help) {
      io.out(EVAL_USAGE);
      return 0;
    }
    return (await doEval(values, io)).exitCode;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}

function printTune(r: TuneResult, out: (s: string) => void, simulatedProfile: string | undefined): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (simulatedProfile !== undefined) out(`SIMULATED RESULTS: measured on semroute's simulated model (profile "${simulatedProfile}"), not a real model; the policy and predictions below are simulated.\n`);
  out(`category            default        tuned          reason\n`);
  for (const c of r.choices) {
    const d = c.default.setting.use_reasoning ? `on${c.default.setting.effort ? `:${c.default.setting.effort}` : ''}` : 'off';
    const t = c.chosen.setting.use_reasoning ? `on${c.chosen.setting.effort ? `:${c.chosen.setting.effort}` : ''}` : 'off';
    out(`${c.category.padEnd(20)}${d.padEnd(15)}${(t + (c.changed ? ' *' : '')).padEnd(15)}${c.reason}\n`);
  }
  const t = r.predicted.tuned;
  const d = r.predicted.default;
  const row = (a: string, b: string, c: string, e: string) => out(`  ${a.padEnd(36)} ${b.padEnd(24)} ${c.padEnd(14)} ${e}\n`);
  out('\n');
  row(`predicted (routing by true category)${simulatedProfile !== undefined ? ', simulated' : ''}`, 'accuracy', 'tokens/query', 'latency/query');
  row('base policy', pct(d.accuracy), d.mean_tokens.toFixed(0), `${d.mean_latency_s.toFixed(2)} s`);
  row('tuned policy', `${pct(t.accuracy)} [${pct(t.accuracy_ci.lo)}, ${pct(t.accuracy_ci.hi)}]`, t.mean_tokens.toFixed(0), `${t.mean_latency_s.toFixed(2)} s`);
  const dpp = (t.accuracy - d.accuracy) * 100;
  row('change', `${dpp >= 0 ? '+' : ''}${dpp.toFixed(2)} pp`, `${((t.mean_tokens / d.mean_tokens - 1) * 100).toFixed(1)}%`, `${((t.mean_latency_s / d.mean_latency_s - 1) * 100).toFixed(1)}%`);
  for (const n of r.notes) out(`note: ${n}\n`);
}

/** `semroute tune …`; resolves to the exit code. */
export async function runTuneCommand(argv: string[], ioIn: CommandIO = {}): Promise<number> {
  const io = { out: ioIn.out ?? ((s: string) => void process.stdout.write(s)), err: ioIn.err ?? ((s: string) => void process.stderr.write(s)), env: ioIn.env ?? process.env };
  try {
    const { values: v } = parseArgs({ args: normaliseSimulate(argv), options: TUNE_OPTIONS, allowPositionals: false, strict: true });
    if (v.help) {
      io.out(TUNE_USAGE);
      return 0;
    }
    if (!v.out) throw new UsageError('--out FILE (the tuned config to write) is required');
    const outFile = resolve(v.out);
    let resultsDir = v.results ? resolve(v.results) : undefined;
    if (!resultsDir) {
      if (!v.endpoint && v.simulate === undefined) throw new UsageError('give --results DIR (an eval --out folder), or --endpoint/--simulate to let tune run its own eval');
      resultsDir = `${outFile.replace(/\.(ya?ml|json)$/i, '')}.eval`;
      io.err(`tune: running eval (direct-off,direct-on) into ${resultsDir}\n`);
      const ev = await doEval({ ...v, out: resultsDir } as EvalValues, io, ['direct-off', 'direct-on']);
      if (ev.exitCode === 3) return 3;
    }
    const resultsFile = join(resultsDir, RESULTS_FILE);
    if (!existsSync(resultsFile)) throw new UsageError(`--results ${resultsDir}: no ${RESULTS_FILE} there (run semroute eval --out ${resultsDir} first)`);
    const { records, badLines } = readResults(resultsFile);
    if (badLines) io.err(`warning: ignored ${badLines} unreadable line(s) in ${resultsFile}\n`);
    const runFile = join(resultsDir, 'run.json');
    const runs = existsSync(runFile) ? ((JSON.parse(readFileSync(runFile, 'utf8')) as { runs?: Record<string, unknown>[] }).runs ?? []) : [];
    const lastRun = runs[runs.length - 1] ?? {};
    const model = v.model ?? (typeof lastRun.model === 'string' ? lastRun.model : undefined);
    const family = v.family ?? (typeof lastRun.family === 'string' ? lastRun.family : undefined);
    if (!family) throw new UsageError('--family is required (the results folder has no run.json naming it)');
    const runConfig = typeof lastRun.config === 'string' && existsSync(lastRun.config) ? lastRun.config : undefined;
    const configPath = v.config ? resolve(v.config) : runConfig;
    if (configPath && !existsSync(configPath)) throw new UsageError(`--config ${configPath}: file not found`);
    const baseText = configPath ? readFileSync(configPath, 'utf8') : undefined;
    const base = loadRouterConfig(baseText, configPath);
    const objective = (v.objective ?? 'accuracy') as Objective;
    if (!OBJECTIVES.includes(objective)) throw new UsageError(`--objective: expected one of ${OBJECTIVES.join(', ')}, got "${v.objective}"`);
    const lambda = num(v.lambda, 'lambda', { min: 0 });
    const maxTokensPerQuery = num(v['max-tokens-per-query'], 'max-tokens-per-query', { min: 0 });
    const maxLatencyPerQuery = num(v['max-latency-per-query'], 'max-latency-per-query', { min: 0 });
    const confidence = num(v.confidence, 'confidence', { min: 0.5, max: 0.9999 });
    const minSamples = num(v['min-samples'], 'min-samples', { int: true, min: 1 });
    const result = tunePolicy(records, (c) => configSetting(base, family, c), {
      objective,
      ...(lambda !== undefined ? { lambda } : {}),
      ...(maxTokensPerQuery !== undefined ? { maxTokensPerQuery } : {}),
      ...(maxLatencyPerQuery !== undefined ? { maxLatencyPerQuery } : {}),
      ...(confidence !== undefined ? { confidence } : {}),
      ...(minSamples !== undefined ? { minSamples } : {}),
    });
    const simulatedProfile = runs.map((r) => r.simulated).find((x): x is string => typeof x === 'string' && x.length > 0);
    const endpoint = typeof lastRun.endpoint === 'string' && !lastRun.simulated ? lastRun.endpoint : undefined;
    const text = writeTunedConfig(result, {
      ...(baseText !== undefined ? { baseText } : {}),
      ...(configPath ? { baseName: configPath } : {}),
      ...(!v['keep-models'] && model ? { model: { name: model, family, ...(endpoint ? { endpoint } : {}) } } : {}),
      header: [
        `measured: ${resultsFile} (${records.filter((r) => r.status === 'ok').length} answers; ${simulatedProfile !== undefined ? `SIMULATED model, profile ${simulatedProfile}, standing in for` : 'model'} ${model ?? '?'}, dataset ${String(lastRun.dataset ?? '?')})`,
        `base config: ${configPath ?? 'built-in default'}`,
      ],
    });
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, text);
    const sidecar = `${outFile.replace(/\.(ya?ml|json)$/i, '')}.tune.json`;
    writeFileSync(sidecar, `${JSON.stringify({ config: outFile, results: resultsFile, ...result }, null, 2)}\n`);
    printTune(result, io.out, simulatedProfile);
    io.out(`\nwrote ${outFile} (and ${sidecar})\nmeasure it: semroute eval --modes router --config ${outFile} ...\n`);
    return result.budget.met ? 0 : 1;
  } catch (err) {
    return exitCodeFor(err, io);
  }
}
