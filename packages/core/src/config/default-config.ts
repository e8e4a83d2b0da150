/**
 * The bundled default config (14 MMLU-Pro categories, selective reasoning, jailbreak and PII blocks).
 * @module
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_CONFIG_DATA } from './default-config-data.js';
import { DEFAULT_CONFIG_YAML } from './default-config-text.js';
import type { RouterConfig } from './schema.js';
import { validateConfig } from './validate.js';

export { DEFAULT_CONFIG_YAML };

let cached: RouterConfig | undefined;

/**
 * The parsed default config (frozen, validated once): {@link DEFAULT_CONFIG_YAML} as `parseConfig` reads it. It is
 * validated from its generated data form, so that browsers need no YAML parser for it.
 */
export function defaultConfig(): RouterConfig {
  if (!cached) {
    const r = validateConfig(DEFAULT_CONFIG_DATA);
    if (!r.ok) throw new ConfigError(r.errors, 'the bundled default config is invalid (bug)');
    cached = r.config;
  }
  return cached;
}
