/**
 * The bundled default config (14 MMLU-Pro categories, selective reasoning, jailbreak and PII blocks).
 * @module
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_CONFIG_YAML } from './default-config-text.js';
import { parseConfig } from './parse.js';
import type { RouterConfig } from './schema.js';

export { DEFAULT_CONFIG_YAML };

let cached: RouterConfig | undefined;

/** The parsed default config (frozen, parsed once). */
export function defaultConfig(): RouterConfig {
  if (!cached) {
    const r = parseConfig(DEFAULT_CONFIG_YAML, { format: 'yaml', filename: 'default.yaml' });
    if (!r.ok) throw new ConfigError(r.errors, 'the bundled default config is invalid (bug)');
    cached = r.config;
  }
  return cached;
}
