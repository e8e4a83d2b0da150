/**
 * `semroute serve`: one process with the HTTP proxy, the Envoy ext_proc gRPC server, config hot reload, and
 * (with the bundled default config) the built-in mock backend. Graceful shutdown on SIGTERM/SIGINT: stop
 * accepting, let in-flight requests and streams finish (bounded by a grace period), then exit.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Classifier } from '@semroute/core';
import { startExtProc, type ExtProcServer } from './extproc/server.js';
import { startMockBackend, type MockBackend } from './mock-backend.js';
import { RouterHost, type Logger } from './router-host.js';
import { createApp, type SemrouteApp } from './server/app.js';
import { defaultStaticDir } from './server/static.js';
import { DEFAULT_SETTINGS, type ServerSettings, type TrustClientHints } from './settings.js';
import { startTracing, type Tracing } from './telemetry/tracing.js';

/** Options of {@link serve}; each overrides the config file's `server:` section, as the CLI flags do. */
export interface ServeOptions {
  /** Config file (YAML or JSON; hot-reloaded unless `watch: false`). Default: the bundled default config. */
  configPath?: string;
  /** Interface for HTTP and gRPC (default: `server.host` of the config, else `127.0.0.1`). */
  host?: string;
  /** HTTP port (default: `server.port`, else 8801; 0 picks a free port, see {@link RunningServer.port}). */
  port?: number | undefined;
  /** null disables the gRPC server. */
  grpcPort?: number | null | undefined;
  /** Start the built-in mock backend (default: only when no config is given). */
  mock?: boolean;
  /** Port of the mock backend (default 8802, the bundled default config's backend). */
  mockPort?: number;
  /** Classifier model folder. Default: `@semroute/model-mini`, found automatically. */
  model?: string;
  /** Execution provider for onnxruntime-node: `auto` tries CUDA, then CPU. */
  device?: 'auto' | 'cpu' | 'cuda';
  /** Intra-op threads of each classifier session. */
  threads?: number | undefined;
  /** Classifier worker threads (default 2). */
  inferenceThreads?: number | undefined;
  /** `none`: keyword signals only; a Classifier instance (tests) is used as is. */
  classifier?: 'auto' | 'none' | Classifier | (() => Promise<Classifier>);
  /** When the model fails to load: stay not-ready (true) instead of routing on keyword/context signals (default). */
  requireModel?: boolean;
  /** Client pre-routing hints policy (default `server.trust_client_hints`, else `none`). */
  trustClientHints?: TrustClientHints;
  /** Folder served at `/` (default: the built playground, when present). */
  staticDir?: string;
  /** Reload the config file when it changes (default true). */
  watch?: boolean;
  /** pino level (`info` default; `silent` logs nothing). */
  logLevel?: string;
  /** pino/fastify logger options, overriding logLevel (e.g. `{ level: 'debug', stream }` in tests). */
  logger?: object;
  /** Log one line per routed request: decision, model, category, confidence (never the prompt). */
  debugLog?: boolean;
  /** Drain and exit on SIGTERM/SIGINT, reload the config on SIGHUP (the CLI sets it; default false). */
  installSignalHandlers?: boolean;
}

/** A started server: its parts, where it listens, and {@link RunningServer.close}. */
export interface RunningServer {
  readonly app: SemrouteApp;
  readonly host: RouterHost;
  /** Base URL of the HTTP proxy, e.g. `http://127.0.0.1:8801` (a wildcard bind is given as loopback). */
  readonly url: string;
  /** The HTTP port actually bound. */
  readonly port: number;
  /** The ext_proc gRPC server (undefined with `grpcPort: null`). */
  readonly extProc: ExtProcServer | undefined;
  /** The mock backend, when one was started. */
  readonly mock: MockBackend | undefined;
  /** OpenTelemetry traces, when the OTEL_* environment turned them on. */
  readonly tracing: Tracing | undefined;
  /** Graceful stop: stop accepting, drain in-flight requests (at most graceMs), close everything. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts `semroute serve` in this process: the OpenAI-compatible proxy, the Envoy ext_proc server and (by default
 * without a config file) the mock backend, with config hot reload. Resolves once listening; the model keeps loading
 * in the background (`/ready`). Rejects on an invalid config, a port in use or bad `OTEL_*` variables.
 */
export async function serve(opts: ServeOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? (opts.logLevel === 'silent' ? false : { level: opts.logLevel ?? 'info' });
  let mock: MockBackend | undefined;
  const wantMock = opts.mock ?? !opts.configPath;
  if (wantMock) {
    mock = await startMockBackend({ port: opts.mockPort ?? 8802, host: '127.0.0.1', name: 'semroute-mock' });
  }
  let app: SemrouteApp | undefined;
  const log: Logger = {
    info: (o, m) => (app ? app.fastify.log.info(o, m) : logger && process.stderr.write(`${m ?? JSON.stringify(o)}\n`)),
    warn: (o, m) => (app ? app.fastify.log.warn(o, m) : logger && process.stderr.write(`warning: ${m ?? JSON.stringify(o)}\n`)),
    error: (o, m) => (app ? app.fastify.log.error(o, m) : process.stderr.write(`error: ${m ?? JSON.stringify(o)}\n`)),
  };
  let host: RouterHost;
  try {
    host = new RouterHost({
      ...(opts.configPath ? { configPath: opts.configPath } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.device ? { device: opts.device } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.inferenceThreads ? { inferenceThreads: opts.inferenceThreads } : {}),
      classifier: opts.classifier ?? 'auto',
      requireModel: !!opts.requireModel,
      log,
    });
  } catch (e) {
    await mock?.close();
    throw e;
  }
  const settings: Partial<ServerSettings> = {
    ...host.server,
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(typeof opts.grpcPort === 'number' ? { grpcPort: opts.grpcPort } : {}),
    ...(opts.trustClientHints ? { trustClientHints: opts.trustClientHints } : {}),
    ...(opts.debugLog ? { debugLog: true } : {}),
  };
  const eff: ServerSettings = { ...DEFAULT_SETTINGS, ...settings };
  const staticDir = opts.staticDir ?? defaultStaticDir();
  let tracing: Tracing | undefined;
  try {
    tracing = await startTracing(log);
  } catch (e) {
    await host.close();
    await mock?.close();
    throw e;
  }
  app = createApp({ host, settings, logger, ...(staticDir ? { staticDir } : {}), ...(tracing ? { tracing } : {}) });
  const metrics = app.metrics;
  if (opts.watch !== false) host.watch((r) => metrics.configReloads.inc({ result: r.ok ? 'ok' : 'invalid' }));

  await app.fastify.listen({ port: eff.port, host: eff.host });
  const port = (app.fastify.server.address() as AddressInfo).port;
  let extProc: ExtProcServer | undefined;
  if (opts.grpcPort !== null) {
    extProc = await startExtProc({
      host,
      metrics,
      trustClientHints: eff.trustClientHints,
      bodyLimit: eff.bodyLimit,
      port: eff.grpcPort,
      bindHost: eff.host,
      log: app.fastify.log,
      ...(tracing ? { tracing } : {}),
    });
  }
  // A wildcard bind is reached on loopback; an IPv6 literal needs brackets in a URL.
  const urlHost = eff.host === '0.0.0.0' ? '127.0.0.1' : eff.host === '::' ? '[::1]' : eff.host.includes(':') ? `[${eff.host}]` : eff.host;
  const url = `http://${urlHost}:${port}`;
  app.fastify.log.info(
    { http: url, host: eff.host, grpc: extProc?.port, mock: mock?.url, config: host.configPath ?? '(bundled default)', static: staticDir, traces: tracing ? 'otlp' : 'off' },
    'semroute listening',
  );

  let closing: Promise<void> | undefined;
  const close = (graceMs = eff.shutdownGraceMs) =>
    (closing ??= (async () => {
      const force = setTimeout(() => app!.fastify.server.closeAllConnections(), graceMs);
      force.unref();
      await Promise.all([app!.close(), extProc?.close(graceMs)]);
      clearTimeout(force);
      await host.close();
      await mock?.close();
      // Last: the spans of the drained requests are exported before the process exits, but a collector that is down
      // (the exporter retries for up to OTEL_EXPORTER_OTLP_TIMEOUT) does not hold the exit longer than 5 s.
      if (tracing) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)));
        await Promise.race([tracing.shutdown().catch(() => {}), bound]);
        clearTimeout(timer);
      }
    })());

  if (opts.installSignalHandlers) {
    const onSignal = (sig: string) => {
      app!.fastify.log.info({ signal: sig, inflight: app!.inflight() }, 'shutting down: draining in-flight requests');
      const hard = setTimeout(() => process.exit(1), eff.shutdownGraceMs + 5_000);
      hard.unref();
      void close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    // SIGHUP: reload the config file now (the file watcher does it too).
    process.on('SIGHUP', () => {
      const r = host.reload();
      metrics.configReloads.inc({ result: r.ok ? 'ok' : 'invalid' });
    });
  }
  return { app, host, url, port, extProc, mock, tracing, close };
}
