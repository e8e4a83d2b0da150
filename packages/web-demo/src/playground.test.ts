// Unit tests of the playground's pure helpers (the UI itself is tested in e2e/playground*.spec.ts).
import { DEFAULT_CONFIG_YAML } from '@semroute/core';
import { describe, expect, it } from 'vitest';
import { checkConfig, splitPath } from './config-check.js';
import { parsePrompts } from './ui/batch.js';
import { asciiJson } from './ui/send.js';

describe('parsePrompts', () => {
  it('reads plain lines, JSONL fields, messages and quoted strings; skips blank lines', () => {
    const text = [
      'plain prompt',
      '',
      '{"prompt": "from prompt"}',
      '{"text": "from text"}',
      '{"question": "from question"}',
      '{"messages": [{"role": "user", "content": "first"}, {"role": "assistant", "content": "x"}, {"role": "user", "content": "last user"}]}',
      '"quoted \\"string\\""',
      '{not json at all',
    ].join('\n');
    expect(parsePrompts(text)).toEqual(['plain prompt', 'from prompt', 'from text', 'from question', 'last user', 'quoted "string"', '{not json at all']);
  });
});

describe('asciiJson', () => {
  it('escapes every non-ASCII character so the value is a valid HTTP header', () => {
    const s = asciiJson({ decision: 'ümlaut', emoji: '🙂' });
    expect(s).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(s)).toEqual({ decision: 'ümlaut', emoji: '🙂' });
  });
});

describe('config check', () => {
  it('accepts the default config', () => {
    const r = checkConfig(DEFAULT_CONFIG_YAML);
    expect(r.ok).toBe(true);
  });

  it('locates a bad value by its path and line', () => {
    const text = DEFAULT_CONFIG_YAML.replace('priority: 1000', 'priority: high');
    const r = checkConfig(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const issue = r.issues.find((i) => i.path.includes('priority'));
    expect(issue?.path).toBe('routing.decisions[0].priority');
    const line = text.split('\n').findIndex((l) => l.includes('priority: high')) + 1;
    expect(issue?.line).toBe(line);
  });

  it('reports a YAML syntax error with its line', () => {
    const r = checkConfig('routing:\n  decisions: [unclosed\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.line).toBeGreaterThan(0);
  });

  it('splits config paths', () => {
    expect(splitPath('routing.decisions[2].modelRefs[0].use_reasoning')).toEqual(['routing', 'decisions', 2, 'modelRefs', 0, 'use_reasoning']);
    expect(splitPath('a["b c"].d')).toEqual(['a', 'b c', 'd']);
  });
});
