/**
 * The model folder contract (models/STATUS.md): `config.json`, `tokenizer.json`, `tokenizer_config.json`,
 * `heads.json` (labels, temperatures, thresholds) and `onnx/model.onnx` / `onnx/model_quantized.onnx`.
 * This file parses the JSON parts into a frozen {@link ModelSpec}; it reads no files itself.
 * @module
 */
import { ClassifierError } from '../errors.js';
import { type BioLabel, type ConfidenceMap, parseBioLabels } from './postprocess.js';

/** JSON files every model folder has (relative paths). */
export const MODEL_JSON_FILES = Object.freeze(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'heads.json'] as const);

/** Graph input/output names of the shipped multi-head model. */
export const GRAPH = Object.freeze({
  inputs: Object.freeze(['input_ids', 'attention_mask'] as const),
  domain: 'domain_logits',
  jailbreak: 'jailbreak_logits',
  pii: 'pii_logits',
  pooled: 'pooled',
});

/** One classification head as `heads.json` describes it: labels, calibration and thresholds. */
export interface HeadSpec {
  readonly labels: readonly string[];
  /** Calibration temperature: probabilities are softmax(logits / temperature). */
  readonly temperature: number;
  /** Optional isotonic map applied to the top probability after the temperature (heads.json `confidence_map`). */
  readonly confidenceMap?: ConfidenceMap;
  /** Optional decision threshold the pipeline tuned (carried through; decisions are the engine's). */
  readonly threshold?: number;
}

/** Everything the runtime needs to know about a model folder, parsed from `config.json` and `heads.json` (frozen). */
export interface ModelSpec {
  readonly domain: HeadSpec;
  readonly jailbreak: HeadSpec & { readonly positiveIndex: number };
  readonly pii: HeadSpec & {
    readonly bio: readonly BioLabel[];
    readonly tokenThreshold?: number;
    readonly spanThreshold?: number;
    /** `word_level_bio` (and `chunk_vote_bio`): continuation pieces take the previous token's label (heads.json `decoding`). */
    readonly wordLevel: boolean;
    /** `chunk_vote_bio`: one span per whitespace-free chunk, typed by majority vote (postprocess.ts decodePiiChunkVote). */
    readonly chunkVote: boolean;
    /** `viterbi_chunk_vote_bio`: chunk vote over the most probable valid BIO sequence (postprocess.ts viterbiWordLabels). */
    readonly viterbi: boolean;
  };
  /** Longest sequence (tokens incl. specials) the model was trained on. */
  readonly maxLength: number;
  readonly raw: { readonly config: unknown; readonly heads: unknown };
}

type Json = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A finite number, else undefined. */
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function labelsOf(h: Json | undefined, fallback: unknown, head: string): string[] {
  const fromHead = h?.labels ?? h?.id2label;
  const src = fromHead ?? fallback;
  if (Array.isArray(src) && src.every((x) => typeof x === 'string')) return src as string[];
  if (isObj(src)) {
    const entries = Object.entries(src).sort((a, b) => Number(a[0]) - Number(b[0]));
    if (entries.every(([, v]) => typeof v === 'string')) return entries.map(([, v]) => v as string);
  }
  throw new ClassifierError(`heads.json: head '${head}' has no label list (expected 'labels': string[])`);
}

/** The heads whose heads.json entry may name a `tower` (a second encoder blended into it; parsed in byo.ts). */
export const TOWER_HEADS = Object.freeze(['domain', 'jailbreak'] as const);

/** Whether the model's heads.json names any `tower` (not checked here: byo.ts `towerOf` does, when it loads them). */
export function hasModelTower(spec: ModelSpec): boolean {
  const heads = spec.raw.heads;
  return isObj(heads) && TOWER_HEADS.some((h) => headJson(heads, h)?.tower !== undefined);
}

/** A head's raw heads.json entry by name (for settings parsed elsewhere, such as the domain head's `tower`: byo.ts). */
export function headJson(heads: Json, name: string): Json | undefined {
  // format_version 1: `heads: [{ name, labels, temperature, default_threshold, ... }]`; also accept `heads.<name>` / `<name>`.
  if (Array.isArray(heads.heads)) {
    const h = (heads.heads as unknown[]).find((x) => isObj(x) && x.name === name);
    return isObj(h) ? h : undefined;
  }
  const h = heads[name] ?? (isObj(heads.heads) ? heads.heads[name] : undefined);
  return isObj(h) ? h : undefined;
}

function temperatureOf(heads: Json, h: Json | undefined, name: string): number {
  const t = num(h?.temperature) ?? (isObj(heads.temperatures) ? num(heads.temperatures[name]) : undefined) ?? 1;
  if (!(t > 0)) throw new ClassifierError(`heads.json: head '${name}' temperature must be > 0 (got ${t})`);
  return t;
}

function confidenceMapOf(h: Json | undefined, name: string): ConfidenceMap | undefined {
  const m = h?.confidence_map;
  if (m === undefined) return undefined;
  const bad = (why: string): never => {
    throw new ClassifierError(`heads.json: head '${name}' confidence_map ${why}. Expected {"x": [...], "y": [...]}: equal-length arrays of numbers in [0, 1], x ascending, y non-decreasing; or remove it.`);
  };
  if (!isObj(m) || !Array.isArray(m.x) || !Array.isArray(m.y)) return bad('is not an object with arrays x and y');
  const x = m.x as unknown[];
  const y = m.y as unknown[];
  if (x.length === 0 || x.length !== y.length) return bad(`has ${x.length} x and ${y.length} y values`);
  const inUnit = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
  if (!x.every(inUnit) || !y.every(inUnit)) return bad('holds a value that is not a number in [0, 1]');
  for (let i = 1; i < x.length; i++) {
    if (!((x[i] as number) > (x[i - 1] as number))) return bad(`x is not ascending at index ${i}`);
    if ((y[i] as number) < (y[i - 1] as number)) return bad(`y decreases at index ${i}`);
  }
  return Object.freeze({ x: Object.freeze(x as number[]), y: Object.freeze(y as number[]) });
}

/** fetch() that turns a network failure or a non-2xx status into a ClassifierError naming the URL. */
export async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (cause) {
    throw new ClassifierError(`could not fetch ${url}`, { cause });
  }
  if (!res.ok) throw new ClassifierError(`could not fetch ${url}: HTTP ${res.status}`);
  return res;
}

/** Parses and checks `config.json` + `heads.json`; a {@link ClassifierError} names the field that is wrong. */
export function parseModelSpec(config: unknown, heads: unknown): ModelSpec {
  if (!isObj(config)) throw new ClassifierError('config.json is not a JSON object');
  if (!isObj(heads)) throw new ClassifierError('heads.json is not a JSON object');
  const hd = headJson(heads, 'domain');
  const hj = headJson(heads, 'jailbreak');
  const hp = headJson(heads, 'pii');
  const domainLabels = labelsOf(hd, undefined, 'domain');
  const jbLabels = labelsOf(hj, ['benign', 'jailbreak'], 'jailbreak');
  const piiLabels = labelsOf(hp, undefined, 'pii');
  const positive = typeof hj?.positive_label === 'string' ? jbLabels.indexOf(hj.positive_label) : -1;
  const positiveIndex = positive >= 0 ? positive : Math.max(0, jbLabels.findIndex((l) => /jailbreak|injection|attack|unsafe/i.test(l)));
  const thr = (h: Json | undefined, name: string): number | undefined =>
    num(h?.default_threshold) ?? num(h?.threshold) ?? (isObj(heads.thresholds) ? num(heads.thresholds[name]) : undefined);
  const maxLength =
    num(config.max_length) ??
    num(config.max_seq_len) ??
    num((config as Json).train_max_length) ??
    num(heads.max_length) ??
    num(config.max_position_embeddings) ??
    128;
  const domainMap = confidenceMapOf(hd, 'domain');
  const spec: ModelSpec = {
    domain: Object.freeze({
      labels: Object.freeze(domainLabels),
      temperature: temperatureOf(heads, hd, 'domain'),
      ...(domainMap ? { confidenceMap: domainMap } : {}),
      threshold: thr(hd, 'domain'),
    }),
    jailbreak: Object.freeze({
      labels: Object.freeze(jbLabels),
      temperature: temperatureOf(heads, hj, 'jailbreak'),
      threshold: thr(hj, 'jailbreak'),
      positiveIndex,
    }),
    pii: Object.freeze({
      labels: Object.freeze(piiLabels),
      bio: parseBioLabels(piiLabels),
      temperature: temperatureOf(heads, hp, 'pii'),
      threshold: thr(hp, 'pii'),
      tokenThreshold: num(hp?.token_threshold),
      spanThreshold: num(hp?.span_threshold),
      wordLevel: hp?.decoding === 'word_level_bio' || hp?.decoding === 'chunk_vote_bio' || hp?.decoding === 'viterbi_chunk_vote_bio',
      chunkVote: hp?.decoding === 'chunk_vote_bio' || hp?.decoding === 'viterbi_chunk_vote_bio',
      viterbi: hp?.decoding === 'viterbi_chunk_vote_bio',
    }),
    maxLength,
    raw: Object.freeze({ config, heads }),
  };
  return Object.freeze(spec);
}
