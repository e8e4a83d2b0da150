#!/usr/bin/env node
// The API reference check of `npm test` (`pnpm docs:api:check`), one TypeDoc run (≈ 20 s on 2 cores):
//  1. every exported name of @semroute/core (all entries), @semroute/node-adapter and @semroute/model-mini has a doc
//     comment and every {@link} resolves: typedoc.json sets validation.notDocumented and
//     treatValidationWarningsAsErrors, so TypeDoc itself exits non-zero and names each one;
//  2. the committed docs/api/ is what TypeDoc generates from the sources now: the reference is regenerated into a
//     temporary folder and compared file by file (TypeDoc's markdown output is deterministic: no dates, no source
//     links, sorted members).
// Fix for either failure: document the names listed, then `pnpm docs:api` and commit docs/api/.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'docs', 'api');
const typedocBin = join(dirname(createRequire(join(root, 'package.json')).resolve('typedoc/package.json')), 'bin', 'typedoc');

/** Relative paths of every file under `dir`, sorted ([] when it does not exist). */
function files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name))).sort();
}

const out = mkdtempSync(join(tmpdir(), 'semroute-api-'));
try {
  const run = spawnSync(process.execPath, [typedocBin, '--out', out, '--logLevel', 'Warn'], { cwd: root, stdio: 'inherit' });
  if (run.error) throw run.error;
  if (run.status !== 0) {
    console.error(
      `\n✖ API reference: TypeDoc failed (exit code ${run.status}); the lines above say why. "does not have any ` +
        'documentation": an exported name without a doc comment: add one (what it is; parameters, units, defaults, errors ' +
        'where not obvious), or stop exporting it if users should not depend on it. "links to …": a {@link} to something ' +
        'not exported or misspelt. Then run `pnpm docs:api` and commit docs/api/.',
    );
    process.exit(1);
  }
  const want = files(out);
  const have = files(committed);
  const haveSet = new Set(have);
  const wantSet = new Set(want);
  const missing = want.filter((f) => !haveSet.has(f));
  const extra = have.filter((f) => !wantSet.has(f));
  const changed = want.filter((f) => haveSet.has(f) && !readFileSync(join(out, f)).equals(readFileSync(join(committed, f))));
  if (missing.length || extra.length || changed.length) {
    const list = (label, names) => (names.length ? `\n  ${label} (${names.length}): ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}` : '');
    console.error(
      `✖ API reference: docs/api/ is out of date with the doc comments and exports.${list('missing', missing)}${list('stale', changed)}${list('no longer generated', extra)}\n` +
        '  Run `pnpm docs:api` and commit docs/api/.',
    );
    process.exit(1);
  }
  console.error(`✔ API reference: every export documented; docs/api/ is current (${want.length} files).`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
