/**
 * The "done when", on the real bundled model and the bundled default config over loopback: `/v1/responses`
 * routes a math prompt to the reasoning model with the vSR headers, streams, and a follow-up with
 * `previous_response_id` continues on the same model (sticky session); the same follow-up sent as a chat request with
 * the conversation in `messages` stays too, and a real topic switch moves.
 */
import { DEFAULT_CONFIG_YAML } from '@semroute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockBackend, type MockBackend } from '../src/mock-backend.js';
import { serve, type RunningServer } from '../src/serve.js';
import { post, tmpFile } from './helpers.js';

let backend: MockBackend;
let srv: RunningServer;

beforeAll(async () => {
  backend = await startMockBackend({ port: 0, host: '127.0.0.1', name: 'mock' });
  const configPath = tmpFile('default-config.yaml', DEFAULT_CONFIG_YAML.replaceAll('127.0.0.1:8802', `127.0.0.1:${backend.port}`));
  srv = await serve({ configPath, host: '127.0.0.1', port: 0, grpcPort: null, classifier: 'auto', threads: 1, logLevel: 'silent', watch: false, requireModel: true });
  await srv.host.loaded;
}, 120_000);

afterAll(async () => {
  await srv?.close(1000);
  await backend?.close();
});

const MATH = 'Find all real solutions of x^2 - 5x + 6 = 0';
const FOLLOW_UP = "explain it like I'm five please";

describe('Responses API and sessions on the shipped model', () => {
  it('math → the reasoning model, streamed; previous_response_id continues on the same model', async () => {
    const r = await post(`${srv.url}/v1/responses`, { model: 'auto', input: MATH, stream: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-vsr-selected-model')).toBe('qwen3-32b');
    expect(r.headers.get('x-vsr-selected-category')).toBe('math');
    expect(r.headers.get('x-vsr-selected-reasoning')).toBe('on');
    expect(backend.received.at(-1)).toMatchObject({ api: 'chat', model: 'qwen3-32b', stream: true, chat_template_kwargs: { enable_thinking: true } });
    const last = r.text.trim().split('\n\n').at(-1)!;
    expect(last.startsWith('event: response.completed')).toBe(true);
    const id = (JSON.parse(last.split('\n')[1]!.slice(6)) as { response: { id: string } }).response.id;

    // On its own the follow-up routes to the general model without reasoning.
    const alone = await post(`${srv.url}/v1/responses`, { model: 'auto', input: FOLLOW_UP, store: false });
    expect(alone.headers.get('x-vsr-selected-model')).toBe('qwen3-8b');
    const f = await post(`${srv.url}/v1/responses`, { model: 'auto', input: FOLLOW_UP, previous_response_id: id });
    expect(f.status).toBe(200);
    expect(f.headers.get('x-vsr-selected-model')).toBe('qwen3-32b');
    expect(f.headers.get('x-vsr-selected-reasoning')).toBe('on');
    expect(backend.received.at(-1)).toMatchObject({ model: 'qwen3-32b', messages: 3, chat_template_kwargs: { enable_thinking: true } });
  });

  it('chat: the follow-up stays with the conversation in messages, and a real topic switch moves', async () => {
    const convo = (...turns: string[]) => ({
      model: 'auto',
      messages: turns.flatMap((t, i) => (i ? [{ role: 'assistant', content: 'x = 2 or x = 3.' }, { role: 'user', content: t }] : [{ role: 'user', content: t }])),
    });
    expect((await post(`${srv.url}/v1/chat/completions`, convo(FOLLOW_UP))).headers.get('x-vsr-selected-model')).toBe('qwen3-8b');
    const stay = await post(`${srv.url}/v1/chat/completions`, convo(MATH, FOLLOW_UP));
    expect(stay.headers.get('x-vsr-selected-model')).toBe('qwen3-32b');
    const marker = stay.headers.get('x-semroute-session')!;
    expect(marker).toMatch(/^s1\./);
    const move = await post(`${srv.url}/v1/chat/completions`, convo(MATH, FOLLOW_UP, 'Switching topics: what caused the fall of the Western Roman Empire?'));
    expect(move.headers.get('x-vsr-selected-model')).toBe('qwen3-8b');
    expect(move.headers.get('x-vsr-selected-reasoning')).toBe('off');
    // The marker alone carries the session: the client may send only the new turn.
    const viaMarker = await post(`${srv.url}/v1/chat/completions`, convo(FOLLOW_UP), { 'x-semroute-session': marker });
    expect(viaMarker.headers.get('x-vsr-selected-model')).toBe('qwen3-32b');
  });
});
