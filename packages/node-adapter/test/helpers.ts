/**
 * Test helpers: a deterministic fake classifier (so routing per category, jailbreak and PII can be tested without
 * the ONNX model), a config pointing at mock backends, and small HTTP helpers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type Classifier, type ClassifierSignals, type ClassifyOptions, type RouterConfig, defaultConfig, parseConfig } from '@semroute/core';
import { fnv1a32 } from '@semroute/core/runtime-kit';

const CATS = ['biology', 'business', 'chemistry', 'computer science', 'economics', 'engineering', 'health', 'history', 'law', 'math', 'other', 'philosophy', 'physics', 'psychology'];

function scores(top: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of CATS) out[c] = c === top ? 0.87 : 0.01;
  return out;
}

/** A stand-in for the pooled embedding: a hashed bag of words, L2-normalised (texts sharing most words are close). */
export function bagOfWords(t: string): Float32Array {
  const v = new Float32Array(64);
  for (const w of t.toLowerCase().match(/[a-z0-9]+/g) ?? []) v[fnv1a32(w) % 64]! += 1;
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

/** Category by keyword, jailbreak by phrase, PII by regex: deterministic stand-in for the ONNX model. */
export class FakeClassifier implements Classifier {
  readonly backend = 'fake';
  calls = 0;
  batches: number[] = [];
  /** The heads each call asked for (undefined = all); heads not asked for come back empty. */
  heads: (readonly string[] | undefined)[] = [];
  async classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]> {
    this.calls++;
    this.batches.push(texts.length);
    this.heads.push(options?.heads);
    const want = (h: 'domain' | 'jailbreak' | 'pii' | 'pooled') => !options?.heads || options.heads.includes(h);
    return texts.map((t) => {
      const l = t.toLowerCase();
      const top = /contract|lawsuit|court/.test(l)
        ? 'law'
        : /integral|derivative|theorem/.test(l)
          ? 'math'
          : /python|compiler|hash map/.test(l)
            ? 'computer science'
            : /poem|story/.test(l)
              ? 'other'
              : 'other';
      const pii: { type: string; start: number; end: number; score: number }[] = [];
      for (const m of t.matchAll(/[\w.]+@[\w.]+\.\w+/g)) pii.push({ type: 'EMAIL_ADDRESS', start: m.index!, end: m.index! + m[0].length, score: 0.98 });
      for (const m of t.matchAll(/\b\d{3}-\d{2}-\d{4}\b/g)) pii.push({ type: 'US_SSN', start: m.index!, end: m.index! + m[0].length, score: 0.97 });
      return {
        categoryScores: want('domain') ? scores(top) : {},
        jailbreak: want('jailbreak') && /ignore (all )?previous instructions/.test(l) ? 0.99 : 0.02,
        pii: want('pii') ? pii : [],
        tokenCount: Math.ceil(t.length / 4),
        ...(want('pooled') ? { pooled: bagOfWords(t) } : {}),
      };
    });
  }
  async dispose(): Promise<void> {}
}

export interface Ports {
  qwenA: number;
  qwenB: number;
  gptoss: number;
  mistral: number;
  deepseek?: number;
}

/** A vSR-style config: math → gpt-oss with high reasoning; law → qwen3 with reasoning + system prompt; jailbreak/PII blocks. */
export function testConfigYaml(p: Ports, extra = ''): string {
  return `providers:
  defaults:
    default_model: qwen3-8b
    default_reasoning_effort: medium
  models:
    - name: qwen3-8b
      reasoning_family: qwen3
      provider_model_id: qwen3-8b-instruct
      backend_refs:
        - {name: qa, endpoint: "127.0.0.1:${p.qwenA}", weight: 50}
        - {name: qb, endpoint: "127.0.0.1:${p.qwenB}", weight: 50}
    - name: gpt-oss-20b
      reasoning_family: gpt-oss
      backend_refs: [{name: go, endpoint: "127.0.0.1:${p.gptoss}"}]
    - name: mistral-small
      reasoning_family: mistral
      backend_refs: [{name: mi, endpoint: "127.0.0.1:${p.mistral}", api_key_env: SEMROUTE_TEST_KEY}]
    - name: deepseek-r1
      reasoning_family: deepseek
      backend_refs: [{name: ds, endpoint: "127.0.0.1:${p.deepseek ?? p.mistral}"}]
routing:
  signals:
    keywords:
      - {name: poetry, operator: OR, keywords: [poem, haiku]}
      - {name: stepwise, operator: OR, keywords: [step by step]}
    domains:
      - {name: law, mmlu_categories: [law]}
      - {name: math, mmlu_categories: [math]}
    jailbreak:
      - {name: prompt_injection, threshold: 0.8}
    pii:
      - {name: restricted_pii, threshold: 0.85, pii_types_allowed: [EMAIL_ADDRESS]}
  decisions:
    - name: block_jailbreak
      priority: 1000
      rules: {operator: OR, conditions: [{type: jailbreak, name: prompt_injection}]}
      plugins: [{type: fast_response, configuration: {message: "I cannot process this request."}}]
    - name: block_pii
      priority: 900
      rules: {operator: OR, conditions: [{type: pii, name: restricted_pii}]}
      plugins: [{type: fast_response, configuration: {message: "No personal data, please."}}]
    - name: math_route
      priority: 200
      rules: {operator: AND, conditions: [{type: domain, name: math}]}
      modelRefs: [{model: gpt-oss-20b, use_reasoning: true, reasoning_effort: high}, {model: qwen3-8b}]
    - name: law_route
      priority: 190
      rules: {operator: AND, conditions: [{type: domain, name: law}]}
      modelRefs: [{model: qwen3-8b, use_reasoning: true}]
      plugins: [{type: system_prompt, configuration: {enabled: true, mode: insert, system_prompt: "You are a careful legal assistant — ⚖ ü."}}]
    - name: stepwise_route
      priority: 150
      rules: {operator: OR, conditions: [{type: keyword, name: stepwise}]}
      modelRefs: [{model: deepseek-r1, use_reasoning: true}]
    - name: poetry_route
      priority: 100
      rules: {operator: OR, conditions: [{type: keyword, name: poetry}]}
      modelRefs: [{model: mistral-small, use_reasoning: true, reasoning_effort: low}]
${extra}`;
}

export function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'semroute-test-'));
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** The bundled default config with `edit` applied to a plain copy of it, validated (throws with the errors when invalid). */
// `any`: each test edits a different corner of the raw config (global.screening, global.classifier.pii, …).
export function defaultConfigWith(edit: (raw: any) => void): RouterConfig {
  const raw: unknown = JSON.parse(JSON.stringify(defaultConfig()));
  edit(raw);
  const r = parseConfig(raw);
  if (!r.ok) throw new Error(`test config invalid: ${JSON.stringify(r.errors)}`);
  return r.config;
}

export function chat(content: string, extra: Record<string, unknown> = {}) {
  return { model: 'auto', messages: [{ role: 'user', content }], ...extra };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** Parse an SSE body into its `data:` payloads. */
export function sseData(text: string): string[] {
  return text
    .split(/\n\n/)
    .map((e) => e.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n'))
    .filter(Boolean);
}

export const CACHE_YAML = `global:
  stores:
    response_cache: {enabled: true, similarity_threshold: 0.8, max_entries: 100}
`;

/** The test config with a response_cache plugin on every routed (non-blocking) decision. */
export function cachedConfigYaml(ports: Parameters<typeof testConfigYaml>[0], store = CACHE_YAML): string {
  const doc = parse(testConfigYaml(ports, store)) as { routing: { decisions: { name: string; plugins?: unknown[] }[] } };
  for (const d of doc.routing.decisions) {
    if (d.name.startsWith('block_')) continue;
    d.plugins = [{ type: 'response_cache', configuration: { enabled: true } }, ...(d.plugins ?? [])];
  }
  return stringify(doc);
}

/** Four numbered mock backends and a server on the cached test config; what to close goes into `cleanup`. */
export async function cachedServer(cleanup: (() => Promise<unknown>)[], opts: { mock?: Parameters<typeof startMockBackend>[0]; store?: string } = {}) {
  const m: Record<string, MockBackend> = {};
  for (const k of ['qa', 'qb', 'go', 'mi'] as const) {
    m[k] = await startMockBackend({ name: k, numbered: true, ...opts.mock });
    const mk = m[k]!;
    cleanup.push(() => mk.close());
  }
  const cfg = tmpFile('config.yaml', cachedConfigYaml({ qwenA: m.qa!.port, qwenB: m.qb!.port, gptoss: m.go!.port, mistral: m.mi!.port }, opts.store));
  const srv: RunningServer = await serve({ configPath: cfg, host: '127.0.0.1', port: 0, grpcPort: null, classifier: new FakeClassifier(), logLevel: 'silent', watch: false });
  cleanup.push(() => srv.close(500));
  const received = () => Object.values(m).reduce((n, b) => n + b.received.length, 0);
  return { m, srv, url: `${srv.url}/v1/chat/completions`, received };
}

/** An ext_proc client (built from the same Envoy protos) whose `Process()` opens one stream. */
export type ExtProcClient = grpc.Client & { Process(): grpc.ClientDuplexStream<object, any> };

/** Send messages on one ext_proc stream, collecting `expected` answers (or until the stream closes). */
export async function extProcExchange(client: ExtProcClient, msgs: object[], expected = msgs.length): Promise<any[]> {
  const call = client.Process();
  const out: any[] = [];
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (m: any) => {
      out.push(m);
      if (out.length >= expected) call.end();
    });
    call.on('end', () => resolve());
    call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? resolve() : reject(e)));
  });
  for (const m of msgs) call.write(m);
  if (expected === 0) call.end();
  await done;
  return out;
}
