/**
 * Node side of the parity test: classifies every fixed prompt with onnxruntime-node (CPU) and routes it with the
 * default config. Usage: node --conditions=source --import tsx e2e/parity/node-reference.ts OUT.json [int8|fp32] [ids-file]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, createNodeClassifier, defaultConfig } from '@semroute/core/node';
import { MODEL_DIR, ROOT } from './server.js';
import type { ParityPrompt, ParityResult } from './shared.js';

const [out, dtype = 'int8'] = process.argv.slice(2);
const { prompts } = JSON.parse(readFileSync(join(ROOT, 'e2e/fixtures/parity-prompts.json'), 'utf8')) as { prompts: ParityPrompt[] };
const classifier = await createNodeClassifier({ model: MODEL_DIR, backend: 'cpu', dtype: dtype as 'int8' | 'fp32', threads: 1 });
const router = new Router({ config: defaultConfig(), classifier });
const results: ParityResult[] = [];
for (const p of prompts) {
  const [s] = await classifier.classify([p.text]);
  let decision: ParityResult['decision'];
  try {
    const r = await router.route({ model: 'auto', messages: p.messages });
    const d = r.decision;
    decision = { decision: d.decision, model: d.model, use_reasoning: d.use_reasoning, response_path: d.response_path, category: d.category };
  } catch (e) {
    decision = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  results.push({
    id: p.id,
    backend: s!.backend ?? classifier.backend,
    categoryScores: { ...s!.categoryScores },
    jailbreak: s!.jailbreak,
    pii: s!.pii.map((x) => ({ ...x })),
    pooled: Array.from(s!.pooled ?? []),
    tokenCount: s!.tokenCount,
    decision,
  });
}
await classifier.dispose();
writeFileSync(out!, JSON.stringify(results));
console.log(`node reference: ${results.length} prompts, backend ${classifier.backend}, dtype ${dtype}`);
