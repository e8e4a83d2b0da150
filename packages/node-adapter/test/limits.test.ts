/**
 * global.limits on the real servers (HTTP and ext_proc over sockets): a full classification queue answers 429 with
 * Retry-After and an OpenAI error; a routing deadline blocks (503) or goes to the default model, as configured; the
 * queue, the rejections and the deadline fallbacks show in /metrics; ext_proc bounds the body it holds.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classifier, ClassifierSignals, ClassifyOptions } from '@semroute/core';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { loadExtProcService } from '../src/extproc/server.js';
import { serve, type RunningServer } from '../src/serve.js';
import { FakeClassifier, chat, extProcExchange, post, testConfigYaml, tmpFile, type ExtProcClient } from './helpers.js';

/** The fake classifier, but each call waits until the test opens the gate. */
class GatedClassifier implements Classifier {
  readonly backend = 'gated';
  readonly inner = new FakeClassifier();
  gate: Promise<void> = Promise.resolve();
  #open: () => void = () => {};
  close(): void {
    this.gate = new Promise((r) => (this.#open = r));
  }
  open(): void {
    this.#open();
  }
  async classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]> {
    await this.gate;
    return this.inner.classify(texts, options);
  }
  async dispose(): Promise<void> {}
}

let mock: MockBackend;
beforeAll(async () => {
  mock = await startMockBackend({ name: 'm' });
});
afterAll(async () => {
  await mock?.close();
});

async function start(limits: string, clf: Classifier, bodyLimit?: number): Promise<RunningServer> {
  const p = mock.port;
  const server = bodyLimit ? `server:\n  body_limit_bytes: ${bodyLimit}\n` : '';
  const yaml = `${server}${testConfigYaml({ qwenA: p, qwenB: p, gptoss: p, mistral: p })}global:\n  limits: ${limits}\n`;
  return serve({ configPath: tmpFile('c.yaml', yaml), host: '127.0.0.1', port: 0, grpcPort: 0, classifier: clf, logLevel: 'silent', watch: false });
}

const metric = async (srv: RunningServer, name: string) => {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : undefined;
};

function extProcClient(srv: RunningServer): ExtProcClient {
  const Svc = loadExtProcService();
  return new Svc(`127.0.0.1:${srv.extProc!.port}`, grpc.credentials.createInsecure()) as never;
}
const exchange = extProcExchange;
const headersMsg = { request_headers: { headers: { headers: [{ key: ':path', raw_value: Buffer.from('/v1/chat/completions') }] } } };
const bodyMsg = (s: string, end = true) => ({ request_body: { body: Buffer.from(s), end_of_stream: end } });

describe('admission control', () => {
  it('a full queue → 429 + Retry-After + OpenAI error, on HTTP and ext_proc; counted in /metrics; admitted again once it drains', async () => {
    const clf = new GatedClassifier();
    const srv = await start('{max_queued_requests: 2, routing_deadline_ms: 0}', clf);
    const client = extProcClient(srv);
    try {
      clf.close();
      const held = [post(`${srv.url}/v1/chat/completions`, chat('court contract')), post(`${srv.url}/v1/chat/completions`, chat('integral of x'))];
      while (srv.host.router.queue.requests < 2) await new Promise((r) => setTimeout(r, 5));
      expect(await metric(srv, 'semroute_classification_queue_requests')).toBe(2);
      expect(await metric(srv, 'semroute_classification_queue_characters')).toBe('court contract'.length + 'integral of x'.length);

      const refused = await post(`${srv.url}/v1/chat/completions`, chat('write a poem'));
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.json.error).toMatchObject({ type: 'rate_limit_error', code: 'router_overloaded', param: null });
      expect(refused.json.error.message).toContain('max_queued_requests');

      const grpcRefused = await exchange(client, [headersMsg, bodyMsg(JSON.stringify(chat('write a poem')))], 2);
      const ir = grpcRefused[1].immediate_response;
      expect(ir.status.code).toBe('TooManyRequests');
      expect(JSON.parse(Buffer.from(ir.body).toString()).error.code).toBe('router_overloaded');
      expect(await metric(srv, 'semroute_admission_rejections_total{reason="queue_full"}')).toBe(2);

      clf.open();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
      expect((await post(`${srv.url}/v1/chat/completions`, chat('write a poem'))).status).toBe(200);
      expect(await metric(srv, 'semroute_classification_queue_requests')).toBe(0);
    } finally {
      client.close();
      clf.open();
      await srv.close(200);
    }
  });
});

describe('routing deadline', () => {
  it('on_deadline: block → 503 routing_deadline_exceeded with Retry-After; nothing reaches the backend', async () => {
    const clf = new GatedClassifier();
    const srv = await start('{routing_deadline_ms: 50, on_deadline: block}', clf);
    const client = extProcClient(srv);
    try {
      clf.close();
      const before = mock.received.length;
      const r = await post(`${srv.url}/v1/chat/completions`, chat('integral of x'));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBeTruthy();
      expect(r.json.error).toMatchObject({ type: 'server_error', code: 'routing_deadline_exceeded' });
      expect(r.json.error.message).toContain('routing_deadline_ms (50 ms)');
      const out = await exchange(client, [headersMsg, bodyMsg(JSON.stringify(chat('integral of x')))], 2);
      expect(out[1].immediate_response.status.code).toBe('ServiceUnavailable');
      expect(mock.received.length).toBe(before);
      expect(await metric(srv, 'semroute_routing_deadline_exceeded_total{action="block"}')).toBe(2);
    } finally {
      client.close();
      clf.open();
      await srv.close(200);
    }
  });

  it('on_deadline: default_model → forwarded to the default model, header and metric say so', async () => {
    const clf = new GatedClassifier();
    const srv = await start('{routing_deadline_ms: 50, on_deadline: default_model}', clf);
    try {
      clf.close();
      const r = await post(`${srv.url}/v1/chat/completions`, chat('integral of x'));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-semroute-deadline')).toBe('exceeded-default-model');
      expect(r.json.mock_echo.model).toBe('qwen3-8b-instruct'); // the default model's provider id, not math's gpt-oss
      expect(await metric(srv, 'semroute_routing_deadline_exceeded_total{action="default_model"}')).toBe(1);
    } finally {
      clf.open();
      await srv.close(200);
    }
  });
});

describe('ext_proc body limit', () => {
  it('a streamed body past server.body_limit_bytes → 413 at once; the next request is routed as usual', async () => {
    const srv = await start('{}', new FakeClassifier(), 1_000);
    const client = extProcClient(srv);
    try {
      const chunk = 'x'.repeat(600);
      const out = await exchange(client, [headersMsg, bodyMsg(chunk, false), bodyMsg(chunk, false)], 3);
      const ir = out.find((m) => m.immediate_response)?.immediate_response;
      expect(ir.status.code).toBe('PayloadTooLarge');
      expect(JSON.parse(Buffer.from(ir.body).toString()).error.code).toBe('request_too_large');
      const ok = await exchange(client, [headersMsg, bodyMsg(JSON.stringify(chat('integral of x')))], 2);
      expect(ok[1].request_body.response.body_mutation).toBeDefined();
    } finally {
      client.close();
      await srv.close(200);
    }
  });
});
