/**
 * vSR's older spellings of the semantic cache, converted to semroute's (= vSR v0.3's) layout with a warning each:
 * the top-level `semantic_cache` block becomes `global.stores.response_cache`, a decision's `semantic-cache` /
 * `semantic_cache` plugin becomes `response_cache` (`similarity_threshold` moves under `semantic`).
 * @module
 */
import { isObj, type JsonObject as Obj } from '../json-object.js';
import { describeValue, joinPath, type ConfigIssue } from './issues.js';

/** Keys of vSR's `semantic_cache` block that semroute keeps as they are. */
const KEPT_STORE_KEYS = Object.freeze(['enabled', 'backend_type', 'similarity_threshold', 'max_entries', 'ttl_seconds', 'eviction_policy', 'redis']);
/** Keys of vSR's block that configure its own embedding model or index: semroute uses the router's model and a flat scan. */
const IGNORED_STORE_KEYS = Object.freeze([
  'embedding_model', 'backend_config_path', 'use_hnsw', 'hnsw_m', 'hnsw_ef_construction', 'hnsw_ef_search', 'max_memory_entries', 'dimension',
]);

/** Old plugin spellings of the response cache. */
export const LEGACY_CACHE_PLUGINS: readonly string[] = Object.freeze(['semantic-cache', 'semantic_cache']);

/** `semantic_cache: {...}` at the top level → `global.stores.response_cache`, in place. */
export function convertTopLevelSemanticCache(root: Obj, warnings: ConfigIssue[], errors: ConfigIssue[]): void {
  if (root.semantic_cache === undefined) return;
  const block = root.semantic_cache;
  delete root.semantic_cache;
  if (!isObj(block)) {
    errors.push({ path: 'semantic_cache', message: 'expected a mapping', expected: 'object', received: describeValue(block) });
    return;
  }
  if (root.global === undefined) root.global = {};
  if (!isObj(root.global)) return; // the schema reports the bad `global`
  const global = root.global;
  if (global.stores === undefined) global.stores = {};
  if (!isObj(global.stores)) return;
  if (global.stores.response_cache !== undefined) {
    errors.push({ path: 'semantic_cache', message: 'defined twice: also at global.stores.response_cache; keep one' });
    return;
  }
  warnings.push({ path: 'semantic_cache', message: 'vSR `semantic_cache` block converted to global.stores.response_cache; please migrate' });
  const out: Obj = {};
  for (const [k, v] of Object.entries(block)) {
    if (KEPT_STORE_KEYS.includes(k)) out[k] = v;
    else if (IGNORED_STORE_KEYS.includes(k)) {
      warnings.push({ path: joinPath('semantic_cache', k), message: "ignored: semroute embeds with the router's own model and searches with a flat int8 scan" });
    } else out[k] = v; // semroute keys, or a typo the schema reports under global.stores.response_cache
  }
  normalizeEviction(out, 'semantic_cache.eviction_policy', warnings);
  global.stores.response_cache = out;
}

/** vSR's `lfu` eviction is served by `lru` (the closest semroute implements). */
export function normalizeEviction(store: Obj, path: string, warnings: ConfigIssue[]): void {
  if (store.eviction_policy === 'lfu') {
    store.eviction_policy = 'lru';
    warnings.push({ path, message: 'eviction_policy `lfu` is served as `lru` by semroute' });
  }
}

/** A decision's `semantic-cache` plugin → `response_cache`, or undefined when `p` is not one. */
export function convertCachePlugin(p: unknown, path: string, warnings: ConfigIssue[]): Obj | undefined {
  if (!isObj(p) || typeof p.type !== 'string' || !LEGACY_CACHE_PLUGINS.includes(p.type)) return undefined;
  warnings.push({ path, message: `vSR plugin \`${p.type}\` converted to \`response_cache\`; please migrate` });
  const conf = isObj(p.configuration) ? p.configuration : {};
  const configuration: Obj = {};
  for (const [k, v] of Object.entries(conf)) {
    if (k === 'enabled') configuration.enabled = v;
    else if (k === 'similarity_threshold') configuration.semantic = { similarity_threshold: v };
    else if (k === 'semantic') configuration.semantic = v;
    else warnings.push({ path: joinPath(`${path}.configuration`, k), message: 'ignored: not a response_cache plugin key' });
  }
  return { type: 'response_cache', configuration };
}
