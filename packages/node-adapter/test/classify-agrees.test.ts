/**
 * One answer per prompt: `POST /api/v1/classify` must report the category and decision a chat request with the same
 * prompt routes on, including when the classifier's top category is below `global.classifier.domain.threshold` and
 * the request falls back to `fallback_category`. Real bundled model, default config, loopback sockets.
 */
import { DEFAULT_CONFIG_YAML } from '@semroute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { chat, post, tmpFile } from './helpers.js';

let backend: MockBackend;
let srv: RunningServer;

beforeAll(async () => {
  backend = await startMockBackend({ port: 0, host: '127.0.0.1', name: 'mock' });
  const yaml = DEFAULT_CONFIG_YAML.replaceAll('127.0.0.1:8802', `127.0.0.1:${backend.port}`);
  const configPath = tmpFile('default-config.yaml', yaml);
  srv = await serve({ configPath, host: '127.0.0.1', port: 0, grpcPort: null, classifier: 'auto', threads: 1, logLevel: 'silent', watch: false, requireModel: true });
  await srv.host.loaded;
  expect(srv.host.classifierState).toBe('loaded');
}, 120_000);

afterAll(async () => {
  await srv?.close(1000);
  await backend?.close();
});

// The first two scored their top category below the default threshold (0.4) with the shipped model when this test
// was written (history 0.38, law 0.39 → `other`); the last two are well above it. The third, a request with no topic at
// all, stays far below the threshold whatever the domain head learns (math 0.18 → `other` with the domain n-gram path
// v2; "What do bridges and proteins have in common?", used before, rose to 0.42 with it).
const PROMPTS = [
  'Summarize this meeting: we discussed budgets and timelines',
  'Draft an email to my landlord about the broken heater',
  'Can you help me with this?',
  'What is the derivative of sin x?',
  'Is a verbal contract binding in court?',
];

describe('classify and chat give one answer', () => {
  it('same category and decision for every prompt, with the low-confidence fallback applied to both', async () => {
    let fellBack = 0;
    for (const text of PROMPTS) {
      const routed = await post(`${srv.url}/v1/chat/completions`, chat(text));
      expect(routed.status, text).toBe(200);
      const classified = await post(`${srv.url}/api/v1/classify`, { text });
      expect(classified.status, text).toBe(200);
      const rec = classified.json as { category: string; confidence: number; topCategory?: string; decision: string; model: string };
      expect(rec.category, text).toBe(routed.headers.get('x-vsr-selected-category'));
      expect(rec.decision, text).toBe(routed.headers.get('x-vsr-selected-decision'));
      expect(rec.model, text).toBe(routed.headers.get('x-vsr-selected-model'));
      if (rec.confidence < 0.4) {
        fellBack++;
        expect(rec.category, text).toBe('other');
        expect(rec.topCategory, text).toBeDefined();
        expect(rec.topCategory, text).not.toBe('other');
      } else {
        expect(rec.topCategory, text).toBeUndefined();
      }
      // The domain-only endpoint (heads: domain) settles the category the same way.
      const intent = await post(`${srv.url}/api/v1/classify/intent`, { text });
      expect((intent.json as { category: string }).category, text).toBe(rec.category);
    }
    // Without a prompt below the threshold this test would not cover the fallback: keep at least one in PROMPTS.
    expect(fellBack).toBeGreaterThan(0);
  }, 120_000);
});
