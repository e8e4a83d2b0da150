/**
 * Node side of the parity test: classifies every fixed prompt with onnxruntime-node (CPU) and routes it with the
 * default config. Usage: node --conditions=source --import tsx e2e/parity/node-reference.ts OUT.json [int8|fp32] [ids-file]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, createNodeClassifier, defaultConfig } from '@semroute/node-adapter';
import { MODEL_DIR, ROOT } from './server.js';
import { type ParityPrompt, type ParityResult, parityRecord } from './shared.js';

const [out, dtype = 'int8'] = process.argv.slice(2);
const { prompts } = JSON.parse(readFileSync(join(ROOT, 'e2e/fixtures/parity-prompts.json'), 'utf8')) as { prompts: ParityPrompt[] };
const classifier = await createNodeClassifier({ model: MODEL_DIR, backend: 'cpu', dtype: dtype as 'int8' | 'fp32', threads: 1 });
const router = new Router({ config: defaultConfig(), classifier });
const results: ParityResult[] = [];
for (const p of prompts) results.push(await parityRecord({ classifier, router }, p));
await classifier.dispose();
writeFileSync(out!, JSON.stringify(results));
console.log(`node reference: ${results.length} prompts, backend ${classifier.backend}, dtype ${dtype}`);
