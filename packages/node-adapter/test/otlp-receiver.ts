/**
 * A real OTLP/HTTP trace receiver on loopback for the tests: accepts `POST /v1/traces` in protobuf
 * (`application/x-protobuf`, decoded with protobufjs from the official OTLP .proto files vendored in ./otlp-proto)
 * or JSON (`application/json`, the OTLP/JSON mapping), answers as a collector does, and keeps every span in one
 * normalised shape, together with the raw request bodies (to search them for text that must not be there).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

const PROTO_DIR = fileURLToPath(new URL('./otlp-proto/', import.meta.url));

export type AttrValue = string | number | boolean | AttrValue[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** SERVER, CLIENT, INTERNAL … */
  kind: string;
  attributes: Record<string, AttrValue>;
  /** Nanoseconds since the epoch (as bigint: OTLP's fixed64). */
  start: bigint;
  end: bigint;
  /** UNSET, OK or ERROR. */
  status: string;
  events: { name: string; time: bigint }[];
  /** Resource attributes of the batch the span came in. */
  resource: Record<string, AttrValue>;
  scope: string;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** The raw request bodies, as received. */
  readonly bodies: Buffer[];
  /** Content types of the requests, in order. */
  readonly contentTypes: string[];
  /** Resolves once `predicate(spans)` holds (checked on every export), or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

type Decoder = (buf: Buffer) => unknown;

function protobufDecoder(): Decoder {
  const def = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const service = def['opentelemetry.proto.collector.trace.v1.TraceService'] as unknown as Record<string, { requestDeserialize: Decoder }>;
  return service.Export!.requestDeserialize;
}

const hex = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'string' ? v.toLowerCase() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : '');

/** OTLP AnyValue, protobuf-decoded (snake_case + `value` oneof name) or OTLP/JSON (camelCase), to a plain value. */
function anyValue(v: any): AttrValue {
  if (!v || typeof v !== 'object') return null;
  const get = (snake: string, camel: string) => (snake in v ? v[snake] : v[camel]);
  if (get('string_value', 'stringValue') !== undefined) return get('string_value', 'stringValue');
  if (get('bool_value', 'boolValue') !== undefined) return get('bool_value', 'boolValue');
  if (get('int_value', 'intValue') !== undefined) return Number(get('int_value', 'intValue'));
  if (get('double_value', 'doubleValue') !== undefined) return Number(get('double_value', 'doubleValue'));
  const arr = get('array_value', 'arrayValue');
  if (arr !== undefined) return ((arr?.values ?? []) as any[]).map(anyValue);
  return null;
}

function attributes(list: any[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const kindName = (k: unknown): string => (typeof k === 'number' ? (KINDS[k] ?? String(k)) : String(k ?? 'UNSPECIFIED').replace(/^SPAN_KIND_/, ''));
const STATUS = ['UNSET', 'OK', 'ERROR'];
const statusName = (s: any): string => {
  const c = s?.code;
  if (c === undefined) return 'UNSET';
  return typeof c === 'number' ? (STATUS[c] ?? String(c)) : String(c).replace(/^STATUS_CODE_/, '');
};

/** ExportTraceServiceRequest (either encoding, decoded) → spans. */
function spansOf(req: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resource_spans ?? req.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scope_spans ?? rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.trace_id ?? s.traceId),
          spanId: hex(s.span_id ?? s.spanId),
          parentSpanId: hex(s.parent_span_id ?? s.parentSpanId),
          name: s.name,
          kind: kindName(s.kind),
          attributes: attributes(s.attributes),
          start: BigInt(s.start_time_unix_nano ?? s.startTimeUnixNano ?? 0),
          end: BigInt(s.end_time_unix_nano ?? s.endTimeUnixNano ?? 0),
          status: statusName(s.status),
          events: (s.events ?? []).map((e: any) => ({ name: e.name, time: BigInt(e.time_unix_nano ?? e.timeUnixNano ?? 0) })),
          resource,
          scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const decodeProtobuf = protobufDecoder();
  const spans: ReceivedSpan[] = [];
  const bodies: Buffer[] = [];
  const contentTypes: string[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const type = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      let decoded: unknown;
      try {
        decoded = type.includes('json') ? JSON.parse(raw.toString('utf8')) : decodeProtobuf(raw);
      } catch (e) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`undecodable OTLP payload: ${(e as Error).message}`);
        return;
      }
      bodies.push(raw);
      contentTypes.push(type);
      spans.push(...spansOf(decoded));
      // An empty ExportTraceServiceResponse: zero bytes in protobuf, {} in JSON.
      if (type.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    contentTypes,
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(spans)) return;
          cleanup();
          resolve(spans);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`OTLP receiver: condition not met within ${timeoutMs} ms; spans so far: ${spans.map((s) => s.name).join(', ') || '(none)'}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
