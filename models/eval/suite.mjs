// The OOD suite's sets, halves and run config, shared by models/eval/run.mjs and the training-side scripts that read
// the same halves through the runtime (models/pipeline/ner/runtime_spans.mjs), so both always mean the same rows.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** What each set is and how it is scored (`kind`: domain | jailbreak | pii); `shared` is ../shared/data/dev-ood. */
export function evalSets(shared) {
  return [
    { name: 'exam_qa_more', kind: 'domain', style: 'exam', file: join(shared, 'domain/exam_qa_more.jsonl') },
    { name: 'domain_dev', kind: 'domain', style: 'exam', file: join(shared, 'domain/domain_dev.jsonl') },
    { name: 'hw_domain_chat', kind: 'domain', style: 'chat', file: join(here, 'handwritten/domain_chat.jsonl') },
    { name: 'mixed_dev', kind: 'jailbreak', file: join(shared, 'jailbreak/mixed_dev.jsonl') },
    { name: 'bipia_indirect', kind: 'jailbreak', file: join(shared, 'jailbreak/bipia_indirect_injection.jsonl') },
    { name: 'bipia_twins', kind: 'jailbreak', file: join(shared, 'jailbreak/bipia_clean_twins.jsonl') },
    { name: 'tensor_trust', kind: 'jailbreak', file: join(shared, 'jailbreak/tensor_trust_attacks.jsonl') },
    { name: 'latent_jailbreak', kind: 'jailbreak', file: join(shared, 'jailbreak/latent_jailbreak.jsonl') },
    { name: 'harmful_requests', kind: 'jailbreak', file: join(shared, 'jailbreak/harmful_requests.jsonl') },
    { name: 'oasst_benign', kind: 'jailbreak', realistic: true, file: join(shared, 'jailbreak/oasst_benign.jsonl') },
    { name: 'ifeval_benign', kind: 'jailbreak', realistic: true, file: join(shared, 'jailbreak/ifeval_benign.jsonl') },
    { name: 'hw_attacks', kind: 'jailbreak', file: join(here, 'handwritten/jailbreak_attacks.jsonl') },
    { name: 'hw_benign', kind: 'jailbreak', realistic: true, file: join(here, 'handwritten/jailbreak_benign.jsonl') },
    { name: 'hw_assistant_meta', kind: 'jailbreak', realistic: true, file: join(here, 'handwritten/jailbreak_assistant_meta.jsonl') },
    { name: 'pii_wikigold', kind: 'pii', file: join(shared, 'pii/pii_wikigold.jsonl') },
    { name: 'pii_btc', kind: 'pii', social: true, file: join(shared, 'pii/pii_btc.jsonl') },
    { name: 'pii_re3d', kind: 'pii', file: join(shared, 'pii/pii_re3d.jsonl') },
    { name: 'hw_pii_natural', kind: 'pii', natural: true, file: join(here, 'handwritten/pii_natural.jsonl') },
  ];
}

/** A row's half: its `split` field where the set has one, else sha256(text)'s first byte (even = dev); never moves. */
export function halfOf(row) {
  if (row.split === 'dev' || row.split === 'report') return row.split;
  return createHash('sha256').update(row.text).digest()[0] % 2 === 0 ? 'dev' : 'report';
}

/**
 * A config text with the routing deadline raised to 10 minutes, or undefined when `configText` has none to raise. The
 * suite measures what the router decides, not how fast: on a loaded machine a long prompt can pass the default 15 s
 * deadline, and a blocked request would end the run (the classifications are the same whatever the deadline).
 */
export function withLongDeadline(configText) {
  const raised = configText.replace(/routing_deadline_ms: \d+/, 'routing_deadline_ms: 600000');
  return raised === configText ? undefined : raised;
}
