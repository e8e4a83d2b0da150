/**
 * Conversion of the legacy flat vSR config (2025: `categories[].model_scores`, `default_model`, `model_config`, …)
 * to the v0.3 layout. Produces warnings for ignored keys and errors (with legacy paths) for malformed input.
 * @module
 */
import { isObj, type JsonObject as Obj } from '../json-object.js';
import { joinPath, suggest, describeValue, type ConfigIssue } from './issues.js';

/** Top-level keys that mark a config as legacy. */
export const LEGACY_MARKERS = Object.freeze([
  'categories',
  'default_model',
  'model_config',
  'vllm_endpoints',
  'reasoning_families',
  'default_reasoning_effort',
  'prompt_guard',
  'classifier',
  'keyword_rules',
]);

/** Legacy sections semroute has no use for (model paths, caches, servers): dropped with one warning each. */
const LEGACY_IGNORED_TOP = Object.freeze([
  'bert_model',
  'tools',
  'api',
  'observability',
  'embedding_models',
  'router_replay',
  'response_api',
  'entropy',
  'looper',
  'config_source',
]);

/** True when `root` looks like a legacy flat config (and not the v0.3 layout). */
export function isLegacyConfig(root: Obj): boolean {
  if ('providers' in root || 'routing' in root || 'global' in root) return false;
  return LEGACY_MARKERS.some((k) => k in root);
}

interface Ctx {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

function checkKeys(obj: Obj, path: string, allowed: readonly string[], ignored: readonly string[], ctx: Ctx): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    if (ignored.includes(key)) {
      ctx.warnings.push({ path: joinPath(path, key), message: 'legacy key ignored: semroute does not use it' });
      continue;
    }
    const s = suggest(key, allowed);
    ctx.errors.push({
      path: joinPath(path, key),
      message: 'unknown key',
      expected: `one of: ${allowed.join(', ')}`,
      ...(s ? { suggestion: s } : {}),
    });
  }
}

function str(v: unknown, path: string, ctx: Ctx): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  ctx.errors.push({ path, message: 'expected a non-empty string', expected: 'string', received: describeValue(v) });
  return undefined;
}

function arr(v: unknown, path: string, ctx: Ctx): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  ctx.errors.push({ path, message: 'expected an array', expected: 'array', received: describeValue(v) });
  return [];
}

function obj(v: unknown, path: string, ctx: Ctx): Obj | undefined {
  if (v === undefined) return undefined;
  if (isObj(v)) return v;
  ctx.errors.push({ path, message: 'expected a mapping', expected: 'object', received: describeValue(v) });
  return undefined;
}

/**
 * Converts a legacy config to the v0.3 layout. Values are copied as they are (the v0.3 schema validates them
 * afterwards); only the structure is checked here.
 */
export function convertLegacyConfig(root: Obj): { value: Obj; errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const ctx: Ctx = { errors: [], warnings: [] };
  ctx.warnings.push({
    path: '',
    message: 'legacy flat config format converted to the v0.3 layout (providers / routing / global); please migrate',
  });
  checkKeys(root, '', [...LEGACY_MARKERS, 'semantic_cache'], LEGACY_IGNORED_TOP, ctx);

  const models = new Map<string, Obj>();
  const modelEntry = (name: string): Obj => {
    let m = models.get(name);
    if (!m) {
      m = { name, provider_model_id: name };
      models.set(name, m);
    }
    return m;
  };
  const defaultModel = root.default_model === undefined ? undefined : str(root.default_model, 'default_model', ctx);
  if (defaultModel) modelEntry(defaultModel);

  // vllm_endpoints → backend refs
  const endpoints = new Map<string, { obj: Obj; models: string[] }>();
  arr(root.vllm_endpoints, 'vllm_endpoints', ctx).forEach((e, i) => {
    const p = `vllm_endpoints[${i}]`;
    const o = obj(e, p, ctx);
    if (!o) return;
    checkKeys(o, p, ['name', 'address', 'port', 'models', 'weight', 'protocol'], ['health_check_path', 'type'], ctx);
    const name = str(o.name, `${p}.name`, ctx) ?? `endpoint${i}`;
    const address = str(o.address, `${p}.address`, ctx) ?? '';
    const port = o.port === undefined ? '' : `:${String(o.port)}`;
    const ref: Obj = { name, endpoint: `${address}${port}` };
    if (o.weight !== undefined) ref.weight = o.weight;
    if (o.protocol !== undefined) ref.protocol = o.protocol;
    const ms = arr(o.models, `${p}.models`, ctx).filter((x): x is string => typeof x === 'string');
    endpoints.set(name, { obj: ref, models: ms });
    for (const m of ms) modelEntry(m);
  });

  const mc = obj(root.model_config, 'model_config', ctx) ?? {};
  for (const [modelName, raw] of Object.entries(mc)) {
    const p = joinPath('model_config', modelName);
    const o = obj(raw, p, ctx);
    const m = modelEntry(modelName);
    if (!o) continue;
    checkKeys(
      o,
      p,
      ['reasoning_family', 'pii_policy', 'preferred_endpoints'],
      ['param_count', 'batch_size', 'context_size', 'pricing', 'loras', 'description', 'capabilities', 'quality_score'],
      ctx,
    );
    if (o.reasoning_family !== undefined) m.reasoning_family = o.reasoning_family;
    const pol = obj(o.pii_policy, `${p}.pii_policy`, ctx);
    if (pol) {
      checkKeys(pol, `${p}.pii_policy`, ['allow_by_default', 'pii_types_allowed'], [], ctx);
      if (pol.allow_by_default === false) m.pii_types_allowed = pol.pii_types_allowed ?? [];
    }
    if (o.preferred_endpoints !== undefined) m.preferred_endpoints = arr(o.preferred_endpoints, `${p}.preferred_endpoints`, ctx);
  }

  const domains: Obj[] = [];
  const keywords: Obj[] = [];
  const decisions: Obj[] = [];
  const byName = new Map<string, Obj>();
  arr(root.categories, 'categories', ctx).forEach((c, i) => {
    const p = `categories[${i}]`;
    const o = obj(c, p, ctx);
    if (!o) return;
    checkKeys(
      o,
      p,
      ['name', 'description', 'system_prompt', 'system_prompt_enabled', 'system_prompt_mode', 'mmlu_categories', 'model_scores', 'use_reasoning', 'reasoning_effort', 'semantic_cache_enabled', 'semantic_cache_similarity_threshold'],
      ['reasoning_description', 'jailbreak_enabled', 'jailbreak_threshold', 'pii_enabled', 'pii_threshold', 'tools'],
      ctx,
    );
    const name = str(o.name, `${p}.name`, ctx);
    if (!name) return;
    domains.push({ name, mmlu_categories: o.mmlu_categories ?? [name] });
    const scores = arr(o.model_scores, `${p}.model_scores`, ctx)
      .map((s, j) => {
        const sp = `${p}.model_scores[${j}]`;
        const so = obj(s, sp, ctx);
        if (!so) return undefined;
        checkKeys(so, sp, ['model', 'score', 'use_reasoning', 'reasoning_effort'], ['reasoning_description'], ctx);
        const model = str(so.model, `${sp}.model`, ctx);
        if (!model) return undefined;
        modelEntry(model);
        const score = typeof so.score === 'number' ? so.score : 0;
        const ref: Obj = { model, use_reasoning: so.use_reasoning ?? o.use_reasoning ?? false };
        const effort = so.reasoning_effort ?? o.reasoning_effort;
        if (effort !== undefined) ref.reasoning_effort = effort;
        return { ref, score, j };
      })
      .filter((x): x is { ref: Obj; score: number; j: number } => x !== undefined)
      .sort((a, b) => b.score - a.score || a.j - b.j);
    const plugins: Obj[] = [];
    if (typeof o.system_prompt === 'string' && o.system_prompt.length > 0) {
      plugins.push({
        type: 'system_prompt',
        configuration: { enabled: o.system_prompt_enabled ?? true, mode: o.system_prompt_mode ?? 'replace', system_prompt: o.system_prompt },
      });
    }
    if (o.semantic_cache_enabled !== undefined || o.semantic_cache_similarity_threshold !== undefined) {
      // The old per-category cache switch: the v0.3 parse converts this plugin spelling to `response_cache`.
      const configuration: Obj = { enabled: o.semantic_cache_enabled ?? true };
      if (o.semantic_cache_similarity_threshold !== undefined) configuration.similarity_threshold = o.semantic_cache_similarity_threshold;
      plugins.push({ type: 'semantic-cache', configuration });
    }
    const d: Obj = {
      name,
      priority: 100,
      rules: { operator: 'OR', conditions: [{ type: 'domain', name }] },
      modelRefs: scores.map((s) => s.ref),
      plugins,
    };
    decisions.push(d);
    byName.set(name, d);
  });

  arr(root.keyword_rules, 'keyword_rules', ctx).forEach((k, i) => {
    const p = `keyword_rules[${i}]`;
    const o = obj(k, p, ctx);
    if (!o) return;
    checkKeys(o, p, ['category', 'name', 'operator', 'keywords', 'case_sensitive'], [], ctx);
    const name = str(o.category ?? o.name, `${p}.category`, ctx);
    if (!name) return;
    const signal: Obj = { name, keywords: o.keywords };
    if (o.operator !== undefined) signal.operator = o.operator;
    if (o.case_sensitive !== undefined) signal.case_sensitive = o.case_sensitive;
    keywords.push(signal);
    const existing = byName.get(name);
    if (existing) {
      (existing.rules as { conditions: Obj[] }).conditions.push({ type: 'keyword', name });
    } else {
      const d: Obj = { name, priority: 150, rules: { operator: 'OR', conditions: [{ type: 'keyword', name }] } };
      decisions.push(d);
      byName.set(name, d);
    }
  });

  // backend refs per model (preferred endpoints first, else every endpoint that lists the model)
  for (const m of models.values()) {
    const preferred = Array.isArray(m.preferred_endpoints) ? (m.preferred_endpoints as unknown[]).filter((x): x is string => typeof x === 'string') : undefined;
    delete m.preferred_endpoints;
    const refs: Obj[] = [];
    for (const [epName, ep] of endpoints) {
      if (preferred ? preferred.includes(epName) : ep.models.includes(m.name as string)) refs.push({ ...ep.obj });
    }
    if (refs.length) m.backend_refs = refs;
  }

  const defaults: Obj = {};
  if (defaultModel) defaults.default_model = defaultModel;
  else ctx.errors.push({ path: 'default_model', message: 'missing required key', expected: 'the name of a model' });
  if (root.default_reasoning_effort !== undefined) defaults.default_reasoning_effort = root.default_reasoning_effort;
  if (root.reasoning_families !== undefined) defaults.reasoning_families = root.reasoning_families;

  const global: Obj = {};
  const pg = obj(root.prompt_guard, 'prompt_guard', ctx);
  if (pg) {
    checkKeys(pg, 'prompt_guard', ['enabled', 'threshold'], ['use_modernbert', 'model_id', 'use_cpu', 'jailbreak_mapping_path', 'use_vllm', 'use_mmbert_32k'], ctx);
    const g: Obj = {};
    if (pg.enabled !== undefined) g.enabled = pg.enabled;
    if (pg.threshold !== undefined) g.threshold = pg.threshold;
    global.prompt_guard = g;
  }
  const cl = obj(root.classifier, 'classifier', ctx);
  if (cl) {
    checkKeys(cl, 'classifier', ['category_model', 'pii_model'], ['mcp_category_model'], ctx);
    const modelKeys = ['use_modernbert', 'model_id', 'use_cpu', 'category_mapping_path', 'pii_mapping_path', 'use_mmbert_32k', 'fallback_category'];
    const classifier: Obj = {};
    const cm = obj(cl.category_model, 'classifier.category_model', ctx);
    if (cm) {
      checkKeys(cm, 'classifier.category_model', ['threshold', 'fallback_category'], modelKeys, ctx);
      const d: Obj = {};
      if (cm.threshold !== undefined) d.threshold = cm.threshold;
      if (cm.fallback_category !== undefined) d.fallback_category = cm.fallback_category;
      classifier.domain = d;
    }
    const pm = obj(cl.pii_model, 'classifier.pii_model', ctx);
    if (pm) {
      checkKeys(pm, 'classifier.pii_model', ['threshold'], modelKeys, ctx);
      if (pm.threshold !== undefined) classifier.pii = { threshold: pm.threshold };
    }
    global.classifier = classifier;
  }

  const value: Obj = {
    providers: { defaults, models: [...models.values()] },
    routing: { strategy: 'priority', signals: { domains, keywords }, decisions },
    global,
  };
  // Converted (with its warning) to global.stores.response_cache by the v0.3 parse.
  if (root.semantic_cache !== undefined) value.semantic_cache = root.semantic_cache;
  return { value, errors: ctx.errors, warnings: ctx.warnings };
}
