/**
 * The `semroute` CLI as a child process (run from sources through tsx): validate, explain, classify, serve, mock-backend.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
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
});
