/**
 * Server-only settings (ports, limits, timeouts, client-hint policy). They live in an optional top-level
 * `server:` section of the same YAML file, which the adapter strips before handing the rest to the core's
 * `parseConfig` (the core schema is strict and knows nothing about sockets). CLI flags override the file.
 * @module
 */
import { parse as parseYaml } from 'yaml';
import type { ConfigIssue, TrustClientHints } from '@semroute/core';
import { DEFAULT_BODY_LIMIT, DEFAULT_CORS_ORIGINS, isOriginPattern } from '@semroute/core/http';

export { DEFAULT_CORS_ORIGINS, isOriginPattern, originAllowed } from '@semroute/core/http';

export type { TrustClientHints };
export const TRUST_CLIENT_HINTS: readonly TrustClientHints[] = Object.freeze(['none', 'routing']);

/**
 * The server's own settings: the optional top-level `server:` section of the config file (snake_case keys:
 * `grpc_port`, `body_limit_bytes`, …), overridden by CLI flags and {@link ServeOptions}.
 */
export interface ServerSettings {
  /**
   * Interface the HTTP proxy and the ext_proc gRPC server listen on. Default loopback (`127.0.0.1`): a router on a
   * laptop is not open to its network. Containers set `0.0.0.0` (the Docker image via `SEMROUTE_HOST`, the
   * Kubernetes ConfigMap via `server.host`).
   */
  host: string;
  /** HTTP port of the proxy (default 8801; 0 picks a free one). */
  port: number;
  /** Port of the Envoy ext_proc gRPC server (default 50051). */
  grpcPort: number;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Concurrent chat requests before 503 + retry-after. */
  maxInflight: number;
  /** Upstream TCP connect timeout, ms. */
  connectTimeoutMs: number;
  /** Upstream time to the response head, ms. */
  firstByteTimeoutMs: number;
  /** Upstream silence between two body chunks, ms. */
  idleTimeoutMs: number;
  /** Whether a client's `x-semroute-client-decision` pre-routing hint is used (`routing`) or ignored (`none`). */
  trustClientHints: TrustClientHints;
  /** Opt-in debug logging (may log prompt-derived data such as decisions; never the prompt itself). */
  debugLog: boolean;
  /** Longest time SIGTERM waits for in-flight streams. */
  shutdownGraceMs: number;
  /**
   * Browser origins allowed to call `/v1/*` and `/api/v1/*` cross-origin (CORS): exact origins
   * (`https://playground.example.com`), a port wildcard (`http://localhost:*`), or `*` (any origin; for a local dev
   * server only). The server's own origin always works. Default: loopback origins only.
   */
  corsOrigins: readonly string[];
}

/** Every setting's default: loopback on 8801 (gRPC 50051), 4 MiB bodies, 2048 in flight, 5 s / 120 s / 60 s upstream timeouts, 30 s shutdown grace. */
export const DEFAULT_SETTINGS: Readonly<ServerSettings> = Object.freeze({
  host: '127.0.0.1',
  port: 8801,
  grpcPort: 50051,
  bodyLimit: DEFAULT_BODY_LIMIT,
  maxInflight: 2048,
  connectTimeoutMs: 5_000,
  firstByteTimeoutMs: 120_000,
  idleTimeoutMs: 60_000,
  trustClientHints: 'none',
  debugLog: false,
  shutdownGraceMs: 30_000,
  corsOrigins: DEFAULT_CORS_ORIGINS,
});

/** YAML key → settings key. */
const KEYS: Readonly<Record<string, keyof ServerSettings>> = Object.freeze({
  host: 'host',
  port: 'port',
  grpc_port: 'grpcPort',
  body_limit_bytes: 'bodyLimit',
  max_inflight: 'maxInflight',
  connect_timeout_ms: 'connectTimeoutMs',
  first_byte_timeout_ms: 'firstByteTimeoutMs',
  idle_timeout_ms: 'idleTimeoutMs',
  trust_client_hints: 'trustClientHints',
  debug_log: 'debugLog',
  shutdown_grace_ms: 'shutdownGraceMs',
  cors_origins: 'corsOrigins',
});

export interface SplitConfig {
  /** What to give `parseConfig`: the parsed document without `server`, or the original text when it did not parse. */
  core: unknown;
  /** The `server:` section, validated. */
  server: Partial<ServerSettings>;
  issues: ConfigIssue[];
}

/** Split a config document into the core part and the adapter's `server:` section. */
export function splitConfig(source: string, filename?: string): SplitConfig {
  let doc: unknown;
  try {
    doc = filename?.endsWith('.json') ? JSON.parse(source) : parseYaml(source);
  } catch {
    return { core: source, server: {}, issues: [] }; // let the core report the syntax error with its position
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('server' in doc)) return { core: source, server: {}, issues: [] };
  const { server, ...rest } = doc as Record<string, unknown>;
  const { settings, issues } = parseServerSection(server);
  return { core: rest, server: settings, issues };
}

export function parseServerSection(raw: unknown): { settings: Partial<ServerSettings>; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const settings: Partial<ServerSettings> = {};
  if (raw === undefined || raw === null) return { settings, issues };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    issues.push({ path: 'server', message: 'must be a mapping', expected: 'object' });
    return { settings, issues };
  }
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = KEYS[k];
    const path = `server.${k}`;
    if (!key) {
      issues.push({ path, message: 'unknown key', expected: `one of: ${Object.keys(KEYS).join(', ')}` });
      continue;
    }
    const def = DEFAULT_SETTINGS[key];
    if (key === 'trustClientHints') {
      if (typeof v === 'string' && (TRUST_CLIENT_HINTS as readonly string[]).includes(v)) settings.trustClientHints = v as TrustClientHints;
      else issues.push({ path, message: 'invalid value', expected: `one of: ${TRUST_CLIENT_HINTS.join(', ')}` });
    } else if (key === 'corsOrigins') {
      const list = typeof v === 'string' ? [v] : v;
      if (Array.isArray(list) && list.every((o) => typeof o === 'string' && isOriginPattern(o))) settings.corsOrigins = Object.freeze([...list] as string[]);
      else issues.push({ path, message: 'invalid value', expected: 'a list of origins: `*`, `https://host[:port]`, or `http://host:*` (any port)' });
    } else if (typeof def === 'number') {
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) (settings as Record<string, unknown>)[key] = v;
      else issues.push({ path, message: 'must be a non-negative number' });
    } else if (typeof def === 'boolean') {
      if (typeof v === 'boolean') (settings as Record<string, unknown>)[key] = v;
      else issues.push({ path, message: 'must be true or false' });
    } else if (typeof v === 'string' && v) (settings as Record<string, unknown>)[key] = v;
    else issues.push({ path, message: 'must be a non-empty string' });
  }
  return { settings, issues };
}
