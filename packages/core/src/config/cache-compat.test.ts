import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse.js';

const BASE = `
providers:
  defaults: {default_model: small}
  models: [{name: small}]
routing:
  signals: {domains: [{name: math}]}
  decisions:
    - name: math_route
      rules: {operator: OR, conditions: [{type: domain, name: math}]}
      modelRefs: [{model: small}]
      plugins: PLUGINS
`;
const withPlugins = (plugins: string, extra = '') => BASE.replace('PLUGINS', plugins) + extra;

function ok(src: string) {
  const r = parseConfig(src);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('response cache config (vSR keys)', () => {
  it('reads global.stores.response_cache and the response_cache plugin, with defaults', () => {
    const r = ok(
      withPlugins(
        '[{type: response_cache, configuration: {enabled: true, semantic: {similarity_threshold: 0.9}}}]',
        `global:
  stores:
    response_cache:
      enabled: true
      backend_type: redis
      similarity_threshold: 0.8
      max_entries: 500
      ttl_seconds: 60
      eviction_policy: fifo
      redis: {address: "10.0.0.5:6380", db: 2, password_env: REDIS_PASSWORD, key_prefix: "sr:"}
`,
      ),
    );
    const c = r.config.global.stores.response_cache;
    expect(c).toMatchObject({ enabled: true, backend_type: 'redis', similarity_threshold: 0.8, max_entries: 500, ttl_seconds: 60, eviction_policy: 'fifo' });
    expect(c.redis).toMatchObject({ address: '10.0.0.5:6380', db: 2, password_env: 'REDIS_PASSWORD', key_prefix: 'sr:' });
    expect(c.scope_headers).toEqual(['authorization']);
    expect(c.pii_types_allowed).toContain('GPE');
    expect(r.config.routing.decisions[0]!.plugins[0]).toEqual({ type: 'response_cache', configuration: { enabled: true, semantic: { similarity_threshold: 0.9 } } });
    expect(r.warnings).toEqual([]);
  });

  it('is off by default', () => {
    expect(ok(withPlugins('[]')).config.global.stores.response_cache.enabled).toBe(false);
  });

  it('converts the old `semantic-cache` plugin and the top-level `semantic_cache` block, with warnings', () => {
    const r = ok(
      withPlugins(
        '[{type: semantic-cache, configuration: {enabled: true, similarity_threshold: 0.95}}]',
        `semantic_cache:
  enabled: true
  backend_type: memory
  similarity_threshold: 0.85
  max_entries: 1000
  ttl_seconds: 3600
  eviction_policy: lfu
  embedding_model: bert
  use_hnsw: true
`,
      ),
    );
    expect(r.config.routing.decisions[0]!.plugins[0]).toEqual({ type: 'response_cache', configuration: { enabled: true, semantic: { similarity_threshold: 0.95 } } });
    expect(r.config.global.stores.response_cache).toMatchObject({ enabled: true, similarity_threshold: 0.85, max_entries: 1000, eviction_policy: 'lru' });
    const paths = r.warnings.map((w) => w.path);
    expect(paths).toEqual(expect.arrayContaining(['semantic_cache', 'semantic_cache.embedding_model', 'semantic_cache.use_hnsw', 'semantic_cache.eviction_policy', 'routing.decisions[0].plugins[0]']));
  });

  it('converts the legacy flat format: semantic_cache block and per-category switches', () => {
    const r = ok(`
default_model: m
semantic_cache: {enabled: true, similarity_threshold: 0.9}
categories:
  - name: math
    semantic_cache_enabled: true
    semantic_cache_similarity_threshold: 0.97
    model_scores: [{model: m, score: 1}]
`);
    expect(r.config.global.stores.response_cache).toMatchObject({ enabled: true, similarity_threshold: 0.9 });
    expect(r.config.routing.decisions[0]!.plugins).toEqual([{ type: 'response_cache', configuration: { enabled: true, semantic: { similarity_threshold: 0.97 } } }]);
  });

  it('bad values get a path and what is expected', () => {
    const r = parseConfig(withPlugins('[]', 'global: {stores: {response_cache: {backend_type: milvus, similarity_threshold: 2}}}\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['global.stores.response_cache.backend_type', 'global.stores.response_cache.similarity_threshold']));
    const both = parseConfig(withPlugins('[]', 'semantic_cache: {enabled: true}\nglobal: {stores: {response_cache: {enabled: true}}}\n'));
    expect(both.ok).toBe(false);
    if (!both.ok) expect(both.errors[0]!.message).toMatch(/defined twice/);
  });
});
