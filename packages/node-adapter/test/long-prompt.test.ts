/**
 * Issue 19: "a new user's first long prompt fails" — a 40,000-character benign prompt sent to `semroute serve` with the
 * default config and the built-in mock backend must be answered 200 and routed (JSON and streamed). The reported 502
 * could not be reproduced; this keeps the case covered. Real bundled model, default config, loopback sockets.
 */
import { DEFAULT_CONFIG_YAML } from '@semroute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { chat, post, tmpFile } from './helpers.js';

const PROSE =
  'The history of the Roman aqueducts shows how engineers moved water across long distances using gravity alone. Builders measured gentle ' +
  'slopes over many miles, lined channels with waterproof mortar, and raised arches across valleys so that cities could enjoy fountains, ' +
  'baths and clean drinking water. ';
const LONG = PROSE.repeat(Math.ceil(40_000 / PROSE.length)).slice(0, 40_000);

let backend: MockBackend;
let srv: RunningServer;

beforeAll(async () => {
  backend = await startMockBackend({ port: 0, host: '127.0.0.1', name: 'mock' });
  const yaml = DEFAULT_CONFIG_YAML.replaceAll('127.0.0.1:8802', `127.0.0.1:${backend.port}`);
  srv = await serve({ configPath: tmpFile('default-config.yaml', yaml), host: '127.0.0.1', port: 0, grpcPort: null, classifier: 'auto', threads: 1, logLevel: 'silent', watch: false, requireModel: true });
  await srv.host.loaded;
}, 120_000);

afterAll(async () => {
  await srv?.close(1000);
  await backend?.close();
});

describe('a 40,000-character benign prompt with the default config and the built-in mock backend', () => {
  it('is answered 200 and routed, as JSON and as a stream', async () => {
    const json = await post(`${srv.url}/v1/chat/completions`, chat(LONG));
    expect(json.status).toBe(200);
    expect(json.headers.get('x-vsr-selected-decision')).toMatch(/_decision$/);
    const streamed = await fetch(`${srv.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...chat(LONG), stream: true }),
    });
    expect(streamed.status).toBe(200);
    const body = await streamed.text();
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  }, 120_000);
});
