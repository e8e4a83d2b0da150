#!/usr/bin/env node
// One-command set-up for a fresh machine that has only Node 20 and npm.
//   npm start  → install, build, run the router server (bundled model + default config + mock backend + playground)
//   npm test   → install, API reference check, build, unit/integration tests, consumer tests of the packed packages,
//                browser e2e
//                (installs Debian Chromium when missing)
// Extra arguments after `--` are passed to `semroute serve` (e.g. `npm start -- --config my.yaml`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [mode, ...rest] = process.argv.slice(2);
const PNPM_VERSION = '12';

// onnxruntime-node's postinstall downloads CUDA libraries and fails offline; its CPU binaries ship
// in the package. GPU servers opt in with ONNXRUNTIME_NODE_INSTALL=cuda12 (see README "CUDA").
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: process.env.ONNXRUNTIME_NODE_INSTALL ?? 'skip', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };

function run(cmd, args, opts = {}) {
  console.error(`\n▶ ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (result.error) throw result.error;
  return result.status ?? 1;
}
function must(cmd, args) {
  const status = run(cmd, args);
  if (status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed with exit code ${status}`);
    process.exit(status);
  }
}
function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore', env });
  return !r.error && r.status === 0;
}

// pnpm: use the one on PATH if it is v12, else fetch it through npx from the npm registry.
const pnpm = (() => {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (!r.error && r.status === 0 && r.stdout.trim().startsWith(`${PNPM_VERSION}.`)) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`];
})();
const pn = (...args) => must(pnpm[0], [...pnpm.slice(1), ...args]);
env.SEMROUTE_PNPM = JSON.stringify(pnpm); // the consumer tests pack with the same pnpm

/** Installs a Debian package with apt-get when `bin` is missing (root or passwordless sudo). */
function ensureDebianPackage(bin, pkg) {
  if (existsSync(bin)) return;
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = asRoot ? [] : has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : null;
  if (!sudo) {
    console.error(`✖ ${bin} is missing and cannot be installed without root: run \`sudo apt-get install -y ${pkg}\`.`);
    process.exit(1);
  }
  const apt = (...a) => must(sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...a] : a);
  apt('update', '-q');
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync(sudo[0] ?? 'apt-get', sudo.length ? [...sudo.slice(1), 'apt-get', 'install', '-y', '-q', pkg] : ['install', '-y', '-q', pkg], { stdio: 'inherit', env: aptEnv });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

switch (mode) {
  case 'start': {
    pn('install', '--frozen-lockfile');
    pn('-r', 'run', 'build');
    process.exit(run('node', ['packages/node-adapter/bin/semroute.js', 'serve', ...rest]));
  }
  case 'test': {
    pn('install', '--frozen-lockfile');
    // Every exported name documented, and the committed docs/api/ current (one TypeDoc run on the sources, ≈ 20 s):
    // first, so an undocumented export fails in seconds rather than after the build.
    must('node', ['scripts/check-api-docs.mjs']);
    pn('-r', 'run', 'build');
    // The Responses API and response cache tests run a real Redis on loopback (packages/node-adapter/test/responses.test.ts,
    // redis-cache.test.ts): each test starts its own redis-server; no service is started here.
    ensureDebianPackage('/usr/bin/redis-server', 'redis-server');
    must('node', ['node_modules/vitest/vitest.mjs', 'run']);
    ensureDebianPackage('/usr/bin/chromium', 'chromium');
    // The published packages as a user gets them: packed, npm-installed outside the workspace, README snippets run.
    must('node', ['node_modules/vitest/vitest.mjs', 'run', '--config', 'consumer/vitest.config.ts']);
    if (existsSync(join(root, 'e2e', 'playwright.config.ts'))) pn('--filter', '@semroute/e2e', 'test');
    process.exit(0);
  }
  default:
    console.error('usage: node scripts/bootstrap.mjs start|test [-- args for semroute serve]');
    process.exit(2);
}
