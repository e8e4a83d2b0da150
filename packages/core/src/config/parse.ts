/**
 * parseConfig / loadConfigOrThrow: text or object in, a validated frozen {@link RouterConfig} or a list of
 * issues out. Never throws (parseConfig), never returns a half-applied config. Reading YAML/JSON text is here; the
 * validation itself is `validate.ts` (what the router and the default config need, without the YAML parser).
 * @module
 */
import { parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.js';
import type { ConfigIssue } from './issues.js';
import type { RouterConfig } from './schema.js';
import { type ConfigResult, validateConfig } from './validate.js';

export type { ConfigResult } from './validate.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Source format; default: from `filename`'s extension, else JSON when the text starts with `{`, else YAML. */
  format?: 'yaml' | 'json';
  /** Only used to guess the format and in messages. */
  filename?: string;
}

/**
 * Parses and validates a semroute / vSR config.
 *
 * @param source YAML or JSON text, or an already-parsed object.
 * @returns `{ok: true, config, warnings}` with a deeply frozen config, or `{ok: false, errors}`; every issue has
 * the path of the offending value and, for likely typos, a `suggestion`. Never throws.
 *
 * @example
 * const r = parseConfig(yamlText);
 * if (!r.ok) console.error(formatConfigIssues(r.errors));
 */
export function parseConfig(source: string | unknown, opts: ParseConfigOptions = {}): ConfigResult {
  try {
    return parseConfigUnsafe(source, opts);
  } catch (err) {
    // Defence in depth: validation must never crash its caller.
    return { ok: false, errors: [{ path: '', message: `config could not be validated: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

/** Like {@link parseConfig} but returns the config or throws a {@link ConfigError} carrying every issue. */
export function loadConfigOrThrow(source: string | unknown, opts: ParseConfigOptions = {}): RouterConfig {
  const r = parseConfig(source, opts);
  if (!r.ok) throw new ConfigError(r.errors);
  return r.config;
}

function parseConfigUnsafe(source: unknown, opts: ParseConfigOptions): ConfigResult {
  let root: unknown = source;
  let yamlWarnings: ConfigIssue[] = [];
  if (typeof source === 'string') {
    const text = source;
    const format = opts.format ?? (opts.filename ? (/\.json$/i.test(opts.filename) ? 'json' : 'yaml') : text.trimStart().startsWith('{') ? 'json' : 'yaml');
    if (format === 'json') {
      try {
        root = JSON.parse(text);
      } catch (err) {
        return { ok: false, errors: [{ path: '', message: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` }] };
      }
    } else {
      const yaml = parseYamlText(text);
      if (!yaml.ok) return { ok: false, errors: yaml.errors };
      root = yaml.value;
      yamlWarnings = yaml.warnings;
    }
  }
  return validateConfig(root, yamlWarnings);
}

function yamlIssue(e: YAMLError, kind: string): ConfigIssue {
  const pos = e.linePos?.[0];
  const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
  return { path: '', message: `${kind}${where}: ${e.message.split('\n')[0]}` };
}

/** YAML → JS without console output (warnings become issues); duplicate keys are errors, aliases bounded. */
function parseYamlText(text: string): { ok: true; value: unknown; warnings: ConfigIssue[] } | { ok: false; errors: ConfigIssue[] } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, logLevel: 'silent' });
  if (doc.errors.length) return { ok: false, errors: doc.errors.map((e) => yamlIssue(e, 'invalid YAML')) };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }), warnings: doc.warnings.map((w) => yamlIssue(w, 'YAML warning')) };
  } catch (err) {
    return { ok: false, errors: [{ path: '', message: `invalid YAML: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}
