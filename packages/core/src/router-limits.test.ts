/**
 * global.limits in Router.route: bounded classification queue (OverloadedError → 429), the routing deadline and its
 * fallback (block → DeadlineError/503, default_model → the default model with the trace and header saying so).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from './config/default-config-text.js';
import { loadConfigOrThrow } from './config/parse.js';
import { DeadlineError, OverloadedError } from './errors.js';
import { HEADERS } from './headers.js';
import { toHttpError } from './http/errors.js';
import { Router } from './router.js';
import type { Classifier, ClassifierSignals } from './signals/types.js';
import { parse } from 'yaml';

/** A classifier whose calls finish only when the test releases them (or after `autoMs`). */
class GatedClassifier implements Classifier {
  readonly backend = 'gated';
  readonly waiting: (() => void)[] = [];
  constructor(private readonly autoMs?: number) {}
  classify(texts: readonly string[]): Promise<ClassifierSignals[]> {
    const out = texts.map(() => ({ categoryScores: { math: 0.95 }, jailbreak: 0.99, pii: [], tokenCount: 1 }));
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(out));
      if (this.autoMs !== undefined) setTimeout(() => resolve(out), this.autoMs);
    });
  }
  release(): void {
    for (const f of this.waiting.splice(0)) f();
  }
  async dispose(): Promise<void> {}
}

function config(limits: Record<string, unknown>) {
  const doc = parse(DEFAULT_CONFIG_YAML) as Record<string, Record<string, unknown>>;
  doc.global = { ...(doc.global ?? {}), limits };
  return loadConfigOrThrow(doc);
}
const chat = (content: string) => ({ model: 'auto', messages: [{ role: 'user', content }] });

describe('global.limits', () => {
  it('defaults: 64 requests, 16M characters, 15 s deadline, block', () => {
    expect(loadConfigOrThrow(DEFAULT_CONFIG_YAML).global.limits).toEqual({
      max_queued_requests: 64,
      max_queued_characters: 16_000_000,
      routing_deadline_ms: 15_000,
      on_deadline: 'block',
    });
  });

  it('rejects bad values with the path', () => {
    expect(() => config({ max_queued_requests: 0 })).toThrow(/global\.limits\.max_queued_requests/);
    expect(() => config({ on_deadline: 'allow' })).toThrow(/global\.limits\.on_deadline/);
    expect(() => config({ routing_deadline: 5 })).toThrow(/global\.limits\.routing_deadline/);
  });

  it('max_queued_requests: one more request is refused before any work (429 + Retry-After), then admitted again', async () => {
    const clf = new GatedClassifier();
    const router = new Router({ config: config({ max_queued_requests: 2, routing_deadline_ms: 0 }), classifier: clf });
    const a = router.route(chat('one'));
    const b = router.route(chat('two'));
    await Promise.resolve();
    expect(router.queue).toEqual({ requests: 2, characters: 6 });
    const refused = await router.route(chat('three')).catch((e: unknown) => e);
    expect(OverloadedError.isError(refused)).toBe(true);
    const http = toHttpError(refused);
    expect(http.status).toBe(429);
    expect(http.headers['retry-after']).toBe('1');
    expect(http.body()).toMatchObject({ error: { type: 'rate_limit_error', code: 'router_overloaded', param: null } });
    expect(clf.waiting).toHaveLength(2); // the refused one never reached the classifier
    clf.release();
    await Promise.all([a, b]);
    expect(router.queue).toEqual({ requests: 0, characters: 0 });
    const c = router.route(chat('three'));
    clf.release();
    await Promise.resolve();
    clf.release();
    expect((await c).decision.decision).toBe('block_jailbreak');
  });

  it('max_queued_characters bounds the characters in flight; a lone request of any length is admitted', async () => {
    const clf = new GatedClassifier();
    const router = new Router({ config: config({ max_queued_characters: 10, routing_deadline_ms: 0 }), classifier: clf });
    const big = router.route(chat('x'.repeat(50)));
    await Promise.resolve();
    const refused = await router.route(chat('y')).catch((e: unknown) => e);
    expect(OverloadedError.isError(refused)).toBe(true);
    expect((refused as Error).message).toContain('max_queued_characters');
    clf.release();
    await big;
  });

  it('on_deadline: block → DeadlineError (503 routing_deadline_exceeded); the late classification stays counted until it ends', async () => {
    const clf = new GatedClassifier();
    const router = new Router({ config: config({ routing_deadline_ms: 30, on_deadline: 'block' }), classifier: clf });
    const err = await router.route(chat('a slow prompt')).catch((e: unknown) => e);
    expect(DeadlineError.isError(err)).toBe(true);
    const http = toHttpError(err);
    expect(http.status).toBe(503);
    expect(http.code).toBe('routing_deadline_exceeded');
    expect(http.headers['retry-after']).toBeDefined();
    expect(http.message).toContain('routing_deadline_ms (30 ms)');
    expect(http.message).not.toContain('a slow prompt');
    expect(router.queue.requests).toBe(1);
    clf.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(router.queue.requests).toBe(0);
  });

  it('on_deadline: default_model → the default model, no plugins, trace note and header', async () => {
    const clf = new GatedClassifier();
    const router = new Router({ config: config({ routing_deadline_ms: 30, on_deadline: 'default_model' }), classifier: clf });
    const r = await router.route(chat('solve this integral'));
    expect(r.deadlineExceeded).toBe(true);
    expect(r.blocked).toBeUndefined();
    expect(r.decision.model).toBe(router.config.providers.defaults.default_model);
    expect(r.headers[HEADERS.DEADLINE]).toBe('exceeded-default-model');
    expect(r.decision.trace.notes?.join(' ')).toMatch(/routing deadline passed.*on_deadline: default_model/);
    clf.release();
  });

  it('a classification that beats the deadline is used as usual', async () => {
    const router = new Router({ config: config({ routing_deadline_ms: 5_000 }), classifier: new GatedClassifier(5) });
    const r = await router.route(chat('hello'));
    expect(r.deadlineExceeded).toBeUndefined();
    expect(r.decision.decision).toBe('block_jailbreak');
  });
});
