/**
 * Transport to the LLM backends: one keep-alive undici Agent, weighted ordering of a model's `backend_refs`,
 * connect / first-byte / idle timeouts, API keys from the environment. No routing decisions here:
 * which model to call comes from the core's RouteResult.
 * @module
 */
import { Agent, request, type Dispatcher } from 'undici';

export interface UpstreamTimeouts {
  /** TCP (+TLS) connect timeout. */
  connectMs: number;
  /** Time from request sent to the response head (first byte). */
  firstByteMs: number;
  /** Maximum silence between two body chunks. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<UpstreamTimeouts> = Object.freeze({ connectMs: 5_000, firstByteMs: 120_000, idleMs: 60_000 });

/** One `backend_refs[]` entry as it appears in the config (vSR shape, plus our `api_key_env`). */
export interface BackendRef {
  name?: string;
  endpoint?: string;
  protocol?: string;
  weight?: number;
  api_key_env?: string;
  apiKeyEnv?: string;
  path?: string;
}

/** A backend ready to be called. */
export interface UpstreamTarget {
  readonly name: string;
  /** Full URL of the chat-completions endpoint. */
  readonly url: string;
  /** Name of the env var holding the API key (the key itself is read at call time, never stored or logged). */
  readonly apiKeyEnv?: string;
}

/** `127.0.0.1:8000` + `http` → `http://127.0.0.1:8000/v1/chat/completions`; a base ending in `/v1` gets `/chat/completions`. */
export function chatCompletionsUrl(ref: BackendRef): string {
  let endpoint = (ref.endpoint ?? '').trim();
  if (!/^https?:\/\//i.test(endpoint)) endpoint = `${ref.protocol === 'https' ? 'https' : 'http'}://${endpoint}`;
  const u = new URL(endpoint);
  let path = (ref.path ?? u.pathname).replace(/\/+$/, '');
  if (path.endsWith('/chat/completions')) {
    // already complete
  } else if (path === '' ) path = '/v1/chat/completions';
  else path = `${path}/chat/completions`;
  u.pathname = path;
  return u.toString();
}

export function toTarget(ref: BackendRef, index: number): UpstreamTarget {
  const apiKeyEnv = ref.api_key_env ?? ref.apiKeyEnv;
  return { name: ref.name ?? `backend-${index}`, url: chatCompletionsUrl(ref), ...(apiKeyEnv ? { apiKeyEnv } : {}) };
}

/**
 * Weighted random order without replacement (load balancing, not routing): the first element is picked with
 * probability weight/total, the next among the rest, and so on. Weight 0 entries come last.
 */
export function weightedOrder<T extends { weight?: number }>(refs: readonly T[], rnd: () => number = Math.random): T[] {
  const pool = refs.map((r) => ({ r, w: Math.max(0, Number.isFinite(r.weight) ? (r.weight as number) : 1) }));
  const out: T[] = [];
  while (pool.length) {
    const total = pool.reduce((s, p) => s + p.w, 0);
    let i = 0;
    if (total > 0) {
      let x = rnd() * total;
      for (i = 0; i < pool.length - 1; i++) {
        x -= pool[i]!.w;
        if (x < 0) break;
      }
    }
    out.push(pool[i]!.r);
    pool.splice(i, 1);
  }
  return out;
}

/** Headers a proxy must not forward (hop-by-hop) or that we set ourselves. */
const DROP = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'content-length', 'expect', 'accept-encoding',
]);

export class Upstream {
  readonly agent: Agent;
  constructor(readonly timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectMs },
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
      keepAliveTimeout: 30_000,
      connections: 256,
      pipelining: 1,
    });
  }

  /**
   * Send a chat-completions body to one backend. Resolves with the response head and body stream; rejects on
   * connect / first-byte timeout or socket error. The caller owns the body stream.
   */
  send(
    target: UpstreamTarget,
    body: string,
    clientHeaders: Readonly<Record<string, string | string[] | undefined>>,
    extraHeaders: Readonly<Record<string, string>>,
    removeHeaders: readonly string[],
    signal: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(clientHeaders)) {
      if (v === undefined || DROP.has(k) || k.startsWith('x-vsr-') || k.startsWith('x-semroute-')) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    for (const k of removeHeaders) delete headers[k];
    Object.assign(headers, extraHeaders);
    headers['content-type'] = 'application/json';
    if (target.apiKeyEnv) {
      const key = process.env[target.apiKeyEnv];
      if (key) headers.authorization = `Bearer ${key}`;
      else delete headers.authorization;
    }
    return request(target.url, { method: 'POST', headers, body, signal, dispatcher: this.agent });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}
