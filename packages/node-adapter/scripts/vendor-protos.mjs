#!/usr/bin/env node
// Re-vendor the Envoy ext_proc v3 protos (and their import closure) from the @grpc/grpc-js-xds package
// (a devDependency) into proto/. google/protobuf/* are not copied: protobufjs ships them.
// Usage: node scripts/vendor-protos.mjs
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const xds = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const roots = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((r) => join(xds, 'deps', r));
const out = fileURLToPath(new URL('../proto/', import.meta.url));
const seen = new Set();
const todo = ['envoy/service/ext_proc/v3/external_processor.proto'];
while (todo.length) {
  const p = todo.pop();
  if (seen.has(p) || p.startsWith('google/protobuf/')) continue;
  seen.add(p);
  const src = roots.map((r) => join(r, p)).find(existsSync);
  if (!src) throw new Error(`not found: ${p}`);
  mkdirSync(dirname(join(out, p)), { recursive: true });
  copyFileSync(src, join(out, p));
  for (const m of readFileSync(src, 'utf8').matchAll(/^import\s+(?:public\s+)?"([^"]+)"/gm)) todo.push(m[1]);
}
console.log(`vendored ${seen.size} protos from @grpc/grpc-js-xds ${require('@grpc/grpc-js-xds/package.json').version}`);
