/**
 * validateConfig: a parsed config value in (from `parse.ts`'s YAML/JSON reading, or an object), a validated frozen
 * {@link RouterConfig} or a list of issues out. Never throws, never returns a half-applied config. It imports no YAML
 * parser, so a browser app that passes objects (or uses the default config) does not load one (README "Bundle budget").
 * @module
 */
import type { z } from 'zod/mini';
import { isObj, type JsonObject as Obj } from '../json-object.js';
import { describeValue, formatPath, joinPath, suggest, type ConfigIssue } from './issues.js';
import { keywordProblem } from '../signals/keyword-pattern.js';
import { customRecognizerProblems } from '../signals/pii-custom-checks.js';
import { BUILTIN_PII_RECOGNIZER_NAMES, MODEL_FILE_PII_RECOGNIZER_NAMES } from '../signals/pii-recognizer-settings.js';
import { convertCachePlugin, convertTopLevelSemanticCache, normalizeEviction } from './cache-compat.js';
import { convertLegacyConfig, isLegacyConfig } from './legacy.js';
import {
  BUILTIN_REASONING_FAMILIES,
  RouterConfigSchema,
  SELECTION_ALGORITHMS,
  type RouterConfig,
  type RuleNode,
} from './schema.js';

/** Result of {@link parseConfig} (and of the validation it ends with, `validateConfig`). */
export type ConfigResult =
  | { ok: true; config: RouterConfig; warnings: ConfigIssue[] }
  | { ok: false; errors: ConfigIssue[]; warnings?: ConfigIssue[] };

/** vSR plugin types semroute does not implement: accepted, ignored, warned about. */
const VSR_IGNORED_PLUGINS = Object.freeze([
  'jailbreak',
  'hallucination',
  'router_replay',
  'memory',
  'rag',
  'response_jailbreak',
  'tools',
  'image_gen',
  'reask',
]);
/** vSR signal kinds semroute does not implement (error if present: decisions would silently change meaning). */
const VSR_UNSUPPORTED_SIGNALS = Object.freeze([
  'language',
  'fact_check',
  'user_feedback',
  'preference',
  'latency',
  'complexity',
  'modality',
  'authz',
  'entropy',
]);
/** Model-loading keys vSR puts next to thresholds; meaningless for semroute's bundled model. */
const MODEL_LOADING_KEYS = Object.freeze([
  'model_id',
  'use_cpu',
  'use_modernbert',
  'use_mmbert_32k',
  'category_mapping_path',
  'pii_mapping_path',
  'jailbreak_mapping_path',
  'use_vllm',
]);

/**
 * Validates an already-parsed config value (what YAML or JSON text parses to, or an object built in code) as
 * `parseConfig` does after reading text: vSR spellings and legacy layouts converted, the schema checked, cross
 * references checked. No YAML parser here: browsers load it only when a config arrives as text (bundle budget).
 *
 * @param root The config value; `warnings` are issues found while reading it (YAML warnings), reported first.
 * @returns `{ok: true, config, warnings}` with a deeply frozen config, or `{ok: false, errors}`. Never throws.
 */
export function validateConfig(root: unknown, warnings: readonly ConfigIssue[] = []): ConfigResult {
  try {
    return validateUnsafe(root, warnings);
  } catch (err) {
    // Defence in depth: validation must never crash its caller.
    return { ok: false, errors: [{ path: '', message: `config could not be validated: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

function validateUnsafe(root: unknown, readWarnings: readonly ConfigIssue[]): ConfigResult {
  if (!isObj(root)) {
    return { ok: false, errors: [{ path: '', message: 'a config must be a mapping at the top level', expected: 'object', received: describeValue(root) }] };
  }

  let input: Obj = cloneJson(root);
  const warnings: ConfigIssue[] = [...readWarnings];
  const errors: ConfigIssue[] = [];
  if (isLegacyConfig(input)) {
    const conv = convertLegacyConfig(input);
    warnings.push(...conv.warnings);
    if (conv.errors.length) return { ok: false, errors: conv.errors, warnings };
    input = conv.value;
  }
  normalizeVsr(input, warnings, errors);
  if (errors.length) return { ok: false, errors, warnings };

  const parsed = RouterConfigSchema.safeParse(input);
  if (!parsed.success) {
    // A node with an unknown key (likely a typo) also reports the key it misses: keep only the typo.
    const typoNodes = new Set(parsed.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => JSON.stringify(i.path)));
    const issues = parsed.error.issues.filter((i) => !(i.code === 'custom' && typoNodes.has(JSON.stringify(i.path.slice(0, -1)))));
    return { ok: false, errors: dedupe(issues.flatMap((i) => mapZodIssue(i, input))), warnings };
  }
  const cfg = parsed.data;
  // Built-in reasoning families, overridden / extended by the config.
  cfg.providers.defaults.reasoning_families = { ...cloneJson(BUILTIN_REASONING_FAMILIES as unknown as Obj), ...cfg.providers.defaults.reasoning_families } as typeof cfg.providers.defaults.reasoning_families;
  const cross = crossValidate(cfg as RouterConfig);
  warnings.push(...cross.warnings);
  if (cross.errors.length) return { ok: false, errors: cross.errors, warnings };
  return { ok: true, config: deepFreeze(cfg) as RouterConfig, warnings };
}

function cloneJson<T>(v: T): T {
  // Config values are JSON-like (YAML/JSON/objects); functions, symbols and cycles are rejected here.
  const seen = new Set<unknown>();
  const walk = (x: unknown, depth: number): unknown => {
    if (depth > 64) throw new Error('config nesting is deeper than 64 levels');
    if (x === null || typeof x !== 'object') {
      if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') return String(x);
      return x;
    }
    if (seen.has(x)) throw new Error('config contains a reference cycle');
    seen.add(x);
    let out: unknown;
    if (Array.isArray(x)) out = x.map((e) => walk(e, depth + 1));
    else if (x instanceof Date) out = x.toISOString();
    else {
      const o: Obj = {};
      for (const [k, val] of Object.entries(x)) {
        if (val === undefined) continue;
        // defineProperty: a `__proto__` key stays a plain (unknown) key instead of replacing the prototype
        Object.defineProperty(o, k, { value: walk(val, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      out = o;
    }
    seen.delete(x);
    return out;
  };
  return walk(v, 0) as T;
}

/** vSR spellings → semroute's canonical layout, in place. */
function normalizeVsr(root: Obj, warnings: ConfigIssue[], errors: ConfigIssue[]): void {
  // Top-level `conversation` is accepted as a spelling of `global.conversation`.
  if (root.conversation !== undefined) {
    if (root.global === undefined) root.global = {};
    if (isObj(root.global)) {
      if (root.global.conversation !== undefined) errors.push({ path: 'conversation', message: 'defined twice: also at global.conversation; keep one' });
      else root.global.conversation = root.conversation;
      delete root.conversation;
    }
  }
  convertTopLevelSemanticCache(root, warnings, errors);
  const global = root.global;
  if (isObj(global)) {
    const store = isObj(global.stores) && isObj(global.stores.response_cache) ? global.stores.response_cache : undefined;
    if (store) normalizeEviction(store, 'global.stores.response_cache.eviction_policy', warnings);
    const catalog = global.model_catalog;
    if (catalog !== undefined) {
      delete global.model_catalog;
      if (!isObj(catalog)) {
        errors.push({ path: 'global.model_catalog', message: 'expected a mapping', expected: 'object', received: describeValue(catalog) });
      } else {
        for (const [k, v] of Object.entries(catalog)) {
          if (k !== 'modules') {
            warnings.push({ path: joinPath('global.model_catalog', k), message: 'vSR model catalog entry ignored: semroute bundles its own model' });
            continue;
          }
          if (!isObj(v)) {
            errors.push({ path: 'global.model_catalog.modules', message: 'expected a mapping', expected: 'object', received: describeValue(v) });
            continue;
          }
          for (const [mod, mv] of Object.entries(v)) {
            const p = joinPath('global.model_catalog.modules', mod);
            if (mod === 'prompt_guard' || mod === 'classifier') {
              if (global[mod] !== undefined) {
                errors.push({ path: p, message: `defined twice: also at global.${mod}; keep one` });
              } else global[mod] = mv;
            } else {
              warnings.push({ path: p, message: 'vSR module ignored: not supported by semroute' });
            }
          }
        }
      }
    }
    stripModelLoadingKeys(global.prompt_guard, 'global.prompt_guard', warnings);
    if (isObj(global.classifier)) {
      for (const [k, v] of Object.entries(global.classifier)) {
        if (k === 'domain' || k === 'pii') stripModelLoadingKeys(v, joinPath('global.classifier', k), warnings);
        else if (k === 'category_model' || k === 'pii_model' || k === 'jailbreak' || k === 'mcp_category_model') {
          // vSR model sections: keep their threshold, drop the rest.
          const target = k === 'category_model' ? 'domain' : k === 'pii_model' ? 'pii' : undefined;
          if (target && isObj(v) && v.threshold !== undefined) {
            const cur = isObj(global.classifier[target]) ? (global.classifier[target] as Obj) : {};
            if (cur.threshold === undefined) cur.threshold = v.threshold;
            global.classifier[target] = cur;
          }
          delete global.classifier[k];
          warnings.push({ path: joinPath('global.classifier', k), message: 'vSR model section ignored (threshold kept): semroute bundles its own model' });
        }
      }
    }
  }

  const routing = root.routing;
  if (!isObj(routing)) return;
  const signals = routing.signals;
  if (isObj(signals)) {
    // vSR `embeddings` signals are exemplar signals: candidates → examples, aggregation_method → aggregation.
    if (signals.embeddings !== undefined) {
      if (Array.isArray(signals.embeddings)) {
        const ex = Array.isArray(signals.exemplars) ? (signals.exemplars as unknown[]) : [];
        for (const e of signals.embeddings as unknown[]) {
          if (isObj(e)) {
            const c: Obj = { ...e };
            if ('candidates' in c) {
              c.examples = c.candidates;
              delete c.candidates;
            }
            if ('aggregation_method' in c) {
              c.aggregation = c.aggregation_method;
              delete c.aggregation_method;
            }
            ex.push(c);
          } else ex.push(e);
        }
        signals.exemplars = ex;
        delete signals.embeddings;
      }
    }
    for (const k of Object.keys(signals)) {
      if (VSR_UNSUPPORTED_SIGNALS.includes(k)) {
        errors.push({
          path: joinPath('routing.signals', k),
          message: `vSR signal kind \`${k}\` is not supported by semroute`,
          expected: `one of: domains, keywords, jailbreak, pii, context, exemplars (or embeddings)`,
        });
      }
    }
  }
  if (Array.isArray(routing.decisions)) {
    routing.decisions.forEach((d, i) => {
      if (!isObj(d)) return;
      if (d.rules !== undefined) renameConditionTypes(d.rules);
      if (Array.isArray(d.plugins)) {
        const converted = d.plugins.map((p: unknown, j: number) => convertCachePlugin(p, `routing.decisions[${i}].plugins[${j}]`, warnings) ?? p);
        d.plugins = converted.filter((p, j) => {
          if (isObj(p) && typeof p.type === 'string' && VSR_IGNORED_PLUGINS.includes(p.type)) {
            warnings.push({ path: `routing.decisions[${i}].plugins[${j}]`, message: `vSR plugin \`${p.type}\` ignored: not supported by semroute` });
            return false;
          }
          return true;
        });
      }
    });
  }
}

function renameConditionTypes(node: unknown): void {
  if (!isObj(node)) return;
  if (node.type === 'embedding') node.type = 'exemplar';
  if (Array.isArray(node.conditions)) node.conditions.forEach(renameConditionTypes);
}

function stripModelLoadingKeys(v: unknown, path: string, warnings: ConfigIssue[]): void {
  if (!isObj(v)) return;
  for (const k of MODEL_LOADING_KEYS) {
    if (k in v) {
      delete v[k];
      warnings.push({ path: joinPath(path, k), message: 'model-loading key ignored: semroute bundles its own model' });
    }
  }
}

// ---------- zod issue mapping ----------

type ZodIssue = z.core.$ZodIssue;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

/**
 * Allowed keys of the object schema at `path` (walking wrappers, arrays, records, lazies, and unions — for a
 * discriminated union, only the option whose literal `type` matches the input value).
 */
function keysAt(schema: unknown, path: readonly PropertyKey[], input: unknown): string[] {
  const out = new Set<string>();
  const visit = (s: unknown, i: number, value: unknown, depth: number): void => {
    if (depth > 50 || s === null || typeof s !== 'object') return;
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    switch (def.type) {
      case 'object': {
        const shape = def.shape as Record<string, unknown>;
        if (i === path.length) {
          for (const k of Object.keys(shape)) out.add(k);
          return;
        }
        const seg = path[i];
        if (typeof seg === 'string' && seg in shape) visit(shape[seg], i + 1, isObj(value) ? value[seg] : undefined, depth + 1);
        return;
      }
      case 'array':
        if (i < path.length && typeof path[i] === 'number') visit(def.element, i + 1, Array.isArray(value) ? value[path[i] as number] : undefined, depth + 1);
        return;
      case 'record':
        if (i < path.length) visit(def.valueType, i + 1, isObj(value) ? value[path[i] as string] : undefined, depth + 1);
        return;
      case 'union': {
        const options = def.options as unknown[];
        const t = isObj(value) ? value.type : undefined;
        const matching = options.filter((o) => {
          const shape = (o as { _zod?: { def?: { shape?: Record<string, { _zod?: { def?: { type?: string; values?: unknown[] } } }> } } })._zod?.def?.shape;
          const lit = shape?.type?._zod?.def;
          return lit?.type === 'literal' && Array.isArray(lit.values) && lit.values.includes(t);
        });
        for (const o of matching.length ? matching : options) visit(o, i, value, depth + 1);
        return;
      }
      case 'lazy':
        visit((def.getter as () => unknown)(), i, value, depth + 1);
        return;
      case 'pipe':
        visit(def.in, i, value, depth + 1);
        return;
      default:
        if ('innerType' in def) visit(def.innerType, i, value, depth + 1);
    }
  };
  visit(schema, 0, input, 0);
  return [...out];
}

function mapZodIssue(issue: ZodIssue, input: unknown): ConfigIssue[] {
  const path = issue.path as PropertyKey[];
  const p = formatPath(path);
  const received = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(RouterConfigSchema, path, input);
      return issue.keys.map((k) => {
        const s = suggest(k, allowed);
        return {
          path: joinPath(p, k),
          message: 'unknown key',
          expected: `one of: ${allowed.join(', ')}`,
          ...(s ? { suggestion: s } : {}),
        };
      });
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const s = typeof received === 'string' ? suggest(received, values) : undefined;
      return [
        {
          path: p,
          message: `invalid value ${describeValue(received)}`,
          expected: `one of: ${values.join(', ')}`,
          received: describeValue(received),
          ...(s ? { suggestion: s } : {}),
        },
      ];
    }
    case 'invalid_type': {
      if (received === undefined) return [{ path: p, message: 'missing required key', expected: issue.expected }];
      return [{ path: p, message: `expected ${issue.expected}, received ${describeValue(received)}`, expected: issue.expected, received: describeValue(received) }];
    }
    case 'invalid_union': {
      // Discriminated union (plugins): missing or unknown `type`.
      const disc = (issue as { discriminator?: string; options?: unknown[] }).discriminator;
      if (disc !== undefined) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        if (received === undefined) return [{ path: p, message: 'missing required key', expected: `one of: ${options.join(', ')}` }];
        const s = typeof received === 'string' ? suggest(received, options) : undefined;
        return [
          {
            path: p,
            message: `unknown ${disc} ${describeValue(received)}`,
            expected: `one of: ${options.join(', ')}`,
            received: describeValue(received),
            ...(s ? { suggestion: s } : {}),
          },
        ];
      }
      const nested = (issue as { errors?: ZodIssue[][] }).errors;
      if (nested && nested.length === 1 && nested[0]) return nested[0].flatMap((n) => mapZodIssue({ ...n, path: [...path, ...n.path] } as ZodIssue, input));
      return [{ path: p, message: issue.message, received: describeValue(received) }];
    }
    // Bounds and formats get our own words: zod/mini carries no message locale (it would say "Invalid input").
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
      const origin = (issue as { origin?: string }).origin;
      const custom = issue.message && issue.message !== 'Invalid input' ? issue.message : undefined;
      const what =
        origin === 'array' || origin === 'string'
          ? `${small ? 'at least' : 'at most'} ${String(bound)} ${origin === 'array' ? 'item' : 'character'}${Number(bound) === 1 ? '' : 's'}`
          : `a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${String(bound)}`;
      return [{ path: p, message: custom ?? `expected ${what}`, expected: what, ...(received !== undefined ? { received: describeValue(received) } : {}) }];
    }
    default: {
      const message = issue.message && issue.message !== 'Invalid input' ? issue.message : `invalid value (${issue.code})`;
      return [{ path: p, message, ...(received !== undefined ? { received: describeValue(received) } : {}) }];
    }
  }
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------- cross-reference validation ----------

function crossValidate(cfg: RouterConfig): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const dupes = (items: readonly { name: string }[], base: string, what: string): Set<string> => {
    const names = new Set<string>();
    items.forEach((it, i) => {
      if (names.has(it.name)) errors.push({ path: `${base}[${i}].name`, message: `duplicate ${what} name ${JSON.stringify(it.name)}` });
      names.add(it.name);
    });
    return names;
  };
  const models = dupes(cfg.providers.models, 'providers.models', 'model');
  const families = Object.keys(cfg.providers.defaults.reasoning_families);
  if (!models.has(cfg.providers.defaults.default_model)) {
    const s = suggest(cfg.providers.defaults.default_model, models);
    errors.push({
      path: 'providers.defaults.default_model',
      message: `unknown model ${JSON.stringify(cfg.providers.defaults.default_model)}`,
      expected: `one of the providers.models names: ${[...models].join(', ')}`,
      ...(s ? { suggestion: s } : {}),
    });
  }
  cfg.providers.models.forEach((m, i) => {
    if (m.reasoning_family !== undefined && !families.includes(m.reasoning_family)) {
      const s = suggest(m.reasoning_family, families);
      errors.push({
        path: `providers.models[${i}].reasoning_family`,
        message: `reasoning family ${JSON.stringify(m.reasoning_family)} is not defined in providers.defaults.reasoning_families`,
        expected: `one of: ${families.join(', ')}`,
        ...(s ? { suggestion: s } : {}),
      });
    }
  });

  const sig = cfg.routing.signals;
  const signalNames: Record<string, Set<string>> = {
    domain: dupes(sig.domains, 'routing.signals.domains', 'domain signal'),
    keyword: dupes(sig.keywords, 'routing.signals.keywords', 'keyword signal'),
    jailbreak: dupes(sig.jailbreak, 'routing.signals.jailbreak', 'jailbreak signal'),
    pii: dupes(sig.pii, 'routing.signals.pii', 'pii signal'),
    context: dupes(sig.context, 'routing.signals.context', 'context signal'),
    exemplar: dupes(sig.exemplars, 'routing.signals.exemplars', 'exemplar signal'),
  };
  const plural: Record<string, string> = { domain: 'domains', keyword: 'keywords', jailbreak: 'jailbreak', pii: 'pii', context: 'context', exemplar: 'exemplars' };
  sig.context.forEach((c, i) => {
    if (c.max_tokens !== undefined && c.max_tokens < c.min_tokens) {
      errors.push({ path: `routing.signals.context[${i}].max_tokens`, message: `max_tokens (${c.max_tokens}) is below min_tokens (${c.min_tokens})` });
    }
  });
  sig.keywords.forEach((k, i) => {
    k.keywords.forEach((kw, j) => {
      const problem = keywordProblem(kw);
      if (problem) errors.push({ path: `routing.signals.keywords[${i}].keywords[${j}]`, message: problem });
    });
  });

  dupes(cfg.routing.decisions, 'routing.decisions', 'decision');
  cfg.routing.decisions.forEach((d, i) => {
    const base = `routing.decisions[${i}]`;
    d.modelRefs.forEach((r, j) => {
      if (!models.has(r.model)) {
        const s = suggest(r.model, models);
        errors.push({
          path: `${base}.modelRefs[${j}].model`,
          message: `unknown model ${JSON.stringify(r.model)}`,
          expected: `one of the providers.models names: ${[...models].join(', ')}`,
          ...(s ? { suggestion: s } : {}),
        });
      }
    });
    const walk = (node: RuleNode, p: string): void => {
      if ('operator' in node) {
        node.conditions.forEach((c, k) => walk(c, `${p}.conditions[${k}]`));
        return;
      }
      const names = signalNames[node.type]!;
      if (!names.has(node.name)) {
        const s = suggest(node.name, names);
        errors.push({
          path: `${p}.name`,
          message: `no ${node.type} signal named ${JSON.stringify(node.name)} in routing.signals.${plural[node.type]}`,
          expected: names.size ? `one of: ${[...names].join(', ')}` : `a routing.signals.${plural[node.type]} entry`,
          ...(s ? { suggestion: s } : {}),
        });
      }
    };
    walk(d.rules, `${base}.rules`);
    if (d.algorithm && !(SELECTION_ALGORITHMS as readonly string[]).includes(d.algorithm.type)) {
      warnings.push({
        path: `${base}.algorithm.type`,
        message: `selection algorithm ${JSON.stringify(d.algorithm.type)} is not implemented by semroute; using \`static\` (first modelRef)`,
        expected: `one of: ${SELECTION_ALGORITHMS.join(', ')}`,
      });
    }
    const types = d.plugins.map((p) => p.type);
    types.forEach((t, j) => {
      if (types.indexOf(t) !== j && t !== 'header_mutation') errors.push({ path: `${base}.plugins[${j}].type`, message: `plugin ${t} appears twice in this decision` });
    });
  });
  piiRecognizerIssues(cfg.global.classifier.pii, errors);
  return { errors, warnings };
}

/** `global.classifier.pii`: custom recognizers compile (linear-time regexes) and have new names; switches name known recognizers. */
function piiRecognizerIssues(pii: RouterConfig['global']['classifier']['pii'], errors: ConfigIssue[]): void {
  const base = 'global.classifier.pii';
  const builtIn = [...BUILTIN_PII_RECOGNIZER_NAMES, ...MODEL_FILE_PII_RECOGNIZER_NAMES];
  const known = new Set(builtIn);
  pii.custom_recognizers.forEach((c, i) => {
    const at = `${base}.custom_recognizers[${i}]`;
    if (known.has(c.name)) {
      errors.push({
        path: `${at}.name`,
        message: builtIn.includes(c.name) ? `${JSON.stringify(c.name)} is a built-in PII recognizer` : `a custom PII recognizer named ${JSON.stringify(c.name)} comes earlier`,
        expected: 'a name no other recognizer has (switch a built-in off under global.classifier.pii.recognizers instead of replacing it)',
      });
    }
    known.add(c.name);
    for (const p of customRecognizerProblems(c)) errors.push({ path: `${at}.${p.path}`, message: p.message });
  });
  for (const name of Object.keys(pii.recognizers)) {
    if (known.has(name)) continue;
    const s = suggest(name, known);
    errors.push({
      path: joinPath(`${base}.recognizers`, name),
      message: `unknown PII recognizer ${JSON.stringify(name)}`,
      expected: `a built-in recognizer (${builtIn.join(', ')}) or a custom_recognizers name`,
      ...(s ? { suggestion: s } : {}),
    });
  }
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Obj)[k]);
  }
  return v;
}
