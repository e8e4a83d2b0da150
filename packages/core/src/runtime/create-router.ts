/**
 * Shared part of the per-runtime `createRouter()` factories: validate the config, build the runtime's
 * classifier, hand both to the runtime-agnostic {@link Router}. No decision logic here.
 * @module
 */
import { defaultConfig } from '../config/default-config.js';
import type { RouterConfig } from '../config/schema.js';
import { Router } from '../router.js';
import type { Classifier } from '../signals/types.js';

/** A RouterConfig (from `parseConfig`/`defaultConfig()`), or YAML/JSON text to parse. Default: `defaultConfig()`. */
export type ConfigInput = RouterConfig | string;

/**
 * The config to use. Text is read by `config/parse.ts`, imported only then: the YAML parser is a chunk of its own
 * in a browser bundle, fetched only for a text config (README "Bundle budget"); a bad text still throws here.
 */
export async function toConfig(config: ConfigInput | undefined): Promise<RouterConfig> {
  if (config === undefined) return defaultConfig();
  if (typeof config === 'string') return (await import('../config/parse.js')).loadConfigOrThrow(config);
  return config;
}

/** Validates the config first (cheap), then loads the classifier (slow), then builds the Router. */
export async function routerWith(config: ConfigInput | undefined, makeClassifier: () => Promise<Classifier>): Promise<Router> {
  const cfg = new Router({ config: await toConfig(config) }).config; // throws ConfigError before any model work
  const classifier = await makeClassifier();
  return new Router({ config: cfg, classifier });
}
