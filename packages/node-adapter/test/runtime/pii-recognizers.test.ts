/**
 * PII recognizers switched and added by config, on the real bundled model through `createRouter` (the classifier runs
 * in a worker thread, so the settings cross to it as data): every span names its recognizer, a disabled recognizer's
 * spans are gone, a custom pattern recognizer finds its entity with the context boost, and the decision trace names
 * the recognizers behind a PII signal without any prompt text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Router, createRouter, defaultConfig } from '@semroute/node-adapter';
import { chat, defaultConfigWith } from '../helpers.js';

const PROMPT = 'Hi, I am Laila Hansen, employee id EMP-123456. Mail laila@example.com or call +1 (415) 555-0132 next Friday at 9pm.';
const withPii = (pii: Record<string, unknown>) => defaultConfigWith((c) => Object.assign(c.global.classifier.pii, pii));

let router: Router;
beforeAll(async () => {
  router = await createRouter({ threads: 2 });
}, 60_000);
afterAll(async () => {
  await router?.dispose();
});

const found = async () => {
  const s = await router.classify(PROMPT, { heads: ['pii'] });
  return (s.pii ?? []).filter((p) => p.score >= 0.4).map((p) => [p.type, PROMPT.slice(p.start, p.end), p.recognizer]);
};

describe('PII recognizers from config (real model)', () => {
  it('default config: every span names the recognizer that found it', async () => {
    router.setConfig(defaultConfig());
    const spans = await found();
    expect(spans).toContainEqual(['EMAIL_ADDRESS', 'laila@example.com', 'email']);
    expect(spans).toContainEqual(['PHONE_NUMBER', '+1 (415) 555-0132', 'phone_number']);
    expect(spans).toContainEqual(['DATE_TIME', 'next Friday at 9pm', 'date_time']);
    for (const s of spans) expect(typeof s[2]).toBe('string');
  });

  it('disabled recognizers and a custom pattern recognizer with context words', async () => {
    router.setConfig(withPii({
      recognizers: { date_time: { enabled: false }, phone_number: { enabled: false } },
      custom_recognizers: [{ name: 'employee_id', entity: 'EMPLOYEE_ID', patterns: [{ regex: String.raw`\bEMP-\d{6}\b`, score: 0.3 }], context: ['employee'] }],
    }));
    const spans = await found();
    expect(spans).toContainEqual(['EMPLOYEE_ID', 'EMP-123456', 'employee_id']); // 0.3 + 0.35 for "employee"
    expect(spans.filter((s) => s[2] === 'date_time' || s[2] === 'phone_number')).toEqual([]);
    expect(spans).toContainEqual(['EMAIL_ADDRESS', 'laila@example.com', 'email']);
  });

  it('the decision trace names the recognizers behind a PII signal, and holds no prompt text', async () => {
    router.setConfig(withPii({
      custom_recognizers: [{ name: 'employee_id', entity: 'EMPLOYEE_ID', patterns: [{ regex: String.raw`\bEMP-\d{6}\b`, score: 0.9 }] }],
    }));
    const r = await router.route(chat(PROMPT));
    const signal = r.decision.trace.signals.find((s) => s.type === 'pii' && s.name === 'sensitive_pii')!;
    expect(signal.value).toContain('EMPLOYEE_ID'); // not in the default's allowed list: blocked
    expect(signal.recognizers).toContain('employee_id');
    expect(r.decision.blocked?.reason).toBe('pii');
    const trace = JSON.stringify(r.decision.trace);
    for (const secret of ['EMP-123456', 'laila@example.com', 'Laila']) expect(trace).not.toContain(secret);
  });
});
