import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_CONFIG_DATA } from './default-config-data.js';
import { DEFAULT_CONFIG_YAML, defaultConfig } from './default-config.js';
import { parseConfig } from './parse.js';

const MMLU = ['biology', 'business', 'chemistry', 'computer science', 'economics', 'engineering', 'health', 'history', 'law', 'math', 'other', 'philosophy', 'physics', 'psychology'];

describe('default config', () => {
  it('the exported text equals config/default.yaml (regenerate: node bench/gen-default-config.mjs)', () => {
    const file = readFileSync(new URL('../../config/default.yaml', import.meta.url), 'utf8');
    expect(DEFAULT_CONFIG_YAML).toBe(file);
  });

  it('the generated data equals the YAML parsed (regenerate: node bench/gen-default-config.mjs)', () => {
    expect(DEFAULT_CONFIG_DATA).toEqual(parse(DEFAULT_CONFIG_YAML, { uniqueKeys: true }));
  });

  it('defaultConfig() (validated from the data, no YAML parser) equals parseConfig of the YAML text', () => {
    const r = parseConfig(DEFAULT_CONFIG_YAML, { format: 'yaml', filename: 'default.yaml' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(defaultConfig()).toStrictEqual(r.config);
  });

  it('parses without errors or warnings', () => {
    const r = parseConfig(DEFAULT_CONFIG_YAML);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings).toEqual([]);
  });

  it('routes all 14 MMLU-Pro categories, reasoning on exactly for the STEM five', () => {
    const c = defaultConfig();
    expect(c.routing.signals.domains.map((d) => d.name)).toEqual(MMLU);
    const reasoning = c.routing.decisions.filter((d) => d.modelRefs.some((r) => r.use_reasoning)).map((d) => d.name).sort();
    expect(reasoning).toEqual(['chemistry_decision', 'computer_science_decision', 'engineering_decision', 'math_decision', 'physics_decision']);
    expect(c.providers.models.every((m) => m.backend_refs[0]!.endpoint === '127.0.0.1:8802')).toBe(true);
    expect(c.global.prompt_guard.enabled).toBe(true);
  });
});
