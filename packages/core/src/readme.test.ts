import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../bench/readme-example.ts', import.meta.url), 'utf8');

describe('README "Decision core" worked example', () => {
  const section = readme.slice(readme.indexOf('### Worked example'));
  it('shows the code of bench/readme-example.ts verbatim', () => {
    expect(section).toContain('```ts\n' + example + '```');
  });
  it('shows the output the example actually prints', () => {
    const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'bench/readme-example.ts'], { cwd: pkg, encoding: 'utf8' });
    expect(section).toContain('Output:\n\n```text\n' + out + '```');
  });
});
