/**
 * Transport to the LLM backends: one keep-alive undici Agent with connect / first-byte / idle timeouts, API keys
 * from the environment. Targets, weighted ordering and the upstream headers are the shared ones of
 * `@semroute/core/http`. No routing decisions here: which model to call comes from the core's RouteResult.
 * @module
 */
import { Agent, request, type Dispatcher } from 'undici';
import { upstreamRequestHeaders, type UpstreamTarget } from '@semroute/core/http';

export interface UpstreamTimeouts {
  /** TCP (+TLS) connect timeout. */
  connectMs: number;
  /** Time from request sent to the response head (first byte). */
  firstByteMs: number;
  /** Maximum silence between two body chunks. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<UpstreamTimeouts> = Object.freeze({ connectMs: 5_000, firstByteMs: 120_000, idleMs: 60_000 });

export { chatCompletionsUrl, toTarget, weightedOrder } from '@semroute/core/http';
export type { BackendRefLike as BackendRef, UpstreamTarget } from '@semroute/core/http';

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
    const headers = upstreamRequestHeaders(clientHeaders, { headers: extraHeaders, remove: removeHeaders }, target, (name) => process.env[name]);
    return request(target.url, { method: 'POST', headers, body, signal, dispatcher: this.agent });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}
