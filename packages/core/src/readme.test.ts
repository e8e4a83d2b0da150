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

describe('parity wording in the READMEs', () => {
  // Cross-runtime parity is tested as: identical decisions on the parity prompts, logits within a tolerance. Scores
  // are not bit-identical, so a near-tie can be decided differently: no README may promise more than that.
  const root = new URL('../../../', import.meta.url);
  const files = ['README.md', 'deploy/README.md', 'packages/core/README.md', 'packages/node-adapter/README.md', 'packages/web-demo/README.md', 'packages/edge-examples/README.md'];
  it.each(files)('%s does not claim that runtimes decide identically', (f) => {
    const text = readFileSync(new URL(f, root), 'utf8').replace(/\s+/g, ' ');
    expect(text).not.toMatch(/decides? identically|the same decisions(?! as Node on)|always decide the same/i);
  });
  it('the root README states what the parity tests check', () => {
    const text = readFileSync(new URL('README.md', root), 'utf8').replace(/\s+/g, ' ');
    expect(text).toMatch(/identical decisions on the parity set/);
    expect(text).toMatch(/logits within a tolerance/);
    expect(text).toMatch(/nearly tied can be decided differently/);
  });
});
