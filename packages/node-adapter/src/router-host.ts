/**
 * Owns the live core Router: loads the config (file or bundled default), loads the classifier model in the
 * background (readiness), and hot-reloads the config file with an atomic swap. An invalid new config keeps the
 * old one running.
 * @module
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { DEFAULT_CONFIG_YAML, Router, formatConfigIssues, parseConfig, type Classifier, type ConfigIssue, type RouterConfig } from '@semroute/core';
import { ClassifierPool } from './classifier-pool.js';
import { splitConfig, type ServerSettings } from './settings.js';

/**
 * The logger the server parts write to (pino's shape: fields first, then the message). Fields carry names, codes and
 * numbers, never prompt text.
 */
export interface Logger {
  /** Lifecycle events: model loaded, config reloaded. */
  info(obj: object | string, msg?: string): void;
  /** Degraded but serving: keyword-only routing, a config reload refused. */
  warn(obj: object | string, msg?: string): void;
  /** A failure the operator must act on (an invalid config file, a model that did not load). */
  error(obj: object | string, msg?: string): void;
}

/** `message (err)` when the log object carries an `err`, so a terminal user sees why (e.g. why the model did not load). */
const line = (o: object | string, m?: string): string => {
  const text = m ?? (typeof o === 'string' ? o : JSON.stringify(o));
  const err = m !== undefined && typeof o === 'object' && o !== null ? (o as { err?: unknown }).err : undefined;
  return err === undefined ? text : `${text} (${String(err)})`;
};

export const stderrLogger: Logger = {
  info: (o, m) => process.stderr.write(`${line(o, m)}\n`),
  warn: (o, m) => process.stderr.write(`warning: ${line(o, m)}\n`),
  error: (o, m) => process.stderr.write(`error: ${line(o, m)}\n`),
};

/** A config file read: the core config, the server section and warnings, or every issue found. Never throws. */
export type LoadedConfig =
  | { ok: true; config: RouterConfig; server: Partial<ServerSettings>; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[] };

/** Parse a config text: the adapter's `server:` section, then the core config. */
export function loadConfigText(text: string, filename?: string): LoadedConfig {
  const split = splitConfig(text, filename);
  const format = filename?.endsWith('.json') ? 'json' : 'yaml';
  const parsed = parseConfig(split.core, { format, ...(filename ? { filename } : {}) });
  if (!parsed.ok) return { ok: false, errors: [...split.issues, ...parsed.errors] };
  if (split.issues.length) return { ok: false, errors: split.issues };
  return { ok: true, config: parsed.config, server: split.server, warnings: parsed.warnings };
}

/** Reads and parses a config file (YAML, or JSON for `*.json`); an unreadable file is an issue, not a throw. */
export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` }] };
  }
  return loadConfigText(text, path);
}

/** Where the classifier stands: loading in the background, loaded, not wanted (`classifier: 'none'`), or failed to load. */
export type ClassifierState = 'loading' | 'loaded' | 'none' | 'failed';

/** Options of a {@link RouterHost}: config file, model and its threads, and what happens when the model fails. */
export interface RouterHostOptions {
  /** Config file; undefined → the bundled default config. */
  configPath?: string;
  /** Classifier model directory; undefined → the runtime's bundled default. */
  model?: string;
  /**
   * `auto` (default): load the ONNX model with the Node runtime (`runtime/node.ts`) in classifier worker threads
   * (classifier-pool.ts) in the background; `none`: keyword/context
   * signals only (ready at once); a Classifier instance is used as is; a function is awaited as the loader.
   */
  classifier?: 'auto' | 'none' | Classifier | (() => Promise<Classifier>);
  device?: 'auto' | 'cpu' | 'cuda';
  threads?: number;
  /**
   * Classifier worker threads (classifier-pool.ts), each with its own ONNX session of `threads` intra-op threads.
   * Default 2: classification never runs on the event loop, and one worker stays free for ordinary prompts.
   */
  inferenceThreads?: number;
  /** If the model fails to load: stay not-ready (true) or serve keyword-only (false, default). */
  requireModel?: boolean;
  log?: Logger;
}

/**
 * Owns the live {@link Router} of a server: loads the config (a file or the bundled default), loads the classifier
 * model in the background (see {@link RouterHost.ready}), and reloads the config file with an atomic swap; an
 * invalid new config keeps the old one running. The constructor throws when the initial config is invalid.
 */
export class RouterHost {
  router: Router;
  config: RouterConfig;
  server: Partial<ServerSettings>;
  classifierState: ClassifierState;
  classifierError: string | undefined;
  readonly configPath: string | undefined;
  readonly usingDefaultConfig: boolean;
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(config: RouterConfig) => void>();
  private readonly log: Logger;
  /** Resolves when the classifier finished loading (or failed). */
  readonly loaded: Promise<void>;
  /**
   * Resolves once every classifier worker thread has started (the first one is enough to be ready; the others join as
   * they load). Resolved at once for other classifiers.
   */
  workersStarted: Promise<void> = Promise.resolve();

  /** Throws a ConfigError-like Error with formatted issues when the initial config is invalid. */
  constructor(private readonly opts: RouterHostOptions = {}) {
    this.log = opts.log ?? stderrLogger;
    this.configPath = opts.configPath ? resolve(opts.configPath) : undefined;
    this.usingDefaultConfig = !this.configPath;
    const loaded = this.configPath ? loadConfigFile(this.configPath) : loadConfigText(DEFAULT_CONFIG_YAML, 'default.yaml');
    if (!loaded.ok) {
      throw new Error(`invalid config ${this.configPath ?? '(bundled default)'}:\n${formatConfigIssues(loaded.errors)}`);
    }
    for (const w of loaded.warnings) this.log.warn({ path: w.path }, `config warning: ${formatConfigIssues([w])}`);
    this.config = loaded.config;
    this.server = loaded.server;
    // Keyword/context-only router until the model is loaded.
    const given = typeof opts.classifier === 'object' ? opts.classifier : undefined;
    const loader = typeof opts.classifier === 'function' ? opts.classifier : undefined;
    this.router = given ? new Router({ config: this.config, classifier: given }) : new Router({ config: this.config });
    if (given) {
      this.classifierState = 'loaded';
      this.loaded = Promise.resolve();
    } else if (opts.classifier === 'none') {
      this.classifierState = 'none';
      this.loaded = Promise.resolve();
    } else {
      this.classifierState = 'loading';
      this.loaded = this.loadModel(loader);
    }
  }

  /** True once requests can be served as configured (model loaded, or no model wanted / degraded mode allowed). */
  get ready(): boolean {
    if (this.classifierState === 'loaded' || this.classifierState === 'none') return true;
    if (this.classifierState === 'failed') return !this.opts.requireModel;
    return false;
  }

  private async loadModel(loader?: () => Promise<Classifier>): Promise<void> {
    const t0 = performance.now();
    try {
      const classifier = loader
        ? await loader()
        : await ClassifierPool.start({
            ...(this.opts.inferenceThreads ? { workers: this.opts.inferenceThreads } : {}),
            classifier: {
              ...((this.opts.model ?? this.config.global.classifier.model) ? { model: this.opts.model ?? this.config.global.classifier.model } : {}),
              ...(this.opts.device ? { backend: this.opts.device } : {}),
              ...(this.opts.threads ? { threads: this.opts.threads } : {}),
            },
            logger: { warn: (msg: string) => this.log.warn({}, msg) },
          });
      // Built with the current config: a reload may have happened while loading.
      const router = new Router({ config: this.config, classifier });
      const old = this.router;
      this.router = router;
      this.classifierState = 'loaded';
      void Promise.resolve(old.dispose()).catch(() => {});
      this.log.info({ backend: router.backend, ms: Math.round(performance.now() - t0) }, 'classifier model loaded');
      if (classifier instanceof ClassifierPool) {
        this.workersStarted = classifier.ready.then(() => this.log.info({ workers: classifier.size, ms: Math.round(performance.now() - t0) }, 'classifier workers started'));
      }
    } catch (e) {
      this.classifierState = 'failed';
      this.classifierError = e instanceof Error ? e.message : String(e);
      (this.opts.requireModel ? this.log.error : this.log.warn)(
        { err: this.classifierError },
        this.opts.requireModel
          ? 'classifier model failed to load; staying not-ready (--require-model)'
          : 'classifier model failed to load; routing on keyword/context signals only',
      );
    }
  }

  /** Calls `fn` with every new config after a successful reload; returns the function that unsubscribes it. */
  onConfig(fn: (config: RouterConfig) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Re-read the config file; swap atomically when valid. Returns the issues when it is not. */
  reload(): { ok: true } | { ok: false; errors: ConfigIssue[] } {
    if (!this.configPath) return { ok: true };
    const loaded = loadConfigFile(this.configPath);
    if (!loaded.ok) {
      this.log.error(
        { file: this.configPath },
        `config reload rejected, keeping the previous config:\n${formatConfigIssues(loaded.errors)}`,
      );
      return { ok: false, errors: loaded.errors };
    }
    this.router.setConfig(loaded.config);
    this.config = loaded.config;
    this.server = loaded.server;
    for (const fn of this.listeners) fn(loaded.config);
    this.log.info({ file: this.configPath }, 'config reloaded');
    return { ok: true };
  }

  /** Watch the config file (its directory, so editors' rename-on-save and ConfigMap symlink swaps are seen). */
  watch(onResult?: (r: { ok: boolean }) => void, debounceMs = 150): void {
    if (!this.configPath || this.watcher) return;
    const dir = dirname(this.configPath);
    const file = basename(this.configPath);
    this.watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name && name !== file && !name.startsWith('..')) return; // `..data` = Kubernetes ConfigMap swap
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => onResult?.(this.reload()), debounceMs);
    });
    this.watcher.on('error', (e) => this.log.error({ err: String(e) }, 'config watcher failed'));
  }

  /** Stops watching the file, waits for the model load to settle and disposes of the router (its classifier workers). */
  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.reloadTimer);
    await this.loaded.catch(() => {});
    await Promise.resolve(this.router.dispose?.()).catch(() => {});
  }
}
