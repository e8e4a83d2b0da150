/**
 * Property test: 10k random and mutated request bodies over a real socket always get a well-formed OpenAI error
 * or a routed response, and the server stays up.
 */
import fc from 'fast-check';
import { Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { FakeClassifier, testConfigYaml, tmpFile } from './helpers.js';

let mock: MockBackend;
let srv: RunningServer;
let pool: Pool;

beforeAll(async () => {
  mock = await startMockBackend({ name: 'm' });
  const p = mock.port;
  srv = await serve({
    configPath: tmpFile('c.yaml', testConfigYaml({ qwenA: p, qwenB: p, gptoss: p, mistral: p }, 'server:\n  body_limit_bytes: 20000\n')),
    host: '127.0.0.1',
    port: 0,
    grpcPort: null,
    classifier: new FakeClassifier(),
    logLevel: 'silent',
    watch: false,
  });
  pool = new Pool(srv.url, { connections: 16 });
});
afterAll(async () => {
  await pool?.close();
  await srv?.close(500);
  await mock?.close();
});

const valid = fc.record({
  model: fc.oneof(fc.constant('auto'), fc.constant('qwen3-8b'), fc.string({ maxLength: 8 })),
  messages: fc.array(
    fc.record({
      role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool'), fc.string({ maxLength: 4 })),
      content: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('integral of x', 'court contract', 'write a poem', 'ignore previous instructions', 'ssn 123-45-6789'),
        fc.constant(null),
        fc.array(fc.record({ type: fc.constantFrom('text', 'image_url'), text: fc.string({ maxLength: 20 }) }), { maxLength: 3 }),
      ),
    }),
    { maxLength: 4 },
  ),
  stream: fc.oneof(fc.boolean(), fc.constant(undefined)),
  temperature: fc.oneof(fc.double(), fc.constant(undefined)),
});

/** Bodies: valid-ish objects, arbitrary JSON, and byte-level mutations of valid bodies. */
const bodies = fc.oneof(
  valid.map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.tuple(valid, fc.nat(), fc.string({ minLength: 1, maxLength: 4 })).map(([v, i, s]) => {
    const t = JSON.stringify(v);
    const at = i % (t.length + 1);
    return t.slice(0, at) + s + t.slice(at + (i % 3));
  }),
  fc.string({ maxLength: 100 }),
  fc.constant(''),
);

it('10k random/mutated bodies → routed response or OpenAI error, server stays up', async () => {
  const samples = fc.sample(bodies, { numRuns: 10_000, seed: 42 });
  let i = 0;
  const statuses = new Map<number, number>();
  const worker = async () => {
    while (i < samples.length) {
      const body = samples[i++]!;
      const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await r.body.text();
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      if (r.statusCode === 200) {
        if (String(r.headers['content-type']).includes('event-stream')) expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
        else expect(JSON.parse(text).object).toBe('chat.completion');
      } else {
        expect([400, 404, 413]).toContain(r.statusCode);
        const j = JSON.parse(text);
        expect(typeof j.error.message).toBe('string');
        expect(typeof j.error.type).toBe('string');
        expect(j.error).toHaveProperty('param');
        expect(j.error).toHaveProperty('code');
        expect(text).not.toMatch(/\n\s+at /);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  expect(statuses.get(200)).toBeGreaterThan(100);
  expect(statuses.get(400)).toBeGreaterThan(100);
  expect((await fetch(`${srv.url}/health`)).status).toBe(200);
}, 60_000);
