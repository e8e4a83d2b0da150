#!/usr/bin/env node
// semroute CLI. Runs the compiled build (packages/node-adapter/dist); build it with `pnpm -r build`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('semroute: not built yet (packages/node-adapter/dist is missing). Run `pnpm -r build` first.\n');
  process.exit(1);
}
await import(entry.href);
