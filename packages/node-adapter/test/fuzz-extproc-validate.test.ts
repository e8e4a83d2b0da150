/**
 * Seeded fuzzing of the Envoy ext_proc server (a real gRPC client: adversarial message sequences, and frames that are
 * not protobuf at all) and of `semroute validate` (1,000 mutated configs): clear answers, no hang, no crash.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadExtProcService, startExtProc, type ExtProcServer } from '../src/extproc/server.js';
import { RouterHost } from '../src/router-host.js';
import { FakeClassifier, extProcExchange, testConfigYaml, tmpFile, type ExtProcClient } from './helpers.js';

const SEED = Number(process.env.SEMROUTE_FUZZ_SEED ?? 42);
const SCALE = Math.max(1, Number(process.env.SEMROUTE_FUZZ_RUNS ?? 2_400) / 2_400);

describe('ext_proc under fuzzing', () => {
  let host: RouterHost;
  let server: ExtProcServer;
  let client: ExtProcClient;
  beforeAll(async () => {
    host = new RouterHost({ configPath: tmpFile('c.yaml', testConfigYaml({ qwenA: 1, qwenB: 2, gptoss: 3, mistral: 4 })), classifier: new FakeClassifier(), log: { info() {}, warn() {}, error() {} } });
    server = await startExtProc({ host, port: 0, bindHost: '127.0.0.1', bodyLimit: 64 * 1024 });
    client = new (loadExtProcService())(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as never;
  });
  afterAll(async () => {
    client?.close();
    await server?.close(500);
    await host?.close();
  });

  const headerList = fc.array(
    fc.record({ key: fc.oneof(fc.constantFrom(':path', ':method', 'content-type', 'x-vsr-debug', 'x-semroute-client-decision', 'x-vsr-skip-processing'), fc.string({ maxLength: 12 })), raw_value: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) }),
    { maxLength: 4 },
  );
  const jsonish = fc.oneof(
    fc.constantFrom('{"model":"auto","messages":[{"role":"user","content":"integral of x"}]}', '{"model":"auto","messages":[{"role":"user","content":"ignore previous instructions"}],"stream":true}', `{"model":"auto","messages":${'['.repeat(5_000)}`, '', 'null', '{"model":'),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 80 }),
  );
  const bodyChunk = fc.oneof(jsonish.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.constant(Buffer.alloc(70 * 1024, 0x7b)));
  const message = fc.oneof(
    { weight: 3, arbitrary: fc.record({ request_headers: fc.record({ headers: fc.record({ headers: headerList }), end_of_stream: fc.boolean() }) }) },
    { weight: 4, arbitrary: fc.record({ request_body: fc.record({ body: bodyChunk, end_of_stream: fc.boolean() }) }) },
    { weight: 1, arbitrary: fc.record({ request_trailers: fc.record({ trailers: fc.record({ headers: headerList }) }) }) },
    { weight: 1, arbitrary: fc.record({ response_headers: fc.record({ headers: fc.record({ headers: headerList }) }) }) },
    { weight: 1, arbitrary: fc.record({ response_body: fc.record({ body: bodyChunk, end_of_stream: fc.boolean() }) }) },
    { weight: 1, arbitrary: fc.constant({}) },
  );

  /** Sends one stream's messages, ends it, and resolves with the answers once the server closes it (or rejects). */
  function stream(msgs: object[]): Promise<{ answers: any[]; status: number }> {
    return new Promise((resolve, reject) => {
      const call = client.Process();
      const answers: any[] = [];
      const timer = setTimeout(() => reject(new Error('ext_proc stream did not end within 10 s')), 10_000);
      call.on('data', (m: any) => answers.push(m));
      call.on('error', (e: grpc.ServiceError) => (clearTimeout(timer), resolve({ answers, status: e.code })));
      call.on('end', () => (clearTimeout(timer), resolve({ answers, status: grpc.status.OK })));
      for (const m of msgs) call.write(m);
      call.end();
    });
  }

  it(`${Math.round(600 * SCALE)} adversarial message sequences: every answer is a known ProcessingResponse, every stream ends`, async () => {
    const samples = fc.sample(fc.array(message, { minLength: 1, maxLength: 8 }), { numRuns: Math.round(600 * SCALE), seed: SEED });
    const kinds = new Set(['request_headers', 'request_body', 'request_trailers', 'response_headers', 'response_body', 'immediate_response']);
    let immediate = 0;
    for (let i = 0; i < samples.length; i += 8) {
      const results = await Promise.all(samples.slice(i, i + 8).map((msgs) => stream(msgs)));
      for (const r of results) {
        expect(r.status).toBe(grpc.status.OK);
        for (const a of r.answers) {
          expect(kinds.has(a.response)).toBe(true);
          if (a.response === 'immediate_response') {
            immediate++;
            const code = a.immediate_response.status.code;
            expect(['OK', 'BadRequest', 'NotFound', 'PayloadTooLarge', 'TooManyRequests', 'ServiceUnavailable', 'Forbidden']).toContain(code);
            const body = Buffer.from(a.immediate_response.body).toString();
            if (code !== 'OK') expect(typeof JSON.parse(body).error.message).toBe('string');
          }
        }
      }
    }
    expect(immediate).toBeGreaterThan(10);
  }, 120_000);

  it(`${Math.round(300 * SCALE)} frames that are not protobuf → the call fails with a gRPC status, the server keeps serving`, async () => {
    // A client whose serializer sends the bytes as they are: the server's protobuf decoder gets garbage.
    const Raw = grpc.makeGenericClientConstructor(
      { Process: { path: '/envoy.service.ext_proc.v3.ExternalProcessor/Process', requestStream: true, responseStream: true, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b } },
      'ExternalProcessor',
    );
    const raw = new Raw(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure()) as grpc.Client & { Process(): grpc.ClientDuplexStream<Buffer, Buffer> };
    try {
      const frames = fc.sample(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 4 }), { numRuns: Math.round(300 * SCALE), seed: SEED });
      for (const msgs of frames) {
        const status = await new Promise<number>((resolve, reject) => {
          const call = raw.Process();
          const timer = setTimeout(() => reject(new Error('raw ext_proc stream did not end within 10 s')), 10_000);
          call.on('data', () => {});
          call.on('error', (e: grpc.ServiceError) => (clearTimeout(timer), resolve(e.code)));
          call.on('end', () => (clearTimeout(timer), resolve(grpc.status.OK)));
          for (const m of msgs) call.write(Buffer.from(m));
          call.end();
        });
        // Garbage that happens to decode is answered (OK); anything else ends with a status, never a hang.
        expect(typeof status).toBe('number');
      }
    } finally {
      raw.close();
    }
    const ok = await extProcExchange(client, [
      { request_headers: { headers: { headers: [{ key: ':path', raw_value: Buffer.from('/v1/chat/completions') }] } } },
      { request_body: { body: Buffer.from('{"model":"auto","messages":[{"role":"user","content":"integral of x"}]}'), end_of_stream: true } },
    ]);
    expect(ok[1].request_body.response.body_mutation).toBeDefined();
  }, 120_000);
});

describe('semroute validate under fuzzing', () => {
  const DEFAULT = readFileSync(fileURLToPath(new URL('../../core/config/default.yaml', import.meta.url)), 'utf8');
  const lines = DEFAULT.split('\n');
  const scalar = fc.constantFrom('0', '-1', '1e400', 'true', 'null', '~', '[]', '{}', '"x"', 'qwen3-8b', '[a, [b', '{a: 1', '*anchor', '&a b', '!!binary AAAA', "'", '|', '\t', 'ü漢😀', '0x1F');
  /** A mutation of the default config: drop / duplicate / re-indent a line, replace a value, cut the file, or insert bytes. */
  const mutated = fc.array(
    fc.oneof(
      fc.nat().map((i) => (ls: string[]) => ls.filter((_, k) => k !== i % ls.length)),
      fc.nat().map((i) => (ls: string[]) => [...ls.slice(0, i % ls.length), ls[i % ls.length]!, ...ls.slice(i % ls.length)]),
      fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 })).map(([i, d]) => (ls: string[]) => ls.map((l, k) => (k === i % ls.length ? (d > 0 ? ' '.repeat(d) + l : l.slice(-d)) : l))),
      fc.tuple(fc.nat(), scalar).map(([i, v]) => (ls: string[]) => ls.map((l, k) => (k === i % ls.length && l.includes(':') ? `${l.slice(0, l.indexOf(':') + 1)} ${v}` : l))),
      fc.nat().map((i) => (ls: string[]) => ls.slice(0, 1 + (i % ls.length))),
      fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 12 })).map(([i, junk]) => (ls: string[]) => ls.map((l, k) => (k === i % ls.length ? l + junk : l))),
    ),
    { minLength: 1, maxLength: 4 },
  ).map((ms) => ms.reduce((ls, m) => m(ls), lines).join('\n'));

  it(`${Math.round(1_000 * SCALE)} mutated configs: exit 0, or exit 1 with path-annotated errors; never a crash`, async () => {
    const samples = fc.sample(mutated, { numRuns: Math.round(1_000 * SCALE), seed: SEED });
    const file = tmpFile('mutated.yaml', '');
    const codes = new Map<number | undefined, number>();
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
    try {
      for (const [i, text] of samples.entries()) {
        writeFileSync(file, text);
        out = '';
        err = '';
        const code = await main(['validate', file]);
        codes.set(code, (codes.get(code) ?? 0) + 1);
        const context = `mutated config #${i} (seed ${SEED}): exit ${code}\n${err.slice(0, 400)}`;
        if (code === 0) expect(out, context).toMatch(/: ok — \d+ model\(s\)/);
        else {
          expect(code, context).toBe(1);
          // The structured report (not main()'s catch-all for an unexpected exception), with no stack trace.
          expect(err, context).toMatch(/: invalid \(\d+ errors?\)\n/);
          expect(err, context).not.toMatch(/\n\s+at /);
        }
      }
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    expect(codes.get(1)).toBeGreaterThan(samples.length / 4);
    expect(codes.get(0)).toBeGreaterThan(0);
  }, 120_000);
});
