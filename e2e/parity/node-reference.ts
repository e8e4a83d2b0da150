/**
 * Node side of the parity tests: classifies the fixed prompts with onnxruntime-node (CPU, one thread) and routes each
 * with the default config.
 * Usage: node --conditions=source --import tsx e2e/parity/node-reference.ts OUT.json [int8|fp32]
 *          [--model DIR] (default: the model under test, $SEMROUTE_MODEL_DIR or models/semroute-mini)
 *          [--ids ID,ID,...] (only these prompts) [--no-route] (classify only)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Router, createNodeClassifier, defaultConfig } from '@semroute/node-adapter';
import { MODEL_DIR, ROOT } from './server.js';
import { type ParityPrompt, type ParityResult, parityRecord } from './shared.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string' }, ids: { type: 'string' }, 'no-route': { type: 'boolean' } },
});
const [out, dtype = 'int8'] = positionals;
if (!out || (dtype !== 'int8' && dtype !== 'fp32')) throw new Error('usage: node-reference.ts OUT.json [int8|fp32] [--model DIR] [--ids ID,...] [--no-route]');
const { prompts } = JSON.parse(readFileSync(join(ROOT, 'e2e/fixtures/parity-prompts.json'), 'utf8')) as { prompts: ParityPrompt[] };
const ids = values.ids?.split(',');
const todo = ids ? prompts.filter((p) => ids.includes(p.id)) : prompts;
if (ids && todo.length !== ids.length) throw new Error(`--ids: ${ids.filter((id) => !prompts.some((p) => p.id === id)).join(', ')} not in the fixture`);
const classifier = await createNodeClassifier({ model: values.model ?? MODEL_DIR, backend: 'cpu', dtype, threads: 1 });
const router = values['no-route'] ? undefined : new Router({ config: defaultConfig(), classifier });
const results: ParityResult[] = [];
for (const p of todo) results.push(await parityRecord({ classifier, ...(router ? { router } : {}) }, p));
await classifier.dispose();
writeFileSync(out, JSON.stringify(results));
console.log(`node reference: ${results.length} prompts, backend ${classifier.backend}, dtype ${dtype}, model ${values.model ?? MODEL_DIR}`);
