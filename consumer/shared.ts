/**
 * What the consumer tests share: where the workspace is, the packages that are published, running commands, and the
 * README's library snippets (run verbatim, so the tests fail when the README drifts from the packages).
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The published packages: folder in the repository → npm name. */
export const PUBLISHED = Object.freeze({
  'packages/core': '@semroute/core',
  'packages/node-adapter': '@semroute/node-adapter',
  'models/semroute-mini': '@semroute/model-mini',
  'models/semroute-plus': '@semroute/model-plus',
} as const);
export type PackageName = (typeof PUBLISHED)[keyof typeof PUBLISHED];

/** npm install that works from the npm registry alone (or its local cache): no onnxruntime-node download. */
export const INSTALL_ENV = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' };

/** Runs a command; on failure the error carries its output (what failed and why, not just an exit code). */
export function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = INSTALL_ENV, timeoutMs = 180_000): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) could not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Installs tarballs (and nothing else from the workspace) into a fresh npm project folder. */
export function npmInstall(dir: string, tarballs: readonly string[]): void {
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], dir);
}

/** Entries of a .tgz, without the leading `package/`. */
export function tarEntries(tgz: string): string[] {
  return execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((e) => e.replace(/^package\//, ''));
}

/** Every folder named `name` under `dir` (follows no links). */
export function findDirs(dir: string, name: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    if (e.name === name) out.push(p);
    findDirs(p, name, out);
  }
  return out;
}

/** Bytes under a folder (apparent sizes). */
export function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

const README = (): string => readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's library snippet marked `<!-- consumer-test: name -->` (the fenced block right after the marker). */
export function readmeSnippet(name: 'node' | 'browser' | 'edge'): string {
  const m = new RegExp(`<!-- consumer-test: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\`\\n`).exec(README());
  if (!m) throw new Error(`README.md has no \`<!-- consumer-test: ${name} -->\` marker followed by a \`\`\`js block`);
  return m[1]!;
}

/** The line the README says every snippet prints ("Each prints `…`"). */
function readmeExpectedLine(): string {
  const m = /Each prints `([^`]+)`/.exec(README());
  if (!m) throw new Error('README.md no longer says what the library snippets print ("Each prints `…`")');
  return m[1]!;
}

/**
 * A snippet's last output line against the README's: category, model and reasoning exactly, the confidence within
 * 0.02 (a retrained model moves it a little; a README that shows another decision fails). Returns what differs.
 */
export function differsFromReadme(output: string): string[] {
  const got = output.trim().split('\n').at(-1)!.split(' ');
  const want = readmeExpectedLine().split(' ');
  if (got.length !== want.length) return [`printed "${got.join(' ')}", the README says "${want.join(' ')}"`];
  return want.flatMap((w, i) => {
    const g = got[i]!;
    const close = i === 1 && Math.abs(Number(g) - Number(w)) <= 0.02;
    return g === w || close ? [] : [`field ${i + 1}: printed ${g}, the README says ${w}`];
  });
}

const requireFrom = (pkgJson: string): NodeRequire => createRequire(join(ROOT, pkgJson));

/** Binaries the workspace already installs (edge-examples: Deno, Bun; web-demo: Vite). */
export const TOOLS = {
  deno: (): string => join(dirname(requireFrom('packages/edge-examples/package.json').resolve('deno/package.json')), 'deno'),
  bun: (): string => join(dirname(requireFrom('packages/edge-examples/package.json').resolve('bun/package.json')), 'bin/bun.exe'),
  vite: (): string => join(dirname(requireFrom('packages/web-demo/package.json').resolve('vite/package.json')), 'bin/vite.js'),
};

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const exists = existsSync;
