/**
 * Single-head copies of the multi-head graph, for the benchmark's transformers.js baseline: one model folder per head
 * with the one output renamed `logits`, as transformers.js `pipeline()` expects (and as vSR ships its classifiers:
 * one model per task). Edits the ONNX protobuf at the wire level: only the graph's output list changes; every other
 * byte (nodes, weights) is copied as it is. onnxruntime drops the nodes no remaining output needs when it loads.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Field {
  readonly no: number;
  readonly wire: number;
  /** The whole field: key, length prefix (if any) and payload. */
  readonly raw: Uint8Array;
  /** Payload of a length-delimited field. */
  readonly body?: Uint8Array;
}

function readVarint(buf: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < buf.length; i++) {
    value += (buf[i]! & 0x7f) * scale;
    if (buf[i]! < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new Error('truncated protobuf varint');
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const [key, afterKey] = readVarint(buf, at);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    let body: Uint8Array | undefined;
    if (wire === 0) at = readVarint(buf, afterKey)[1];
    else if (wire === 1) at = afterKey + 8;
    else if (wire === 5) at = afterKey + 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(buf, afterKey);
      body = buf.subarray(afterLen, afterLen + len);
      at = afterLen + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (at > buf.length) throw new Error('truncated protobuf field');
    out.push({ no, wire, raw: buf.subarray(start, at), body });
  }
  return out;
}

function lengthDelimited(no: number, body: Uint8Array): Uint8Array {
  return Uint8Array.from([...varint(no * 8 + 2), ...varint(body.length), ...body]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const GRAPH = 7; // ModelProto.graph
const GRAPH_NODE = 1; // GraphProto.node
const GRAPH_OUTPUT = 12; // GraphProto.output
const NAME = 1; // ValueInfoProto.name

/** The model with one graph output, `keep`, exposed as `logits` (through an Identity node). */
export function singleOutputModel(model: Uint8Array, keep: string, as = 'logits'): Uint8Array {
  const text = new TextEncoder();
  const top = fields(model);
  const graph = top.find((f) => f.no === GRAPH)?.body;
  if (!graph) throw new Error('not an ONNX model: no graph');
  const parts: Uint8Array[] = [];
  let found = false;
  for (const f of fields(graph)) {
    if (f.no !== GRAPH_OUTPUT) {
      parts.push(f.raw);
      continue;
    }
    const info = fields(f.body!);
    const name = new TextDecoder().decode(info.find((x) => x.no === NAME)?.body);
    if (name !== keep) continue;
    found = true;
    const identity = concat([
      lengthDelimited(1, text.encode(keep)), // NodeProto.input
      lengthDelimited(2, text.encode(as)), // NodeProto.output
      lengthDelimited(3, text.encode(`${as}/Identity`)), // NodeProto.name
      lengthDelimited(4, text.encode('Identity')), // NodeProto.op_type
    ]);
    parts.push(lengthDelimited(GRAPH_NODE, identity));
    parts.push(lengthDelimited(GRAPH_OUTPUT, concat([lengthDelimited(NAME, text.encode(as)), ...info.filter((x) => x.no !== NAME).map((x) => x.raw)])));
  }
  if (!found) throw new Error(`the graph has no output named ${JSON.stringify(keep)}`);
  return concat(top.map((f) => (f.no === GRAPH ? lengthDelimited(GRAPH, concat(parts)) : f.raw)));
}

/** transformers.js model folders `<root>/<head>` (config, tokenizer, onnx/model.onnx) cut from a semroute model folder. */
export function writeSingleHeadFolders(modelDir: string, root: string, file = 'onnx/model.onnx'): Record<'domain' | 'jailbreak' | 'pii', string> {
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
    heads: Record<string, { output: string; id2label: Record<string, string> }>;
  } & Record<string, unknown>;
  const bytes = new Uint8Array(readFileSync(join(modelDir, file)));
  const heads = { domain: 'ModernBertForSequenceClassification', jailbreak: 'ModernBertForSequenceClassification', pii: 'ModernBertForTokenClassification' } as const;
  const out = {} as Record<keyof typeof heads, string>;
  for (const [head, architecture] of Object.entries(heads) as [keyof typeof heads, string][]) {
    const dir = join(root, head);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    const spec = config.heads[head]!;
    const id2label = spec.id2label;
    const label2id = Object.fromEntries(Object.entries(id2label).map(([i, l]) => [l, Number(i)]));
    const { heads: _multi, outputs: _outputs, ...rest } = config;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...rest, architectures: [architecture], id2label, label2id }, null, 1));
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(modelDir, f), join(dir, f));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), singleOutputModel(bytes, spec.output));
    out[head] = dir;
  }
  return out;
}
