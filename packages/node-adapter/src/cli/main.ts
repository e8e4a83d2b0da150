/**
 * The `semroute` command line: serve, classify, validate, explain, bench, mock-backend, eval, tune.
 * @module
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatConfigIssues } from '@semroute/core';
import { RouterHost, loadConfigFile, stderrLogger } from '../router-host.js';
import { startMockBackend } from '../mock-backend.js';
import { classifyStream } from './classify-stream.js';
import { classificationRecord, explainText, parseHeads } from '../server/route-view.js';
import { serve } from '../serve.js';
import { TRUST_CLIENT_HINTS, type TrustClientHints } from '../settings.js';

const USAGE = `semroute — semantic router for LLM traffic

Usage:
  semroute serve [--config FILE] [--port 8801] [--grpc-port 50051] [--host 127.0.0.1]
                 [--mock-port 8802] [--no-mock] [--no-grpc] [--model DIR|PACKAGE] [--backend auto|cpu|cuda]
                 [--threads N] [--inference-threads N] [--no-classifier] [--require-model] [--trust-client-hints none|routing]
                 [--static DIR] [--no-watch] [--log-level info] [--debug-log]
  semroute classify [TEXT] [--in FILE.jsonl] [--out FILE.jsonl] [--config FILE] [--model DIR|PACKAGE]
                 [--heads domain,jailbreak,pii] [--batch 32] [--no-classifier]
  semroute validate FILE
  semroute explain FILE "prompt" [--json] [--no-classifier]
  semroute bench [--duration 10] [--rate 500] [--connections 50] [--pin] [--soak SECONDS] [--traces] [--out FILE.json]
  semroute mock-backend [--port 8802] [--host 127.0.0.1] [--latency MS] [--chunk-delay MS]
                 [--failure-rate 0..1] [--cut-after N] [--chunks N]
                 [--simulate [PROFILE] [--time-scale X] [--seed S] [--data-dir DIR]]
  semroute eval (--endpoint URL | --simulate [PROFILE]) --model NAME --family F --out DIR [--dataset mmlu-pro[:split]|FILE.jsonl] [--modes direct-off,direct-on,router] [--config FILE] [--limit N] [--concurrency K] [--seed S]
  semroute tune --results DIR --out tuned.yaml [--objective accuracy|balanced|cost] [--lambda X] [--max-tokens-per-query N]

With no --config, serve uses the bundled default config and starts the built-in mock backend on
127.0.0.1:8802, so it works on a machine with no LLM. HTTP and gRPC listen on 127.0.0.1 (this machine only)
unless --host, SEMROUTE_HOST or the config's server.host says otherwise (--host 0.0.0.0: every interface, as in a
container). Environment: SEMROUTE_CONFIG, SEMROUTE_HOST, SEMROUTE_PORT, SEMROUTE_GRPC_PORT, SEMROUTE_MODEL; OpenTelemetry traces
with OTEL_EXPORTER_OTLP_ENDPOINT and the other standard OTEL_* variables (OTLP/HTTP). \`semroute eval --help\` and \`semroute tune --help\` list every option.`;

class UsageError extends Error {}

function args<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function num(v: string | boolean | undefined, name: string, def?: number): number | undefined {
  if (v === undefined || typeof v === 'boolean') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function positiveInt(v: string | boolean | undefined, name: string): number | undefined {
  const n = num(v, name);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

async function cmdServe(argv: string[]): Promise<void> {
  const { values: v } = args(argv, {
    config: { type: 'string', short: 'c' },
    port: { type: 'string', short: 'p' },
    'grpc-port': { type: 'string' },
    host: { type: 'string' },
    'mock-port': { type: 'string' },
    'no-mock': { type: 'boolean' },
    mock: { type: 'boolean' },
    'no-grpc': { type: 'boolean' },
    model: { type: 'string' },
    device: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    'inference-threads': { type: 'string' },
    'no-classifier': { type: 'boolean' },
    'require-model': { type: 'boolean' },
    'trust-client-hints': { type: 'string' },
    static: { type: 'string' },
    'no-watch': { type: 'boolean' },
    'log-level': { type: 'string' },
    'debug-log': { type: 'boolean' },
  });
  if (v.help) return void console.log(USAGE);
  const trust = v['trust-client-hints'];
  if (trust !== undefined && !(TRUST_CLIENT_HINTS as readonly string[]).includes(trust)) {
    throw new UsageError(`--trust-client-hints must be one of: ${TRUST_CLIENT_HINTS.join(', ')}`);
  }
  const device = v.backend ?? v.device;
  if (device !== undefined && !['auto', 'cpu', 'cuda'].includes(device)) throw new UsageError('--backend must be one of: auto, cpu, cuda');
  const configPath = v.config ?? process.env.SEMROUTE_CONFIG;
  const host = v.host ?? process.env.SEMROUTE_HOST;
  if (host !== undefined && !host.trim()) throw new UsageError('--host (or SEMROUTE_HOST) must name an interface, e.g. 127.0.0.1 or 0.0.0.0');
  await serve({
    ...(configPath ? { configPath } : {}),
    ...(host ? { host } : {}),
    port: num(v.port ?? process.env.SEMROUTE_PORT, 'port'),
    grpcPort: v['no-grpc'] ? null : num(v['grpc-port'] ?? process.env.SEMROUTE_GRPC_PORT, 'grpc-port'),
    mock: v['no-mock'] ? false : v.mock || !configPath,
    mockPort: num(v['mock-port'], 'mock-port', 8802)!,
    ...(v.model ?? process.env.SEMROUTE_MODEL ? { model: v.model ?? process.env.SEMROUTE_MODEL } : {}),
    ...(device ? { device: device as 'auto' | 'cpu' | 'cuda' } : {}),
    ...(v.threads !== undefined ? { threads: positiveInt(v.threads, 'threads') } : {}),
    ...(v['inference-threads'] !== undefined ? { inferenceThreads: positiveInt(v['inference-threads'], 'inference-threads') } : {}),
    classifier: v['no-classifier'] ? 'none' : 'auto',
    requireModel: !!v['require-model'],
    ...(trust ? { trustClientHints: trust as TrustClientHints } : {}),
    ...(v.static ? { staticDir: v.static } : {}),
    watch: !v['no-watch'],
    logLevel: v['log-level'] ?? 'info',
    debugLog: !!v['debug-log'],
    installSignalHandlers: true,
  });
}

async function cmdValidate(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, {});
  if (values.help || positionals.length !== 1) throw new UsageError('usage: semroute validate FILE');
  const file = positionals[0]!;
  const r = loadConfigFile(file);
  if (!r.ok) {
    process.stderr.write(`${file}: invalid (${r.errors.length} error${r.errors.length === 1 ? '' : 's'})\n${formatConfigIssues(r.errors)}\n`);
    return 1;
  }
  if (r.warnings.length) process.stderr.write(`${formatConfigIssues(r.warnings).replace(/^/gm, 'warning: ')}\n`);
  const c = r.config;
  process.stdout.write(
    `${file}: ok — ${c.providers.models.length} model(s), ${c.routing.decisions.length} decision(s), default model ${c.providers.defaults.default_model}\n`,
  );
  return 0;
}

function makeHost(config: string | undefined, model: string | undefined, noClassifier: boolean, quiet = true): RouterHost {
  return new RouterHost({
    ...(config ? { configPath: config } : {}),
    ...(model ? { model } : {}),
    classifier: noClassifier ? 'none' : 'auto',
    log: quiet ? { ...stderrLogger, info: () => {} } : stderrLogger,
  });
}

async function cmdExplain(argv: string[]): Promise<number> {
  const { values, positionals } = args(argv, { model: { type: 'string' }, json: { type: 'boolean' }, 'no-classifier': { type: 'boolean' } });
  if (values.help || positionals.length !== 2) throw new UsageError('usage: semroute explain FILE "prompt" [--json] [--model DIR|PACKAGE] [--no-classifier]');
  const host = makeHost(positionals[0], values.model, !!values['no-classifier']);
  try {
    await host.loaded;
    process.stdout.write(`${await explainText(host.router, positionals[1]!, !!values.json)}\n`);
    return 0;
  } finally {
    await host.close();
  }
}

async function cmdClassify(argv: string[]): Promise<number> {
  const { values: v, positionals } = args(argv, {
    in: { type: 'string', short: 'i' },
    out: { type: 'string', short: 'o' },
    config: { type: 'string', short: 'c' },
    model: { type: 'string' },
    heads: { type: 'string' },
    batch: { type: 'string' },
    'no-classifier': { type: 'boolean' },
  });
  if (v.help) return void console.log(USAGE), 0;
  const heads = parseHeads(v.heads);
  const host = makeHost(v.config, v.model, !!v['no-classifier']);
  try {
    await host.loaded;
    if (positionals.length) {
      const rec = await classificationRecord(host.router, positionals.join(' '), heads);
      process.stdout.write(`${JSON.stringify(rec)}\n`);
      return 0;
    }
    if (!v.in && process.stdin.isTTY) throw new UsageError('semroute classify: give TEXT, --in FILE.jsonl, or pipe JSONL on stdin');
    const input = v.in && v.in !== '-' ? createReadStream(v.in, { highWaterMark: 64 * 1024 }) : process.stdin;
    const out = v.out && v.out !== '-' ? createWriteStream(v.out) : process.stdout;
    const tty = process.stderr.isTTY;
    const t0 = Date.now();
    let last = 0;
    const n = await classifyStream(host.router, input, out, {
      batch: num(v.batch, 'batch', 32)!,
      ...(heads ? { heads } : {}),
      onProgress: (done) => {
        if (!tty || Date.now() - last < 250) return;
        last = Date.now();
        const s = (Date.now() - t0) / 1000;
        process.stderr.write(`\r${done} prompts  ${(done / Math.max(s, 1e-3)).toFixed(0)}/s  ${s.toFixed(1)} s`);
      },
    });
    if (out !== process.stdout) await new Promise<void>((r) => (out as NodeJS.WritableStream).end(() => r()));
    const s = (Date.now() - t0) / 1000;
    process.stderr.write(`${tty ? '\r' : ''}${n} prompts classified in ${s.toFixed(1)} s (${(n / Math.max(s, 1e-3)).toFixed(0)}/s)\n`);
    return 0;
  } finally {
    await host.close();
  }
}

async function cmdMock(argv: string[]): Promise<void> {
  // `--simulate` with no profile name (last, or followed by another flag) means the default profile.
  const argvN = argv.flatMap((a, i) => (a === '--simulate' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) ? [a, ''] : [a]));
  const { values: v } = args(argvN, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    latency: { type: 'string' },
    'chunk-delay': { type: 'string' },
    'failure-rate': { type: 'string' },
    'cut-after': { type: 'string' },
    chunks: { type: 'string' },
    name: { type: 'string' },
    simulate: { type: 'string' },
    'time-scale': { type: 'string' },
    seed: { type: 'string' },
    'data-dir': { type: 'string' },
  });
  if (v.help) return void console.log(USAGE);
  if (v.simulate !== undefined) {
    // The simulated model (src/eval): answers MMLU-Pro questions with a profile's accuracy, tokens and latency.
    const { loadProfile, startSimulatedModel } = await import('../eval/index.js');
    const profile = v.simulate ? loadProfile(v.simulate) : loadProfile();
    const sim = await startSimulatedModel(profile, {
      port: num(v.port, 'port', 8802)!,
      host: v.host ?? '127.0.0.1',
      timeScale: num(v['time-scale'], 'time-scale', 1)!,
      seed: num(v.seed, 'seed', 0)!,
      ...(v['data-dir'] ? { dataDir: v['data-dir'] } : {}),
    });
    process.stderr.write(`semroute simulated model (${profile.name}) listening on ${sim.url}\n`);
    const stopSim = () => void sim.close().then(() => process.exit(0));
    process.once('SIGTERM', stopSim);
    process.once('SIGINT', stopSim);
    return;
  }
  const cut = num(v['cut-after'], 'cut-after');
  const mock = await startMockBackend({
    port: num(v.port, 'port', 8802)!,
    host: v.host ?? '127.0.0.1',
    latencyMs: num(v.latency, 'latency', 0)!,
    chunkDelayMs: num(v['chunk-delay'], 'chunk-delay', 0)!,
    failureRate: num(v['failure-rate'], 'failure-rate', 0)!,
    chunks: num(v.chunks, 'chunks', 4)!,
    ...(cut !== undefined ? { cutAfterChunks: cut } : {}),
    ...(v.name ? { name: v.name } : {}),
  });
  process.stderr.write(`semroute mock backend listening on ${mock.url}\n`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function cmdBench(argv: string[]): Promise<number> {
  const { values: v } = args(argv, {
    duration: { type: 'string', short: 'd' },
    rate: { type: 'string', short: 'r' },
    connections: { type: 'string' },
    out: { type: 'string' },
    'no-classifier': { type: 'boolean' },
    pin: { type: 'boolean' },
    soak: { type: 'string' },
    traces: { type: 'boolean' },
  });
  if (v.help) return void console.log(USAGE), 0;
  const { runBench } = await import('../bench.js');
  const report = await runBench({
    durationS: num(v.duration, 'duration', 10)!,
    rate: num(v.rate, 'rate', 500)!,
    connections: num(v.connections, 'connections', 50)!,
    withClassifier: !v['no-classifier'],
    pin: v.pin === true,
    soakS: num(v.soak, 'soak', 0)!,
    traces: v.traces === true,
  });
  if (v.out) await import('node:fs').then((fs) => fs.writeFileSync(v.out!, JSON.stringify(report, null, 2)));
  return 0;
}

/** Run the CLI; resolves with the exit code (serve and mock-backend keep running). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve':
        await cmdServe(rest);
        return undefined;
      case 'mock-backend':
        await cmdMock(rest);
        return undefined;
      case 'validate':
        return await cmdValidate(rest);
      case 'explain':
        return await cmdExplain(rest);
      case 'classify':
        return await cmdClassify(rest);
      case 'bench':
        return await cmdBench(rest);
      case 'eval':
        return await (await import('../eval/index.js')).runEvalCommand(rest);
      case 'tune':
        return await (await import('../eval/index.js')).runTuneCommand(rest);
      case '--version':
      case '-v': {
        const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
        console.log(pkg.version);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return cmd === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command \`${cmd}\`; one of: serve, classify, validate, explain, bench, mock-backend, eval, tune`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`semroute: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`semroute: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
