/**
 * µs per decide() for configs with 10 and 100 decisions (targets: < 20 µs and < 100 µs).
 * Run: cd packages/core && node --conditions=source --import tsx bench/decide.bench.ts
 */
import os from 'node:os';
import { buildSignals, decide, loadConfigOrThrow, rewrite, type RouterConfig, type Signals } from '../src/index.js';

const MMLU = ['biology', 'business', 'chemistry', 'computer science', 'economics', 'engineering', 'health', 'history', 'law', 'math', 'other', 'philosophy', 'physics', 'psychology'];

/** A realistic config: n decisions mixing domain, keyword, context, pii and jailbreak rules, nested groups, plugins. */
function makeConfig(n: number): RouterConfig {
  const keywords = Array.from({ length: Math.max(4, n / 5) }, (_, i) => ({ name: `kw${i}`, operator: i % 3 === 0 ? 'AND' : 'OR', keywords: [`alpha${i}`, `beta${i}`, `gamma${i}`] }));
  const decisions = Array.from({ length: n }, (_, i) => {
    const cat = MMLU[i % MMLU.length]!;
    const rules =
      i % 4 === 0
        ? { operator: 'OR', conditions: [{ type: 'domain', name: cat }] }
        : i % 4 === 1
          ? { operator: 'AND', conditions: [{ type: 'domain', name: cat }, { type: 'keyword', name: `kw${i % keywords.length}` }] }
          : i % 4 === 2
            ? {
                operator: 'AND',
                conditions: [
                  { operator: 'OR', conditions: [{ type: 'domain', name: cat }, { type: 'keyword', name: `kw${i % keywords.length}` }] },
                  { operator: 'NOT', conditions: [{ type: 'jailbreak', name: 'jb' }, { type: 'pii', name: 'pii' }] },
                ],
              }
            : { operator: 'AND', conditions: [{ type: 'context', name: i % 2 ? 'short' : 'long' }, { type: 'domain', name: cat }] };
    return {
      name: `d${i}`,
      priority: (i * 37) % 101,
      rules,
      modelRefs: [{ model: i % 2 ? 'fast' : 'reasoner', use_reasoning: i % 2 === 0 }],
      plugins: i % 5 === 0 ? [{ type: 'system_prompt', configuration: { system_prompt: `You are expert #${i}.`, mode: 'insert' } }] : [],
    };
  });
  return loadConfigOrThrow({
    providers: { defaults: { default_model: 'fast' }, models: [{ name: 'fast', reasoning_family: 'qwen3' }, { name: 'reasoner', reasoning_family: 'qwen3' }] },
    routing: {
      signals: {
        domains: MMLU.map((c) => ({ name: c, mmlu_categories: [c] })),
        keywords,
        jailbreak: [{ name: 'jb', threshold: 0.7 }],
        pii: [{ name: 'pii', pii_types_allowed: ['EMAIL_ADDRESS'] }],
        context: [{ name: 'short', max_tokens: 200 }, { name: 'long', min_tokens: 200 }],
      },
      decisions,
    },
    global: { prompt_guard: { enabled: true, threshold: 0.8 } },
  });
}

/** Deterministic pseudo-random signals (LCG). */
function makeSignals(count: number): Signals[] {
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: count }, () => {
    const scores: Record<string, number> = {};
    let sum = 0;
    for (const c of MMLU) sum += scores[c] = rnd() ** 4;
    for (const c of MMLU) scores[c]! /= sum;
    return {
      categoryScores: scores,
      jailbreak: rnd() * 0.9,
      pii: rnd() < 0.2 ? [{ type: rnd() < 0.5 ? 'EMAIL_ADDRESS' : 'PERSON', start: 0, end: 5, score: 0.9 }] : [],
      keywordHits: Array.from({ length: 3 }, () => `kw${Math.floor(rnd() * 20)}`),
      tokenCount: Math.floor(rnd() * 500),
    };
  });
}

interface Row {
  label: string;
  /** Mean wall-clock µs per call, over batches. */
  us: number;
  p50: number;
  p99: number;
  /** Mean process CPU µs per call: robust to other processes competing for the cores. */
  cpuUs: number;
}

/** Time-based: ~1 s warm-up (JIT), then 40 batches of ~50 ms; wall-clock mean / p50 / p99 of batch means, and CPU time. */
function bench(label: string, fn: (i: number) => unknown): Row {
  let i = 0;
  let sink = 0;
  const warmEnd = performance.now() + 1000;
  while (performance.now() < warmEnd) for (let k = 0; k < 1000; k++) sink += fn(i++) ? 1 : 0;
  let per = 1000;
  const t = performance.now();
  for (let k = 0; k < per; k++) sink += fn(i++) ? 1 : 0;
  per = Math.max(100, Math.round((per * 50) / Math.max(1, performance.now() - t)));
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let b = 0; b < 40; b++) {
    const t0 = performance.now();
    for (let k = 0; k < per; k++) sink += fn(i++) ? 1 : 0;
    samples.push(((performance.now() - t0) * 1000) / per);
  }
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    label,
    us: mean,
    p50: samples[Math.floor(samples.length / 2)]!,
    p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))]!,
    cpuUs: (cpu.user + cpu.system) / (40 * per),
  };
}

const loadBefore = os.loadavg();
const signals = makeSignals(1024);
const text = 'Please solve this urgent integral: alpha3 beta3 and gamma7, thanks! '.repeat(4);
const request = { model: 'auto', messages: [{ role: 'system', content: 'client system prompt' }, { role: 'user', content: text }], temperature: 0.2 };
const rows = [];
for (const n of [10, 100]) {
  const cfg = makeConfig(n);
  rows.push({ ...bench(`decide() — ${n} decisions`, (i) => decide(cfg, signals[i & 1023]!)), target: n === 10 ? 20 : 100 });
  const cls = { categoryScores: signals[0]!.categoryScores!, jailbreak: 0.1, pii: [], tokenCount: 60 };
  rows.push({ ...bench(`buildSignals()+decide()+rewrite() — ${n} decisions`, () => rewrite(request, decide(cfg, buildSignals(cfg, text, cls)), cfg)), target: undefined });
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`semroute decide() bench — Node ${process.version}, ${os.cpus().length}× ${cpu}, ${os.platform()} ${os.arch()}`);
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('');
console.log('| case | mean µs (wall) | p50 µs | p99 µs (batch) | CPU µs/call | target | ok |');
console.log('|---|---:|---:|---:|---:|---:|:---:|');
for (const r of rows) {
  const ok = r.target === undefined ? '' : r.cpuUs < r.target ? (r.us < r.target ? 'yes' : 'yes (CPU time; wall clock inflated by load)') : 'NO';
  console.log(`| ${r.label} | ${r.us.toFixed(2)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUs.toFixed(2)} | ${r.target === undefined ? '' : `< ${r.target}`} | ${ok} |`);
}
