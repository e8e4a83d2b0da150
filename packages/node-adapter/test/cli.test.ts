/**
 * The `semroute` CLI as a child process (run from sources through tsx): validate, explain, classify, serve, mock-backend.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { LETTERS, MMLU_PRO_CATEGORIES } from '../src/eval/dataset.js';
import { chat, post, testConfigYaml, tmpFile } from './helpers.js';

const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const DEFAULT_CONFIG = fileURLToPath(new URL('../../core/config/default.yaml', import.meta.url));

/** Run the CLI in this process (fast), capturing stdout/stderr. */
async function runIn(args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Run the CLI as a child process (from sources through tsx). */
function run(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

describe('semroute CLI', () => {
  it('validate: ok → exit 0; errors with paths → exit 1; usage → 2', async () => {
    const ok = await runIn(['validate', DEFAULT_CONFIG]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok — \d+ model\(s\)/);
    const bad = tmpFile('bad.yaml', 'server:\n  prot: 1\nproviders:\n  defaults: {default_model: x}\n  models:\n    - name: y\n      reasoning_famly: qwen3\n');
    const r = await runIn(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('providers.models[0].reasoning_famly');
    expect(r.stderr).toContain('server.prot');
    const usage = await runIn(['validate']);
    expect(usage.code).toBe(2);
  });

  it('serve refuses thread counts that are not positive integers, before starting anything', async () => {
    for (const [flag, value] of [['--inference-threads', '0'], ['--threads', '1.5']] as const) {
      const r = await runIn(['serve', '--no-grpc', '--port', '0', flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${flag} must be a positive integer, got "${value}"`);
    }
  });

  it('explain prints the decision trace; classify prints one JSON line per prompt', async () => {
    const cfg = tmpFile('c.yaml', testConfigYaml({ qwenA: 1, qwenB: 2, gptoss: 3, mistral: 4 }));
    const ex = await runIn(['explain', cfg, 'write a haiku about rain', '--no-classifier']);
    expect(ex.code).toBe(0);
    expect(ex.stdout).toContain('poetry_route');
    const one = await runIn(['classify', 'write a haiku', '--config', cfg, '--no-classifier']);
    expect(one.code).toBe(0);
    const rec = JSON.parse(one.stdout.trim());
    expect(Object.keys(rec)).toEqual(
      expect.arrayContaining(['category', 'confidence', 'categoryScores', 'jailbreak', 'pii', 'decision', 'model', 'useReasoning', 'reasoningEffort', 'blocked', 'backend', 'latencyMs']),
    );
    expect(rec).toMatchObject({ decision: 'poetry_route', model: 'mistral-small', useReasoning: true, reasoningEffort: 'low', blocked: false, backend: 'none' });
  });

  it('classify --in/--out streams JSONL (text and messages lines, bad lines reported)', async () => {
    const cfg = tmpFile('c.yaml', testConfigYaml({ qwenA: 1, qwenB: 2, gptoss: 3, mistral: 4 }));
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(i % 2 ? JSON.stringify({ id: i, text: 'a haiku please' }) : JSON.stringify({ id: i, messages: [{ role: 'user', content: 'hello' }] }));
    lines.push('not json');
    const inFile = tmpFile('in.jsonl', lines.join('\n') + '\n');
    const outFile = inFile.replace('in.jsonl', 'out.jsonl');
    const r = await runIn(['classify', '--in', inFile, '--out', outFile, '--config', cfg, '--no-classifier']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2001 prompts classified/);
    const out = readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(2001);
    expect(out[0]).toMatchObject({ id: 0, model: 'qwen3-8b' });
    expect(out[1]).toMatchObject({ id: 1, model: 'mistral-small' });
    expect(out[2000]).toMatchObject({ line: 2001 });
    // stdin → stdout
    const piped = await run(['classify', '--config', cfg, '--no-classifier'], '{"text":"a poem"}\n');
    expect(JSON.parse(piped.stdout).decision).toBe('poetry_route');
  });

  it('serve (with --mock) answers, and exits 0 on SIGTERM', async () => {
    const mockCfg = tmpFile('m.yaml', testConfigYaml({ qwenA: 18932, qwenB: 18932, gptoss: 18932, mistral: 18932 }));
    writeFileSync(mockCfg, readFileSync(mockCfg, 'utf8'));
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', BIN, 'serve', '--config', mockCfg, '--port', '0', '--host', '127.0.0.1', '--no-grpc', '--mock', '--mock-port', '18932', '--no-classifier'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      const on = (d: Buffer) => {
        log += d;
        const m = /"http":"(http:\/\/[^"]+)"/.exec(log);
        if (m) resolve(m[1]!);
      };
      child.stdout.on('data', on);
      child.stderr.on('data', on);
      child.on('exit', () => reject(new Error(log)));
    });
    const r = await post(`${url}/v1/chat/completions`, chat('write a poem'));
    expect(r.status).toBe(200);
    expect(r.json.mock_echo.reasoning_effort).toBe('low');
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(log).not.toContain('write a poem');
  });

  it('eval --simulate (built-in profile) then tune, end to end through the CLI; unknown commands list them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semroute-cli-eval-'));
    // A small MMLU-Pro-schema file so the test does not depend on the dataset being on disk.
    const qs = MMLU_PRO_CATEGORIES.flatMap((category) =>
      Array.from({ length: 3 }, (_, i) => ({ question_id: `${category}-${i}`, question: `Synthetic ${category} question ${i}?`, options: Array.from({ length: 10 }, (_, k) => `option ${k}`), answer: LETTERS[i % 10], category, src: 'synthetic' })),
    );
    const dataset = join(dir, 'q.jsonl');
    writeFileSync(dataset, qs.map((q) => JSON.stringify(q)).join('\n') + '\n');
    const out = join(dir, 'run');
    const ev = await runIn(['eval', '--simulate', '--model', 'sim/qwen3', '--family', 'qwen3', '--dataset', dataset, '--modes', 'direct-off,direct-on,router', '--classifier', 'oracle', '--limit', '20', '--time-scale', '0', '--concurrency', '8', '--seed', '1', '--quiet', '--out', out]);
    expect(ev.stderr).not.toMatch(/^error/m);
    expect(ev.code).toBe(0);
    for (const f of ['results.jsonl', 'summary.json', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(60);
    const tuned = join(dir, 'tuned.yaml');
    const tu = await runIn(['tune', '--results', out, '--out', tuned, '--objective', 'balanced']);
    expect(tu.code).toBe(0);
    expect(tu.stdout).toContain('tuned policy');
    expect((await runIn(['validate', tuned])).code).toBe(0);
    const unknown = await runIn(['evaluate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('mock-backend, eval, tune');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--help'])).toBe(0);
      expect(String(log.mock.calls[0]?.[0])).toContain('semroute tune --results DIR --out tuned.yaml');
    } finally {
      log.mockRestore();
    }
  }, 20_000);

  it('mock-backend --simulate serves the simulated model and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'mock-backend', '--simulate', '--port', '0', '--time-scale', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'semroute-nodata-'))], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        log += d;
        const m = /simulated model \(qwen3-30b-a3b-paper\) listening on (http:\/\/\S+)/.exec(log);
        if (m) resolve(m[1]!);
      });
      child.on('exit', () => reject(new Error(log)));
    });
    const r = await post(`${url}/chat/completions`, { model: 'sim', messages: [{ role: 'user', content: 'Which option holds? A) 1 B) 2' }], chat_template_kwargs: { enable_thinking: false } });
    expect(r.status).toBe(200);
    expect(r.json.usage.completion_tokens).toBeGreaterThan(0);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 20_000);
});
