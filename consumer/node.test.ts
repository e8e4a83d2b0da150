/**
 * Node: `npm i` of the three tarballs in a fresh folder outside the workspace, then the README's Node snippet saved as
 * an .mjs file prints a decision made with the model found through `@semroute/model-mini`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { duBytes, npmInstall, differsFromReadme, readmeSnippet, run } from './shared.js';

const work = inject('consumerWork');
const tarballs = inject('tarballs');
const app = join(work, 'node-app');

describe('Node consumer (npm i @semroute/node-adapter, the model package, the core)', () => {
  beforeAll(() => {
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'node-app', private: true, type: 'module' }));
    npmInstall(app, [tarballs['@semroute/core']!, tarballs['@semroute/model-mini']!, tarballs['@semroute/node-adapter']!]);
    console.log(`node consumer install: ${(duBytes(join(app, 'node_modules')) / 2 ** 20).toFixed(0)} MiB in node_modules`);
  });

  it("runs the README's Node snippet verbatim and prints what the README says", () => {
    writeFileSync(join(app, 'snippet.mjs'), readmeSnippet('node'));
    const out = run(process.execPath, ['snippet.mjs'], app, { ...process.env, SEMROUTE_MODEL_DIR: '' });
    expect(differsFromReadme(out)).toEqual([]);
  });

  it('finds the model in the installed @semroute/model-mini, not inside the workspace', () => {
    const out = run(process.execPath, ['--input-type=module', '-e', "import { resolveModelLocation } from '@semroute/node-adapter'; console.log(JSON.stringify(resolveModelLocation(undefined)))"], app, { ...process.env, SEMROUTE_MODEL_DIR: '' });
    expect(JSON.parse(out)).toEqual({ kind: 'dir', path: join(app, 'node_modules', '@semroute', 'model-mini') });
  });

  it('runs the installed CLI', () => {
    const out = run(join(app, 'node_modules', '.bin', 'semroute'), ['classify', 'Find all real solutions of x^2 - 5x + 6 = 0'], app, { ...process.env, SEMROUTE_MODEL_DIR: '' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toMatchObject({ category: 'math', model: 'qwen3-32b', useReasoning: true });
  });

  it('loads the server model by name once @semroute/model-plus is installed too', () => {
    npmInstall(app, [tarballs['@semroute/model-plus']!]);
    const out = run(join(app, 'node_modules', '.bin', 'semroute'), ['classify', '--model', '@semroute/model-plus', 'can you explain how compound interest works on my savings account'], app, { ...process.env, SEMROUTE_MODEL_DIR: '' });
    const d = JSON.parse(out.trim().split('\n').at(-1)!) as { backend: string; categoryScores: Record<string, number> };
    expect(d.backend).toBe('cpu');
    expect(d.categoryScores.business! + d.categoryScores.economics!).toBeGreaterThan(0.5);
  });
});
