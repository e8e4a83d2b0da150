import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError } from '../errors.js';
import { formatConfigIssues, suggest, editDistance } from './issues.js';
import { loadConfigOrThrow, parseConfig } from './parse.js';
import { defaultConfig } from './default-config.js';

const MINIMAL = `
providers:
  defaults: {default_model: small}
  models:
    - {name: small, reasoning_family: qwen3}
    - {name: big, reasoning_family: qwen3}
routing:
  signals:
    domains: [{name: math, mmlu_categories: [math]}]
  decisions:
    - name: math_route
      priority: 10
      rules: {operator: AND, conditions: [{type: domain, name: math}]}
      modelRefs: [{model: big, use_reasoning: true}]
`;

function errorsOf(src: unknown) {
  const r = parseConfig(src);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

describe('parseConfig: valid input', () => {
  it('parses YAML with defaults filled and the result deeply frozen', () => {
    const r = parseConfig(MINIMAL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.config;
    expect(c.routing.strategy).toBe('priority');
    expect(c.global.classifier.domain).toEqual({ threshold: 0.4, fallback_category: 'other' });
    expect(c.global.conversation.max_prior_user_turns).toBe(2);
    expect(c.providers.defaults.reasoning_families.qwen3).toEqual({ type: 'chat_template_kwargs', parameter: 'enable_thinking' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.routing.decisions[0]!.modelRefs[0])).toBe(true);
  });

  it('parses JSON text and plain objects', () => {
    const obj = { providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] } };
    expect(parseConfig(JSON.stringify(obj)).ok).toBe(true);
    expect(parseConfig(obj).ok).toBe(true);
    expect(parseConfig(JSON.stringify(obj), { filename: 'x.json' }).ok).toBe(true);
  });

  it('accepts token counts like "4K" for context signals', () => {
    const r = parseConfig({
      providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
      routing: { signals: { context: [{ name: 'long', min_tokens: '4K', max_tokens: '1M' }] } },
    });
    expect(r.ok && r.config.routing.signals.context[0]).toMatchObject({ min_tokens: 4000, max_tokens: 1_000_000 });
  });

  it('accepts vSR global.model_catalog.modules spelling', () => {
    const r = parseConfig({
      providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
      global: {
        model_catalog: {
          modules: {
            prompt_guard: { enabled: true, threshold: 0.6, model_id: 'models/jb', use_cpu: true },
            classifier: { domain: { threshold: 0.4, fallback_category: 'general' }, pii: { threshold: 0.9 } },
            semantic_cache: { enabled: true },
          },
        },
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.global.prompt_guard).toEqual({ enabled: true, threshold: 0.6 });
    expect(r.config.global.classifier.domain).toEqual({ threshold: 0.4, fallback_category: 'general' });
    expect(r.config.global.classifier.pii.threshold).toBe(0.9);
    expect(r.warnings.map((w) => w.path)).toEqual(expect.arrayContaining(['global.model_catalog.modules.semantic_cache', 'global.prompt_guard.model_id']));
  });

  it('accepts top-level `conversation` as global.conversation', () => {
    const r = parseConfig({ providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] }, conversation: { max_prior_user_turns: 5 } });
    expect(r.ok && r.config.global.conversation.max_prior_user_turns).toBe(5);
  });

  it('maps vSR embeddings signals and `embedding` conditions to exemplars', () => {
    const r = parseConfig({
      providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
      routing: {
        signals: { embeddings: [{ name: 'support', candidates: ['reset my password'], threshold: 0.8, aggregation_method: 'mean' }] },
        decisions: [{ name: 'd', rules: { operator: 'OR', conditions: [{ type: 'embedding', name: 'support' }] } }],
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.routing.signals.exemplars[0]).toMatchObject({ name: 'support', examples: ['reset my password'], threshold: 0.8, aggregation: 'mean' });
    expect(r.config.routing.decisions[0]!.rules).toEqual({ operator: 'OR', conditions: [{ type: 'exemplar', name: 'support' }] });
  });

  it('ignores unsupported vSR plugins with a warning', () => {
    const r = parseConfig({
      providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
      routing: {
        signals: { domains: [{ name: 'law' }] },
        decisions: [{ name: 'd', rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'law' }] }, plugins: [{ type: 'semantic-cache', configuration: { enabled: true } }] }],
      },
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings[0]!.path).toBe('routing.decisions[0].plugins[0]');
  });

  it('keeps user reasoning families next to the built-in ones', () => {
    const r = parseConfig({
      providers: { defaults: { default_model: 'a', reasoning_families: { custom: { type: 'top_level_reasoning_effort', parameter: 'effort' } } }, models: [{ name: 'a', reasoning_family: 'custom' }] },
    });
    expect(r.ok && Object.keys(r.config.providers.defaults.reasoning_families)).toEqual(expect.arrayContaining(['qwen3', 'deepseek', 'gpt-oss', 'gpt', 'mistral', 'custom']));
  });
});

describe('parseConfig: errors name the path, expectation and a suggestion', () => {
  it('reports an unknown key with an edit-distance suggestion', () => {
    const src = MINIMAL.replace('use_reasoning: true', 'use_reasonng: true');
    const errs = errorsOf(src);
    expect(errs).toEqual([expect.objectContaining({ path: 'routing.decisions[0].modelRefs[0].use_reasonng', message: 'unknown key', suggestion: 'use_reasoning' })]);
    expect(formatConfigIssues(errs)).toBe('routing.decisions[0].modelRefs[0].use_reasonng: unknown key — did you mean `use_reasoning`?');
  });

  it('suggests enum values', () => {
    const errs = errorsOf(MINIMAL.replace('type: domain', 'type: domian'));
    expect(errs[0]).toMatchObject({ path: 'routing.decisions[0].rules.conditions[0].type', suggestion: 'domain' });
    expect(errs[0]!.expected).toContain('keyword');
  });

  it('suggests inside rule trees and plugin configurations (per plugin type), one issue per typo', () => {
    const base = (decision: unknown) => ({ providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] }, routing: { signals: { domains: [{ name: 'law' }] }, decisions: [decision] } });
    const rules = { operator: 'AND', conditions: [{ type: 'domain', name: 'law' }] };
    expect(formatConfigIssues(errorsOf(base({ name: 'd', rules: { operator: 'AND', conditons: rules.conditions } })))).toBe(
      'routing.decisions[0].rules.conditons: unknown key — did you mean `conditions`?',
    );
    expect(formatConfigIssues(errorsOf(base({ name: 'd', rules: { operator: 'AND', conditions: [{ type: 'domain', nme: 'law' }] } })))).toBe(
      'routing.decisions[0].rules.conditions[0].nme: unknown key — did you mean `name`?',
    );
    expect(formatConfigIssues(errorsOf(base({ name: 'd', rules, plugins: [{ type: 'system_prompt', configuration: { system_prompt: 'x', mdoe: 'insert' } }] })))).toBe(
      'routing.decisions[0].plugins[0].configuration.mdoe: unknown key — did you mean `mode`?',
    );
    expect(errorsOf(base({ name: 'd', rules, plugins: [{ type: 'pii', configuration: { action: 'redcat' } }] }))[0]).toMatchObject({ suggestion: 'redact' });
    expect(errorsOf(base({ name: 'd', rules: { operator: 'AND', conditions: [] } }))[0]!.path).toBe('routing.decisions[0].rules.conditions');
  });

  it('reports unknown top-level and nested keys', () => {
    const errs = errorsOf(MINIMAL + 'globl: {}\n');
    expect(errs[0]).toMatchObject({ path: 'globl', suggestion: 'global' });
  });

  it('reports missing required keys and wrong types', () => {
    const errs = errorsOf({ providers: { defaults: {}, models: [{ name: 3 }] } });
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'providers.defaults.default_model', message: 'missing required key' }),
        expect.objectContaining({ path: 'providers.models[0].name' }),
      ]),
    );
  });

  it('reports unknown plugin types with a suggestion', () => {
    const errs = errorsOf({
      providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] },
      routing: { signals: { domains: [{ name: 'law' }] }, decisions: [{ name: 'd', rules: { operator: 'OR', conditions: [{ type: 'domain', name: 'law' }] }, plugins: [{ type: 'system_promt', configuration: {} }] }] },
    });
    expect(errs[0]).toMatchObject({ path: 'routing.decisions[0].plugins[0].type', suggestion: 'system_prompt' });
  });

  it('validates cross references with paths', () => {
    const errs = errorsOf(`
providers:
  defaults: {default_model: smal}
  models:
    - {name: small, reasoning_family: qwen}
routing:
  signals:
    keywords: [{name: urgent, keywords: [asap]}]
  decisions:
    - name: d
      rules: {operator: OR, conditions: [{type: keyword, name: urgnet}, {operator: NOT, conditions: [{type: domain, name: math}]}]}
      modelRefs: [{model: big}]
`);
    const byPath = Object.fromEntries(errs.map((e) => [e.path, e]));
    expect(byPath['providers.defaults.default_model']).toMatchObject({ suggestion: 'small' });
    expect(byPath['providers.models[0].reasoning_family']).toMatchObject({ suggestion: 'qwen3' });
    expect(byPath['routing.decisions[0].rules.conditions[0].name']).toMatchObject({ suggestion: 'urgent' });
    expect(byPath['routing.decisions[0].rules.conditions[1].conditions[0].name']).toBeDefined();
    expect(byPath['routing.decisions[0].modelRefs[0].model']).toBeDefined();
  });

  it('rejects duplicate names, bad token bands and unsafe keyword patterns', () => {
    const errs = errorsOf({
      providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }, { name: 'a' }] },
      routing: {
        signals: {
          context: [{ name: 'c', min_tokens: 100, max_tokens: 10 }],
          keywords: [{ name: 'k', keywords: ['(a)\\1'] }, { name: 'l', keywords: ['(?=x)y'] }],
        },
      },
    });
    const paths = errs.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['providers.models[1].name', 'routing.signals.context[0].max_tokens', 'routing.signals.keywords[0].keywords[0]', 'routing.signals.keywords[1].keywords[0]']),
    );
  });

  it('reports YAML syntax errors with a position', () => {
    const errs = errorsOf('providers:\n  defaults: {default_model: a\n');
    expect(errs[0]!.message).toMatch(/invalid YAML/);
    expect(errorsOf('{"a": ')[0]!.message).toMatch(/invalid JSON/);
    expect(errorsOf('a: 1\na: 2\n')[0]!.message).toMatch(/invalid YAML/);
  });

  it('rejects non-objects at the root', () => {
    for (const v of [null, 42, 'just a string', [], true]) expect(parseConfig(v).ok).toBe(false);
  });

  it('rejects vSR signal kinds semroute does not implement', () => {
    const errs = errorsOf({ providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] }, routing: { signals: { language: [] } } });
    expect(errs[0]).toMatchObject({ path: 'routing.signals.language' });
  });

  it('loadConfigOrThrow throws a ConfigError carrying the issues', () => {
    try {
      loadConfigOrThrow('providers: 3');
      expect.unreachable();
    } catch (e) {
      expect(ConfigError.isError(e)).toBe(true);
      expect((e as ConfigError).issues[0]!.path).toBe('providers');
    }
    expect(loadConfigOrThrow(MINIMAL).providers.models).toHaveLength(2);
  });
});

describe('legacy flat format', () => {
  const LEGACY = `
bert_model: {model_id: sentence-transformers/all-MiniLM-L12-v2, threshold: 0.6}
default_model: qwen3-8b
default_reasoning_effort: high
reasoning_families:
  qwen3: {type: chat_template_kwargs, parameter: enable_thinking}
prompt_guard: {enabled: true, threshold: 0.65, model_id: models/jb, use_cpu: true}
classifier:
  category_model: {model_id: models/cat, threshold: 0.6, use_cpu: true}
  pii_model: {model_id: models/pii, threshold: 0.8}
vllm_endpoints:
  - {name: ep1, address: 127.0.0.1, port: 8000, models: [qwen3-8b, qwen3-32b], weight: 1}
model_config:
  qwen3-8b: {reasoning_family: qwen3, preferred_endpoints: [ep1]}
  qwen3-32b:
    reasoning_family: qwen3
    pii_policy: {allow_by_default: false, pii_types_allowed: [EMAIL_ADDRESS]}
categories:
  - name: math
    system_prompt: You are a mathematician.
    model_scores:
      - {model: qwen3-8b, score: 0.6, use_reasoning: false}
      - {model: qwen3-32b, score: 0.9, use_reasoning: true}
  - name: history
    model_scores: [{model: qwen3-8b, score: 0.8}]
keyword_rules:
  - {category: urgent, operator: OR, keywords: [urgent, asap]}
`;
  it('converts to the v0.3 layout with a warning', () => {
    const r = parseConfig(LEGACY);
    if (!r.ok) throw new Error(formatConfigIssues(r.errors));
    const c = r.config;
    expect(r.warnings[0]!.message).toMatch(/legacy/);
    expect(c.providers.defaults).toMatchObject({ default_model: 'qwen3-8b', default_reasoning_effort: 'high' });
    expect(c.global.prompt_guard).toEqual({ enabled: true, threshold: 0.65 });
    expect(c.global.classifier.domain.threshold).toBe(0.6);
    expect(c.global.classifier.pii.threshold).toBe(0.8);
    const math = c.routing.decisions.find((d) => d.name === 'math')!;
    expect(math.modelRefs.map((m) => m.model)).toEqual(['qwen3-32b', 'qwen3-8b']);
    expect(math.modelRefs[0]!.use_reasoning).toBe(true);
    expect(math.plugins[0]).toMatchObject({ type: 'system_prompt', configuration: { system_prompt: 'You are a mathematician.' } });
    const m32 = c.providers.models.find((m) => m.name === 'qwen3-32b')!;
    expect(m32.pii_types_allowed).toEqual(['EMAIL_ADDRESS']);
    expect(m32.backend_refs[0]).toMatchObject({ name: 'ep1', endpoint: '127.0.0.1:8000' });
    expect(c.routing.signals.keywords[0]).toMatchObject({ name: 'urgent', keywords: ['urgent', 'asap'] });
    expect(c.routing.decisions.find((d) => d.name === 'urgent')).toBeDefined();
  });
  it('reports unknown legacy keys with suggestions', () => {
    const errs = errorsOf(LEGACY.replace('system_prompt:', 'system_promt:'));
    expect(errs[0]).toMatchObject({ path: 'categories[0].system_promt', suggestion: 'system_prompt' });
  });
});

describe('suggestions', () => {
  it('edit distance handles transpositions', () => {
    expect(editDistance('use_reasoning', 'use_reasonign')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(suggest('promt', ['prompt', 'priority'])).toBe('prompt');
    expect(suggest('zzzzzz', ['prompt', 'priority'])).toBeUndefined();
  });
});

describe('properties: random and mutated configs never throw', () => {
  const base = defaultConfig();
  const json = JSON.parse(JSON.stringify(base)) as unknown;

  /** Paths of every node of a JSON value. */
  function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(prefix);
    if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
    return out;
  }
  const allPaths = paths(json).filter((p) => p.length > 0);
  const junk = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));

  it('mutations yield ok or errors that all have string paths; never exceptions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(allPaths.length - 1), fc.oneof(junk, fc.constant('__delete__'), fc.constant('__rename__'))), { minLength: 1, maxLength: 4 }), (muts) => {
        const cfg = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
        for (const [i, val] of muts) {
          const p = allPaths[i]!;
          let parent: Record<string | number, unknown> = cfg;
          for (const seg of p.slice(0, -1)) {
            const next = parent?.[seg];
            if (!next || typeof next !== 'object') return;
            parent = next as Record<string | number, unknown>;
          }
          const last = p[p.length - 1]!;
          if (val === '__delete__') delete parent[last];
          else if (val === '__rename__' && typeof last === 'string') {
            parent[`${last}x`] = parent[last];
            delete parent[last];
          } else parent[last] = val;
        }
        const r = parseConfig(cfg);
        if (!r.ok) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) {
            expect(typeof e.path).toBe('string');
            expect(typeof e.message).toBe('string');
          }
          expect(typeof formatConfigIssues(r.errors)).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary JSON values and strings never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string()), (v) => {
        const r = parseConfig(v);
        if (!r.ok) expect(r.errors.every((e) => typeof e.path === 'string')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('treats a __proto__ key as an unknown key (no prototype games)', () => {
    const errs = errorsOf(JSON.parse('{"providers": {"defaults": {"default_model": "a"}, "models": [{"name": "a"}]}, "__proto__": {"x": 1}}'));
    expect(errs[0]).toMatchObject({ path: '__proto__', message: 'unknown key' });
    expect(errorsOf('providers: {defaults: {default_model: a}, models: [{name: a}]}\n__proto__: {x: 1}\n')[0]!.message).toBe('unknown key');
  });

  it('rejects cycles and functions without throwing', () => {
    const a: Record<string, unknown> = { providers: { defaults: { default_model: 'a' }, models: [{ name: 'a' }] } };
    a.self = a;
    expect(parseConfig(a).ok).toBe(false);
    expect(parseConfig({ providers: () => 1 }).ok).toBe(false);
  });
});
