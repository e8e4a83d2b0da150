import { describe, expect, it } from 'vitest';
import { splitConfig } from './settings.js';

describe('server section', () => {
  it('strips and validates `server:`', () => {
    const s = splitConfig('server:\n  port: 9000\n  trust_client_hints: routing\nproviders: {}\n');
    expect(s.server).toEqual({ port: 9000, trustClientHints: 'routing' });
    expect(s.core).toEqual({ providers: {} });
    expect(s.issues).toEqual([]);
  });
  it('reports bad keys with paths and choices', () => {
    const s = splitConfig('server:\n  prot: 1\n  trust_client_hints: all\n');
    expect(s.issues.map((i) => i.path)).toEqual(['server.prot', 'server.trust_client_hints']);
    expect(s.issues[1]!.expected).toContain('none, routing');
  });
  it('leaves documents without `server:` (and broken YAML) to the core as text', () => {
    expect(splitConfig('providers: {}\n').core).toBe('providers: {}\n');
    expect(splitConfig('a: [\n').core).toBe('a: [\n');
  });
});
