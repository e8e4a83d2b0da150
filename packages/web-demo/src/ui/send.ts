import type { ChatCompletionRequest } from '@semroute/core/browser';
import type { DeviceCache } from '@semroute/core/browser-cache';
import { formatMs, h, replace } from '../dom.js';
import type { Analysis, Turn } from '../types.js';

export const CLIENT_DECISION_HEADER = 'x-semroute-client-decision';

export interface SendContext {
  /** The conversation as typed. */
  turns(): Turn[];
  /** Analyse the current conversation now (flushes the debounce); undefined while the model is loading. */
  analyze(): Promise<Analysis | undefined>;
  /** The conversation with PII replaced, per the client analysis. */
  redactedTurns(turns: Turn[], a: Analysis): Turn[];
  /** The on-device response cache; undefined while the model is loading. */
  cache(): DeviceCache | undefined;
}

function defaultServer(): string {
  const q = new URLSearchParams(location.search).get('server');
  if (q) return q;
  const saved = safeStorage('semroute.server');
  if (saved) return saved;
  // Served by `semroute serve` itself: same origin.
  if (location.port === '8801') return location.origin;
  return 'http://127.0.0.1:8801';
}

function safeStorage(key: string, value?: string): string | null {
  try {
    if (value !== undefined) localStorage.setItem(key, value);
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Header values must be ASCII: escape everything else in the JSON. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createSendPanel(ctx: SendContext): { el: HTMLElement; send(): void } {
  const url = h('input', {
    type: 'url',
    value: defaultServer(),
    'aria-label': 'semroute server URL',
    dataset: { testid: 'server-url' },
    onchange: () => safeStorage('semroute.server', url.value.trim()),
  });
  const redact = h('input', { type: 'checkbox', checked: true, dataset: { testid: 'redact-toggle' } });
  const streamBox = h('input', { type: 'checkbox', checked: true, dataset: { testid: 'stream-toggle' } });
  const button = h('button', { class: 'btn primary', type: 'button', dataset: { testid: 'send' }, title: 'Send (Ctrl+Enter)' }, 'Send');
  const stop = h('button', { class: 'btn', type: 'button', hidden: true }, 'Stop');
  const status = h('div', { class: 'status-line', role: 'status', dataset: { testid: 'send-status' } });
  const answer = h('div', { class: 'answer', dataset: { testid: 'answer' }, 'aria-live': 'polite', 'aria-label': 'answer' });
  const useCache = h('input', { type: 'checkbox', checked: true, dataset: { testid: 'cache-toggle' } });
  const cacheStatus = h('div', { class: 'status-line', role: 'status', dataset: { testid: 'cache-status' } });
  const clearCache = h('button', { class: 'btn', type: 'button', dataset: { testid: 'cache-clear' }, title: 'Forget every answer stored on this device' }, 'Clear device cache');
  const showEntries = async (prefix: string) => {
    const c = ctx.cache();
    const n = c ? (await c.stats()).entries : 0;
    cacheStatus.textContent = `${prefix}${prefix ? ' · ' : ''}${n} answer${n === 1 ? '' : 's'} stored on this device`;
  };
  clearCache.addEventListener('click', () => {
    void ctx
      .cache()
      ?.clear()
      .then(() => showEntries('Device cache cleared'));
  });
  const compare = h('div', { dataset: { testid: 'send-compare' } }, h('p', { class: 'hint' }, 'The server’s x-vsr-* headers appear here next to the client decision.'));
  let ac: AbortController | undefined;

  const send = async () => {
    if (ac) return;
    const server = url.value.trim().replace(/\/+$/, '');
    if (!/^https?:\/\//.test(server)) {
      status.textContent = 'Enter the server URL, e.g. http://127.0.0.1:8801';
      status.classList.add('err');
      return;
    }
    status.classList.remove('err');
    status.textContent = 'Deciding on this device…';
    answer.textContent = '';
    delete answer.dataset.done;
    delete answer.dataset.source;
    const a = await ctx.analyze();
    const turns = ctx.turns();
    const messages = a && redact.checked ? ctx.redactedTurns(turns, a) : turns;
    const body = { model: 'auto', stream: streamBox.checked, messages: messages.filter((m) => m.content.length > 0) };
    // The device cache first: a hit answers without any request leaving the page.
    const cache = useCache.checked ? ctx.cache() : undefined;
    const cacheRequest = body as ChatCompletionRequest;
    if (cache) {
      const found = await cache.lookup(cacheRequest);
      if (found.hit) {
        const choices = (found.completion?.choices ?? []) as { message?: { content?: string } }[];
        answer.textContent = choices[0]?.message?.content ?? '';
        answer.dataset.done = 'true';
        answer.dataset.source = 'device-cache';
        cacheStatus.dataset.hit = 'true';
        cacheStatus.dataset.similarity = (found.similarity ?? 0).toFixed(4);
        await showEntries(`Device cache hit · similarity ${(found.similarity ?? 0).toFixed(4)} · no request sent`);
        status.textContent = `Answered from this device (decision ${found.route.decision.decision})`;
        return;
      }
      cacheStatus.dataset.hit = 'false';
      delete cacheStatus.dataset.similarity;
      await showEntries(found.reason ? `Device cache skipped (${found.reason})` : 'Device cache miss');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-vsr-debug': 'true' };
    if (a) headers[CLIENT_DECISION_HEADER] = asciiJson(a.hint);

    ac = new AbortController();
    button.disabled = true;
    stop.hidden = false;
    const t0 = performance.now();
    let firstByte: number | undefined;
    status.textContent = `Sending to ${server}${a && redact.checked && a.pii.length ? ` (${a.pii.length} PII span${a.pii.length === 1 ? '' : 's'} redacted)` : ''}…`;
    try {
      const res = await fetch(`${server}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body), signal: ac.signal, mode: 'cors' });
      const serverHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        if (k.startsWith('x-vsr-') || k.startsWith('x-semroute-') || k === 'x-selected-model') serverHeaders[k] = v;
      });
      renderCompare(compare, a, serverHeaders, res.status);
      if (!res.ok && !(res.headers.get('content-type') ?? '').includes('event-stream')) {
        const text = await res.text();
        answer.textContent = errorText(text);
        status.textContent = `HTTP ${res.status}`;
        status.classList.add('err');
        return;
      }
      const ct = res.headers.get('content-type') ?? '';
      let completion: unknown;
      if (ct.includes('text/event-stream') && res.body) {
        let text = '';
        const end = await readSse(res.body, (delta) => {
          firstByte ??= performance.now() - t0;
          text += delta;
          answer.append(delta);
          answer.scrollTop = answer.scrollHeight;
        });
        if (end.done && !end.error) completion = { object: 'chat.completion', model: end.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: end.finishReason }] };
      } else {
        const json = (await res.json()) as { choices?: { message?: { content?: string } }[] };
        firstByte = performance.now() - t0;
        answer.textContent = json.choices?.[0]?.message?.content ?? JSON.stringify(json);
        completion = json;
      }
      answer.dataset.source = 'server';
      if (cache && res.ok && completion) {
        const stored = await cache.store(cacheRequest, completion);
        await showEntries(stored ? 'Answer stored on this device' : 'Answer not stored (cut off, a tool call, or not cacheable)');
      }
      status.textContent = `HTTP ${res.status} · first token ${formatMs(firstByte)} · done ${formatMs(performance.now() - t0)}`;
      answer.dataset.done = 'true';
    } catch (e) {
      if ((e as Error).name === 'AbortError') status.textContent = 'Stopped.';
      else {
        status.classList.add('err');
        status.textContent = `Could not reach ${server}: ${(e as Error).message}. Is \`semroute serve\` running, and does it allow CORS from ${location.origin}?`;
      }
    } finally {
      ac = undefined;
      button.disabled = false;
      stop.hidden = true;
    }
  };

  button.addEventListener('click', () => void send());
  stop.addEventListener('click', () => ac?.abort());

  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'send-title', dataset: { testid: 'send-panel' } },
    h('div', { class: 'card-head' }, h('h2', { id: 'send-title' }, 'Send to a semroute server')),
    h('div', { class: 'row' }, h('label', { class: 'sr-only', for: 'server-url' }, 'Server URL'), Object.assign(url, { id: 'server-url' }), button, stop),
    h(
      'div',
      { class: 'row', style: 'margin-top:6px' },
      h('label', { class: 'check' }, redact, 'Redact PII before sending'),
      h('label', { class: 'check' }, streamBox, 'Stream'),
      h('label', { class: 'check', title: 'Look the prompt up in this device’s response cache (IndexedDB) before sending, and store the answer' }, useCache, 'Device cache'),
      clearCache,
      h('span', { class: 'hint' }, 'The client decision goes along as ', h('code', null, CLIENT_DECISION_HEADER), '.'),
    ),
    status,
    cacheStatus,
    h('div', { class: 'send-grid' }, h('div', null, h('h3', { class: 'hint' }, 'Answer'), answer), h('div', null, h('h3', { class: 'hint' }, 'Client vs server'), compare)),
  );
  return { el, send: () => void send() };
}

function errorText(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: string } };
    return j.error?.message ?? text;
  } catch {
    return text;
  }
}

/** How an SSE stream ended: `[DONE]` seen, the last finish_reason, an error event, the model named. */
interface SseEnd {
  done: boolean;
  finishReason: string | null;
  error: boolean;
  model: string;
}

/** Reads an OpenAI SSE stream, calling onDelta with each content delta. */
async function readSse(body: ReadableStream<Uint8Array>, onDelta: (text: string) => void): Promise<SseEnd> {
  const end: SseEnd = { done: false, finishReason: null, error: false, model: '' };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let idx: number;
    while ((idx = buf.search(/\r?\n\r?\n/)) >= 0) {
      const event = buf.slice(0, idx);
      buf = buf.slice(idx).replace(/^\r?\n\r?\n/, '');
      for (const line of event.split(/\r?\n/)) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') end.done = true;
        if (!data || data === '[DONE]') continue;
        try {
          const j = JSON.parse(data) as { model?: string; choices?: { delta?: { content?: string }; message?: { content?: string }; finish_reason?: string | null }[]; error?: { message?: string } };
          const c = j.choices?.[0];
          const text = c?.delta?.content ?? c?.message?.content;
          if (text) onDelta(text);
          if (c?.finish_reason) end.finishReason = c.finish_reason;
          if (typeof j.model === 'string' && !end.model) end.model = j.model;
          if (j.error?.message) {
            end.error = true;
            onDelta(`\n[error] ${j.error.message}`);
          }
        } catch {
          /* keep-alive or non-JSON line */
        }
      }
    }
  }
  return end;
}

function renderCompare(el: HTMLElement, a: Analysis | undefined, server: Record<string, string>, status: number): void {
  const rows: [string, string | undefined, string | undefined][] = [
    ['decision', a?.decision, server['x-vsr-selected-decision']],
    ['model', a?.model, server['x-vsr-selected-model']],
    ['reasoning', a ? (a.reasoning ? 'on' : 'off') : undefined, server['x-vsr-selected-reasoning']],
    ['category', a?.category, server['x-vsr-selected-category']],
    ['path', a?.path, server['x-vsr-response-path']],
  ];
  const shown = new Set(['x-vsr-selected-decision', 'x-vsr-selected-model', 'x-vsr-selected-reasoning', 'x-vsr-selected-category', 'x-vsr-response-path']);
  const extra = Object.entries(server).filter(([k]) => !shown.has(k));
  const table = h(
    'table',
    { class: 'kvt', dataset: { testid: 'compare-table' } },
    h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'client'), h('th', null, 'server'))),
    h(
      'tbody',
      null,
      rows.map(([k, c, s]) =>
        h(
          'tr',
          null,
          h('th', null, k),
          h('td', null, c ?? '–'),
          h('td', { class: c !== undefined && s !== undefined ? (c === s ? 'same' : 'diff') : '', dataset: { header: k } }, s ?? '–'),
        ),
      ),
    ),
  );
  const headerTable = h(
    'table',
    { class: 'kvt', dataset: { testid: 'server-headers' }, style: 'margin-top:8px' },
    h('tbody', null, extra.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))),
  );
  const hintStatus = Object.entries(server).find(([k]) => /client|hint/.test(k));
  const agree = a && server['x-vsr-selected-decision'] !== undefined && server['x-vsr-selected-decision'] === a.decision && server['x-vsr-selected-model'] === a.model;
  const verdict = a
    ? h(
        'div',
        { class: `verdict ${agree ? 'ok' : 'warn'}`, dataset: { testid: 'send-verdict' } },
        hintStatus ? `Server ${hintStatus[1]} the client hint. ` : '',
        agree
          ? 'The server re-checked the prompt and agrees with the client decision.'
          : server['x-vsr-selected-decision']
            ? 'The server re-checked the prompt and decided differently (its decision is what served the request).'
            : `HTTP ${status}: no routing headers visible (a server on another origin must expose x-vsr-* via CORS).`,
      )
    : h('div', { class: 'verdict warn' }, 'Model not loaded: sent without a client decision.');
  replace(el, table, verdict, extra.length ? headerTable : null);
}
