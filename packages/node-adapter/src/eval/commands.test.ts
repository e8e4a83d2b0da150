/**
 * End to end over loopback: `semroute eval` against the simulated model, `semroute tune` on its results, and the tuned
 * config measured again. Self-contained: a synthetic MMLU-Pro-schema dataset and a test profile with clear gaps.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@semroute/core';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEvalCommand, runTuneCommand } from './commands.js';
import { LETTERS, MMLU_PRO_CATEGORIES, type McQuestion } from './dataset.js';
import { validateProfile } from './profile.js';
import type { EvalRecord } from './records.js';
import { configSetting } from './routing.js';
import { startSimulatedModel } from './simulated-model.js';
import { mcnemarP } from './stats.js';

const dir = mkdtempSync(join(tmpdir(), 'semroute-eval-'));
const questions: McQuestion[] = MMLU_PRO_CATEGORIES.flatMap((category) =>
  Array.from({ length: 40 }, (_, i) => ({
    question_id: `${category}-${i}`,
    question: `Synthetic ${category} question ${i}: which option holds?`,
    options: Array.from({ length: 10 }, (_, k) => `option ${k}`),
    answer: LETTERS[(i * 7) % 10]!,
    category,
    src: 'synthetic',
  })),
);
const datasetFile = join(dir, 'questions.jsonl');
// Reasoning helps a lot in every other category and hurts a lot in the rest: an unambiguous optimal policy.
const helps = new Set(MMLU_PRO_CATEGORIES.filter((_, i) => i % 2 === 0));
const rawProfile = {
  name: 'test-gaps',
  model: 'sim/test',
  family: 'qwen3',
  latency: { ttft_ms: 100, prefill_tokens_per_second: 5000, decode_tokens_per_second: 70 },
  correlation: 0.3,
  tokens_cv: 0.3,
  efforts: { low: { gain: 0.6, tokens: 0.45 }, high: { gain: 1.1, tokens: 1.7 } },
  categories: Object.fromEntries(
    MMLU_PRO_CATEGORIES.map((c) => [c, helps.has(c) ? { off: { accuracy: 0.3, tokens: 200 }, on: { accuracy: 0.85, tokens: 1500, unanswered: 0.05 } } : { off: { accuracy: 0.85, tokens: 200 }, on: { accuracy: 0.3, tokens: 1500, unanswered: 0.1 } }]),
  ),
};
const profileFile = join(dir, 'test-gaps.yaml');
const profile = validateProfile(rawProfile);

interface Captured {
  out: string;
  err: string;
}
function io(): Captured & { io: { out: (s: string) => void; err: (s: string) => void } } {
  const c = { out: '', err: '' } as Captured;
  return Object.assign(c, { io: { out: (s: string) => void (c.out += s), err: (s: string) => void (c.err += s) } });
}
/**
 * A simulated run cannot be mistaken for a real model's: stdout (a heading and every figure line), summary.json
 * (`simulated: true` + profile), the report's title, banner and every table / figure caption; the paper's figures
 * only inside the separate "what the paper measured" box.
 */
function expectSimulatedEverywhere(stdout: string, outDir: string, profileName: string): void {
  expect(stdout).toMatch(new RegExp(`^SIMULATED RUN: .*profile "${profileName}"`, 'm'));
  const figureLines = stdout.split('\n').filter((l) => / accuracy |pp \(McNemar/.test(l));
  expect(figureLines.length).toBeGreaterThan(0);
  for (const l of figureLines) expect(l).toMatch(/\[simulated\]$/);
  expect(stdout).toMatch(/report: .*report\.html \(simulated\)/);
  const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  expect(summary.simulated).toBe(true);
  expect(summary.simulated_profile).toBe(profileName);
  expect(Object.keys(summary)[0]).toBe('simulated');
  const html = readFileSync(join(outDir, 'report.html'), 'utf8');
  expect(html).toMatch(new RegExp(`<title>SIMULATED model \\(profile ${profileName}\\)`));
  expect(html).toMatch(/<h1>SIMULATED model/);
  expect(html).toMatch(/<p class="sim"><b>Simulated run\.<\/b> No real model answered/);
  const [measured, paper] = html.split('<aside class="paper">') as [string, string];
  expect(paper).toBeDefined();
  const tables = measured.match(/<table>.*?<\/caption>/gs) ?? [];
  expect(tables.length).toBe((measured.match(/<table>/g) ?? []).length);
  expect(tables.length).toBeGreaterThanOrEqual(5);
  for (const t of tables) expect(t).toMatch(/^<table><caption><b class="simtag">SIMULATED<\/b> \(profile /);
  const figcaptions = measured.match(/<figcaption>.*?<\/figcaption>/gs) ?? [];
  expect(figcaptions.length).toBe(4);
  for (const f of figcaptions) expect(f).toMatch(/^<figcaption>(<b class="simtag">SIMULATED<\/b>|SIMULATED) \(profile /);
  // The paper's figures never sit beside a (simulated) result.
  // (the paper's own formatting: "+10.24 pp", "1,722.1", its set-up; plain numbers could occur in SVG coordinates)
  expect(measured).not.toMatch(/10\.24 pp|1,722\.1|Qwen\/Qwen3-30B-A3B on vLLM/);
  expect(paper).toMatch(/What the paper measured \(not this run\)/);
  expect(paper).toMatch(/\+10\.24 pp/);
}

const readJsonl = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EvalRecord);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

beforeAll(() => {
  writeFileSync(datasetFile, questions.map((q) => JSON.stringify(q)).join('\n') + '\n');
  writeFileSync(profileFile, stringify(rawProfile));
});

describe('semroute eval + tune end to end (simulated model over loopback)', () => {
  const out1 = join(dir, 'run1');
  const common = ['--simulate', profileFile, '--time-scale', '0.001', '--dataset', datasetFile, '--concurrency', '32', '--quiet', '--classifier', 'oracle'];

  it('runs all modes and its table equals a recomputation from results.jsonl', async () => {
    const c = io();
    const code = await runEvalCommand([...common, '--modes', 'direct-off,direct-on,router', '--out', out1], c.io);
    expect(c.err).not.toMatch(/error/);
    expect(code).toBe(0);
    const records = readJsonl(join(out1, 'results.jsonl'));
    expect(records).toHaveLength(questions.length * 3);
    const summary = JSON.parse(readFileSync(join(out1, 'summary.json'), 'utf8')) as {
      modes: { mode: string; n: number; accuracy: number; mean_latency_s: number; mean_tokens: number; mean_ttft_s: number }[];
      comparisons: { mode: string; baseline: string; delta_accuracy_pp: number; mcnemar: { b: number; c: number; p: number }; tokens_change_pct: number; latency_change_pct: number }[];
    };
    for (const m of summary.modes) {
      const rs = records.filter((r) => r.mode === m.mode && r.status === 'ok');
      expect(m.n).toBe(rs.length);
      expect(m.accuracy).toBeCloseTo(rs.filter((r) => r.correct).length / rs.length, 12);
      expect(m.mean_latency_s).toBeCloseTo(mean(rs.map((r) => r.latency_ms!)) / 1000, 12);
      expect(m.mean_tokens).toBeCloseTo(mean(rs.map((r) => r.completion_tokens!)), 9);
      expect(m.mean_ttft_s).toBeGreaterThan(0); // streamed by default
    }
    const byMode = (m: string) => new Map(records.filter((r) => r.mode === m).map((r) => [r.question_id, r]));
    const base = byMode('direct-on');
    for (const cmp of summary.comparisons) {
      expect(cmp.baseline).toBe('direct-on');
      const other = byMode(cmp.mode);
      let b = 0;
      let cc = 0;
      for (const [q, r] of other) {
        const o = base.get(q)!;
        if (r.correct && !o.correct) b++;
        if (!r.correct && o.correct) cc++;
      }
      expect(cmp.mcnemar).toEqual({ b, c: cc, p: mcnemarP(b, cc) });
      expect(cmp.delta_accuracy_pp).toBeCloseTo(((b - cc) / other.size) * 100, 9);
      const tok = (m: Map<string, EvalRecord>) => mean([...m.values()].map((r) => r.completion_tokens!));
      expect(cmp.tokens_change_pct).toBeCloseTo((tok(other) / tok(base) - 1) * 100, 9);
    }
    // The router (default config: reasoning on for STEM) beats reasoning-everywhere on tokens.
    expect(summary.comparisons.find((x) => x.mode === 'router')!.tokens_change_pct).toBeLessThan(-20);
    // Direct modes honour the qwen3 switch: reasoning tokens only when on.
    expect(records.filter((r) => r.mode === 'direct-off').every((r) => r.reasoning_tokens === 0 && !r.reasoning)).toBe(true);
    expect(records.filter((r) => r.mode === 'direct-on').every((r) => r.reasoning_tokens! > 0 && r.reasoning)).toBe(true);
    const html = readFileSync(join(out1, 'report.html'), 'utf8');
    expect(html).toMatch(/Table 1/);
    expect(html).toMatch(/McNemar/);
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(c.out).toMatch(/router vs direct-on: /);
    expectSimulatedEverywhere(c.out, out1, 'test-gaps');
  }, 120_000);

  it('resumes: a second run sends nothing and keeps one line per item', async () => {
    const c = io();
    const code = await runEvalCommand([...common, '--modes', 'direct-off,direct-on,router', '--out', out1], c.io);
    expect(code).toBe(0);
    expect(c.err).toMatch(/resuming: 1680 of 1680 items already done/);
    expect(readJsonl(join(out1, 'results.jsonl'))).toHaveLength(questions.length * 3);
  });

  it('tune recovers the profile’s optimal policy, and eval measures the prediction', async () => {
    const tuned = join(dir, 'tuned.yaml');
    const c = io();
    expect(await runTuneCommand(['--results', out1, '--out', tuned], c.io)).toBe(0);
    expect(c.out).toMatch(/tuned policy/);
    const parsed = parseConfig(readFileSync(tuned, 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    for (const cat of MMLU_PRO_CATEGORIES) expect([cat, configSetting(parsed.config, 'qwen3', cat).use_reasoning]).toEqual([cat, helps.has(cat)]);
    expect(existsSync(join(dir, 'tuned.tune.json'))).toBe(true);

    const out2 = join(dir, 'run2');
    const c2 = io();
    expect(await runEvalCommand([...common, '--modes', 'router', '--config', tuned, '--out', out2], c2.io)).toBe(0);
    const s2 = JSON.parse(readFileSync(join(out2, 'summary.json'), 'utf8')) as { modes: { accuracy: number; mean_tokens: number }[]; prediction: { tuned: { accuracy: number; mean_tokens: number } } };
    // Same seed, same questions, oracle routing: the simulated model answers exactly as in the direct runs.
    expect(s2.modes[0]!.accuracy).toBeCloseTo(s2.prediction.tuned.accuracy, 9);
    expect(s2.modes[0]!.mean_tokens).toBeCloseTo(s2.prediction.tuned.mean_tokens, 6);
    expect(readFileSync(join(out2, 'report.html'), 'utf8')).toMatch(/Predicted vs measured/);
  }, 60_000);

  it('tune can run its own eval', async () => {
    const c = io();
    const tuned = join(dir, 'self', 'tuned.yaml');
    expect(await runTuneCommand([...common, '--limit', '280', '--out', tuned, '--min-samples', '5'], c.io)).toBe(0);
    expect(existsSync(join(dir, 'self', 'tuned.eval', 'results.jsonl'))).toBe(true);
    expect(parseConfig(readFileSync(tuned, 'utf8')).ok).toBe(true);
  }, 60_000);
});

describe('reasoning families', () => {
  it('each family’s switch reaches the simulated server (deepseek thinking, gpt-oss effort)', async () => {
    const base = ['--simulate', profileFile, '--time-scale', '0', '--dataset', datasetFile, '--limit', '60', '--quiet', '--concurrency', '16'];
    const ds = join(dir, 'deepseek');
    expect(await runEvalCommand([...base, '--family', 'deepseek', '--modes', 'direct-off,direct-on', '--out', ds], io().io)).toBe(0);
    const dr = readJsonl(join(ds, 'results.jsonl'));
    expect(dr.filter((r) => r.mode === 'direct-off').every((r) => r.reasoning_tokens === 0)).toBe(true);
    expect(dr.filter((r) => r.mode === 'direct-on').every((r) => r.reasoning_tokens! > 0)).toBe(true);
    const go = join(dir, 'gpt-oss');
    expect(await runEvalCommand([...base, '--family', 'gpt-oss', '--modes', 'direct-on:low,direct-on:high', '--out', go], io().io)).toBe(0);
    const gr = readJsonl(join(go, 'results.jsonl'));
    const tok = (m: string) => mean(gr.filter((r) => r.mode === m).map((r) => r.completion_tokens!));
    expect(gr.find((r) => r.mode === 'direct-on:high')!.effort).toBe('high');
    expect(tok('direct-on:high')).toBeGreaterThan(2 * tok('direct-on:low'));
  }, 60_000);
});

describe('failure handling', () => {
  it('a dead endpoint gives a clear error and exit 3, quickly', async () => {
    const c = io();
    const t0 = Date.now();
    const code = await runEvalCommand(['--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--family', 'qwen3', '--dataset', datasetFile, '--modes', 'direct-off', '--out', join(dir, 'dead'), '--quiet'], c.io);
    expect(code).toBe(3);
    expect(c.err).toMatch(/cannot reach endpoint http:\/\/127\.0\.0\.1:9\/v1/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a run against a real endpoint is not marked simulated, and the paper box stays separate', async () => {
    // An OpenAI-compatible server that is not semroute's simulated model (its /models reads like vLLM's); the answers
    // come from the simulated handler, which eval cannot see.
    const sim = await startSimulatedModel(profile, { questions, timeScale: 0 });
    const server = createServer(async (req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'sim/test', object: 'model', owned_by: 'vllm' }] }));
        return;
      }
      const parts: Buffer[] = [];
      for await (const ch of req) parts.push(ch as Buffer);
      await sim.handler.respond(JSON.parse(Buffer.concat(parts).toString('utf8')), res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const out = join(dir, 'real');
    const c = io();
    try {
      const args = ['--endpoint', `http://127.0.0.1:${port}/v1`, '--model', 'sim/test', '--family', 'qwen3', '--dataset', datasetFile, '--modes', 'direct-off,direct-on', '--limit', '40', '--out', out, '--quiet'];
      expect(await runEvalCommand(args, c.io)).toBe(0);
    } finally {
      server.close();
      await sim.close();
    }
    expect(c.out + c.err).not.toMatch(/simulated/i);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(summary.simulated).toBe(false);
    expect(summary.simulated_profile).toBeNull();
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<title>semroute eval report<\/title>/);
    const [measured, paper] = html.split('<aside class="paper">') as [string, string];
    expect(measured).not.toMatch(/SIMULATED|10\.24 pp|1,722\.1/);
    expect(paper).toMatch(/\+10\.24 pp/);
  }, 60_000);

  it('a server refusing every request (wrong model) aborts after a few, with its message', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.method === 'GET' ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.method === 'GET' ? { data: [] } : { error: { message: 'The model `nope` does not exist.' } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const c = io();
    try {
      const code = await runEvalCommand(['--endpoint', `http://127.0.0.1:${port}/v1`, '--model', 'nope', '--family', 'qwen3', '--dataset', datasetFile, '--modes', 'direct-off', '--out', join(dir, 'refused'), '--quiet', '--concurrency', '2'], c.io);
      expect(code).toBe(3);
    } finally {
      server.close();
    }
    expect(c.err).toMatch(/requests in a row were refused .*does not exist/);
    expect(readJsonl(join(dir, 'refused', 'results.jsonl')).length).toBeLessThan(20);
  });

  it('usage errors name the problem', async () => {
    const c = io();
    expect(await runEvalCommand(['--model', 'm', '--family', 'qwen3', '--dataset', datasetFile, '--out', join(dir, 'x')], c.io)).toBe(2);
    expect(c.err).toMatch(/--endpoint URL is required/);
    const c2 = io();
    expect(await runEvalCommand(['--simulate', profileFile, '--dataset', datasetFile, '--modes', 'direct-sideways', '--out', join(dir, 'x')], c2.io)).toBe(2);
    expect(c2.err).toMatch(/unknown mode "direct-sideways"; expected one of/);
    const c3 = io();
    expect(await runTuneCommand(['--results', join(dir, 'nothing'), '--out', join(dir, 't.yaml')], c3.io)).toBe(2);
    expect(c3.err).toMatch(/no results\.jsonl/);
  });

  it('malformed responses become failed items, missing usage becomes marked estimates, 429s are retried; a re-run retries only failures', async () => {
    for (const stream of [true, false]) {
      const out = join(dir, `faults-${stream}`);
      const sim = await startSimulatedModel(profile, { questions, timeScale: 0, faults: { rateLimit: 0.3, malformed: 0.05, omitUsage: true } });
      const args = ['--endpoint', sim.url, '--model', 'sim/test', '--family', 'qwen3', '--dataset', datasetFile, '--modes', 'direct-off,direct-on', '--limit', '200', '--out', out, '--quiet', '--concurrency', '8', ...(stream ? [] : ['--no-stream'])];
      const c = io();
      let code: number;
      try {
        code = await runEvalCommand(args, c.io);
      } finally {
        await sim.close();
      }
      expect(code).toBe(1);
      expect(c.err).toMatch(/item\(s\) failed/);
      const records = readJsonl(join(out, 'results.jsonl'));
      expect(records).toHaveLength(400);
      const failed = records.filter((r) => r.status === 'error');
      expect(failed.length).toBeGreaterThan(0);
      for (const r of failed) {
        expect(r.error).toMatch(/malformed response/);
        expect(r.correct).toBeNull();
        expect(r.completion_tokens).toBeNull();
      }
      const okRecords = records.filter((r) => r.status === 'ok');
      expect(okRecords.every((r) => r.tokens_estimated && r.completion_tokens! > 0 && r.prompt_tokens! > 0)).toBe(true);
      expect(okRecords.some((r) => r.attempts > 1)).toBe(true);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { modes: { errors: number; tokens_estimated: number; n: number }[] };
      expect(summary.modes.reduce((s, m) => s + m.errors, 0)).toBe(failed.length);
      // --endpoint pointing at the simulated model: recognised from its /models answer, and marked as simulated.
      expect(c.err).toMatch(/is semroute's simulated model \(profile "test-gaps"\)/);
      expect((summary as unknown as { simulated: boolean }).simulated).toBe(true);
      expect(summary.modes.every((m) => m.tokens_estimated === m.n)).toBe(true);

      // Healthy server: only the failed items are sent again.
      const healthy = await startSimulatedModel(profile, { questions, timeScale: 0 });
      const c2 = io();
      try {
        expect(await runEvalCommand(args.map((a) => (a === sim.url ? healthy.url : a)), c2.io)).toBe(0);
      } finally {
        await healthy.close();
      }
      expect(healthy.handler.stats.requests).toBe(failed.length);
      const after = readJsonl(join(out, 'results.jsonl'));
      expect(after).toHaveLength(400);
      expect(after.every((r) => r.status === 'ok')).toBe(true);
    }
  }, 120_000);
});
