/**
 * Global set-up of the consumer tests: packs every published package with `pnpm pack` (workspace versions
 * substituted, `files` applied) into a fresh folder under the OS temp dir, outside the workspace.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PUBLISHED, ROOT, run } from './shared.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Temp folder: `tarballs/` (one .tgz per published package) and the consumer projects. */
    consumerWork: string;
    /** npm name → tarball path. */
    tarballs: Record<string, string>;
  }
}

export default function setup(project: TestProject): () => void {
  for (const dir of ['packages/core', 'packages/node-adapter']) {
    if (!existsSync(join(ROOT, dir, 'dist', 'index.js'))) throw new Error(`${dir}/dist is missing: run \`pnpm -r run build\` before the consumer tests`);
  }
  const work = mkdtempSync(join(tmpdir(), 'semroute-consumer-'));
  const out = join(work, 'tarballs');
  mkdirSync(out);
  // The pnpm that scripts/bootstrap.mjs uses (SEMROUTE_PNPM), the one that started us (a script or pnpm 12's
  // single executable), else the one on PATH.
  const execPath = process.env.npm_execpath;
  const pnpm: string[] = process.env.SEMROUTE_PNPM
    ? (JSON.parse(process.env.SEMROUTE_PNPM) as string[])
    : execPath?.includes('pnpm')
      ? /\.[cm]?js$/.test(execPath) ? [process.execPath, execPath] : [execPath]
      : ['pnpm'];
  const tarballs: Record<string, string> = {};
  try {
    for (const [dir, name] of Object.entries(PUBLISHED)) {
      const before = new Set(readdirSync(out));
      run(pnpm[0]!, [...pnpm.slice(1), 'pack', '--pack-destination', out], join(ROOT, dir), process.env);
      const made = readdirSync(out).filter((f) => !before.has(f));
      if (made.length !== 1) throw new Error(`pnpm pack in ${dir} made ${made.length} files (${made.join(', ')})`);
      tarballs[name] = join(out, made[0]!);
    }
  } catch (e) {
    rmSync(work, { recursive: true, force: true }); // no teardown runs when set-up fails
    throw e;
  }
  project.provide('consumerWork', work);
  project.provide('tarballs', tarballs);
  return () => {
    if (!process.env.SEMROUTE_KEEP_CONSUMER) rmSync(work, { recursive: true, force: true });
  };
}
