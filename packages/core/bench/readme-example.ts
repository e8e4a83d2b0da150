import { buildSignals, decide, explainDecision, formatConfigIssues, parseConfig, rewrite } from '@semroute/core';

const yaml = `
providers:
  defaults: {default_model: qwen3-8b}
  models:
    - {name: qwen3-8b, reasoning_family: qwen3}
    - {name: qwen3-32b, reasoning_family: qwen3, provider_model_id: Qwen/Qwen3-32B}
routing:
  signals:
    domains: [{name: math, mmlu_categories: [math]}]
    keywords: [{name: proof, operator: OR, keywords: [prove, proof]}]
  decisions:
    - name: math_proofs
      priority: 100
      rules:
        operator: AND
        conditions:
          - {type: domain, name: math}
          - {type: keyword, name: proof}
      modelRefs: [{model: qwen3-32b, use_reasoning: true, reasoning_effort: high}]
      plugins:
        - {type: system_prompt, configuration: {mode: insert, system_prompt: "Think step by step."}}
`;
const parsed = parseConfig(yaml);
if (!parsed.ok) throw new Error(formatConfigIssues(parsed.errors));
const config = parsed.config;

const prompt = 'Prove that the square root of 2 is irrational.';
const request = { model: 'auto', messages: [{ role: 'user', content: prompt }], temperature: 0.6 };

// Signals: what the ONNX classifier reports for this prompt (hard-coded here), plus keyword matching.
const signals = buildSignals(config, prompt, {
  categoryScores: { math: 0.91, philosophy: 0.05, other: 0.04 },
  jailbreak: 0.01,
  pii: [],
  tokenCount: 11,
});
const decision = decide(config, signals, request);
const { body, headers } = rewrite(request, decision, config);

console.log(explainDecision(decision));
console.log(JSON.stringify(body, null, 2));
console.log(JSON.stringify(headers, null, 2));
