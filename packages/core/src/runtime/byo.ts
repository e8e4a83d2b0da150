/**
 * Bring-your-own head: a transformers.js-compatible single-head model folder (`config.json` with `id2label`,
 * `tokenizer.json`, `onnx/model.onnx`, output `logits`) serving the domain, jailbreak or PII head instead of the
 * shipped multi-head model, or blended with it (a model folder's own `tower`s). Its labels are mapped onto ours through
 * `labelMap`. Heads naming the same folder and ONNX file share one session: one run serves all of their outputs.
 * Runtime-agnostic: Node and the web worker pass their own file loader and session factory.
 * @module
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { ClassifierError } from '../errors.js';
import type { ClassifierSignals, JailbreakSource, PiiSpan, ScoreSources, TopLabel } from '../signals/types.js';
import { type ModelSpec, TOWER_HEADS, headJson, isObj, num } from './artifacts.js';
import { type BatchOutputs, type BatchRunner, type BatcherOptions, DEFAULT_BATCHING, MicroBatcher } from './batcher.js';
import { type BioLabel, type ConfidenceMap, applyConfidenceMap, decodePii, parseBioLabels, softmaxT } from './postprocess.js';
import type { ModelTokenizer } from './tokenizer.js';
import { assignTokensToWindows, piiWindows, summaryRanges, validateWindows } from './windows.js';

/**
 * Which graph output fills which head's batch slot, and how many values per row (token) it must have: one entry per
 * head a custom model serves (`pii` per token, the others per sequence).
 */
export type ByoOutputs = Partial<Record<ByoHeadName, { readonly output: string; readonly width: number }>>;

/**
 * One run of a custom-head model on any ONNX Runtime session (onnxruntime-node or -web; they share onnxruntime-common's
 * types): feeds ids, mask and, when the graph wants them, zero token types, fetches only the outputs `outputs` names
 * and puts each into its head's slot (a model serving several heads, such as a tower with domain and jailbreak
 * outputs, runs once for all of them). `int64` builds a tensor with the runtime's own Tensor class.
 */
export async function runByoSession(
  session: InferenceSession,
  int64: (data: BigInt64Array, dims: readonly number[]) => Tensor,
  outputs: ByoOutputs,
  inputIds: BigInt64Array,
  attentionMask: BigInt64Array,
  batch: number,
  seqLen: number,
): Promise<BatchOutputs> {
  const dims = [batch, seqLen];
  const feeds: Record<string, Tensor> = { input_ids: int64(inputIds, dims), attention_mask: int64(attentionMask, dims) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(new BigInt64Array(batch * seqLen), dims);
  const wanted = Object.values(outputs).map((o) => o.output);
  const missing = wanted.filter((n) => !session.outputNames.includes(n));
  if (missing.length) throw new ClassifierError(`custom head output '${missing.join("', '")}' missing; the graph has: ${session.outputNames.join(', ')}`);
  const result = await session.run(feeds, [...new Set(wanted)]);
  const read = async (head: ByoHeadName): Promise<Float32Array> => {
    const o = outputs[head];
    if (!o) return new Float32Array(0);
    const t = result[o.output]!;
    const width = t.dims[t.dims.length - 1];
    if (width !== o.width) {
      throw new ClassifierError(`custom head output '${o.output}' has ${width} values per ${head === 'pii' ? 'token' : 'row'}, but heads.${head} has ${o.width} labels`);
    }
    return (t.location === 'cpu' ? t.data : await t.getData(true)) as Float32Array;
  };
  const [domain, jailbreak, pii] = await Promise.all([read('domain'), read('jailbreak'), read('pii')]);
  return { domain, jailbreak, pii, pooled: new Float32Array(0) };
}

/** The heads a custom ("bring your own") model may replace. */
export const BYO_HEADS = Object.freeze(['domain', 'jailbreak', 'pii'] as const);
/** One of {@link BYO_HEADS}. */
export type ByoHeadName = (typeof BYO_HEADS)[number];

/** A custom single-head model for one head: where it is and how its labels map onto the router's. */
export interface HeadModelOptions {
  /** Model folder: a path (Node) or URL (browser; same-origin rules apply). */
  readonly model: string;
  /** ONNX file inside the folder. Default `onnx/model.onnx`. */
  readonly file?: string;
  /** Label per logit index. Default: `id2label` from the folder's config.json. */
  readonly labels?: readonly string[];
  /** Graph output holding the logits. Default `logits` (transformers.js convention). */
  readonly output?: string;
  /**
   * Their label → ours. domain: one of our 14 categories; jailbreak: `jailbreak` or `benign`; pii: one of our
   * entity types (applied to the type after `B-`/`I-`). Labels equal to ours (case-insensitive) map to themselves.
   * Unmapped labels: domain → dropped (the rest renormalised), jailbreak → benign, pii → O.
   */
  readonly labelMap?: Readonly<Record<string, string>>;
  /** Calibration temperature for its logits. Default 1. */
  readonly temperature?: number;
  /**
   * Domain only: an isotonic map of the top probability after the temperature (heads.json `confidence_map` format),
   * e.g. `spec.domain.confidenceMap` to reproduce the shipped head. Default: none.
   */
  readonly confidenceMap?: ConfidenceMap;
  /** Tokens per window (incl. special tokens). Default: its tokenizer_config `model_max_length`, at most 512. */
  readonly maxLength?: number;
  /**
   * Domain and jailbreak: blend with the shipped head instead of replacing it (log-linear pool, then a temperature).
   * Domain scores become `softmax(((1 − weight) · log p_shipped + weight · log p_custom) / temperature)` over the
   * labels; the jailbreak score becomes `sigmoid(((1 − weight) · logit(p_shipped) + weight · logit(p_custom)) /
   * temperature)`, where `p_shipped` is the shipped head's calibrated probability (jailbreak: the highest over the
   * windows it screens) and `p_custom` this model's (after its own `temperature`; jailbreak: on its summary window);
   * probabilities are clamped to [1e-9, 1 − 1e-9] first. A model folder whose heads.json names a `tower` gets it this
   * way (see {@link withModelTower}).
   */
  readonly blend?: HeadBlend;
  /**
   * Set by {@link withModelTower}: `model` is a sub-folder of the shipped model folder, read through the same loader as
   * the model itself (so bundler file maps and edge readers work too). Not for users.
   */
  readonly inModelFolder?: boolean;
}

/** The heads a custom model can be blended into (rather than replace): see {@link HeadModelOptions.blend}. */
export const BLENDABLE_HEADS = TOWER_HEADS;
/** One of {@link BLENDABLE_HEADS}. */
export type BlendableHead = (typeof BLENDABLE_HEADS)[number];

/** How a custom model is blended with the shipped head (log-linear pool, then a temperature). */
export interface HeadBlend {
  /** Weight of the custom model's log-probabilities (jailbreak: log-odds), in [0, 1]; the shipped head gets `1 − weight`. */
  readonly weight: number;
  /** Temperature applied to the pooled log-probabilities (> 0; 1 = none). */
  readonly temperature: number;
}

/** Checks a {@link HeadBlend}; `where` names the setting in the error. */
export function validateBlend(b: unknown, where: string): HeadBlend {
  const o = b as { weight?: unknown; temperature?: unknown } | null;
  const w = o?.weight;
  const t = o?.temperature ?? 1;
  if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw new ClassifierError(`${where}.weight: expected a number from 0 to 1 (got ${JSON.stringify(w)})`);
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) throw new ClassifierError(`${where}.temperature: expected a positive number (got ${JSON.stringify(t)})`);
  return { weight: w, temperature: t };
}

/** Probabilities are kept this far from 0 and 1 before a log, so a certain model never yields ±Infinity. */
const P_FLOOR = 1e-9;

/**
 * Pools the shipped head's probabilities with a custom model's (same label order) as {@link HeadBlend} says.
 * Probabilities are floored at 1e-9 so a zero never turns into -Infinity.
 */
export function blendDomainScores(labels: readonly string[], shipped: Readonly<Record<string, number>>, custom: Readonly<Record<string, number>>, blend: HeadBlend): Record<string, number> {
  const z = labels.map((l) => ((1 - blend.weight) * Math.log(Math.max(shipped[l] ?? 0, P_FLOOR)) + blend.weight * Math.log(Math.max(custom[l] ?? 0, P_FLOOR))) / blend.temperature);
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return Object.fromEntries(labels.map((l, i) => [l, e[i]! / sum]));
}

/**
 * Pools the shipped head's jailbreak probability with a custom model's as {@link HeadBlend} says (the two-label case of
 * {@link blendDomainScores}, in log-odds): `sigmoid(((1 − w) · logit(shipped) + w · logit(custom)) / T)`, each
 * probability clamped to [1e-9, 1 − 1e-9]. At T = 1 a weight of 0 returns `shipped` and a weight of 1 `custom`, exactly.
 */
export function blendJailbreakScore(shipped: number, custom: number, blend: HeadBlend): number {
  if (blend.temperature === 1 && (blend.weight === 0 || blend.weight === 1)) return blend.weight === 0 ? shipped : custom;
  // p and 1 − p each floored at 1e-9 (= clamping p to [1e-9, 1 − 1e-9], without rounding 1 − 1e-9): logit(0) = −logit(1).
  const logit = (p: number): number => Math.log(Math.max(p, P_FLOOR)) - Math.log(Math.max(1 - p, P_FLOOR));
  const z = ((1 - blend.weight) * logit(shipped) + blend.weight * logit(custom)) / blend.temperature;
  return 1 / (1 + Math.exp(-z));
}

/**
 * The {@link JailbreakSource} of a blended jailbreak score: the parts {@link blendJailbreakScore} pooled (the shipped
 * score and the window it came from, per `shipped.sources`; the second model's score; the blend).
 */
export function jailbreakBlendSource(shipped: Pick<ClassifierSignals, 'jailbreak' | 'sources'>, tower: number, blend: HeadBlend): JailbreakSource {
  const from = shipped.sources?.jailbreak;
  const at = from && from.kind !== 'custom' ? { window: from.window, windows: from.windows } : { window: 0, windows: 1 };
  return { kind: 'blend', shipped: shipped.jailbreak, tower, weight: blend.weight, temperature: blend.temperature, ...at };
}

/** The top label of `scores` over `labels` and its probability (ties: the first in `labels`). */
export function topLabel(labels: readonly string[], scores: Readonly<Record<string, number>>): TopLabel {
  let best: TopLabel = { label: labels[0] ?? '', score: scores[labels[0] ?? ''] ?? 0 };
  for (const label of labels) {
    const score = scores[label] ?? 0;
    if (score > best.score) best = { label, score };
  }
  return best;
}

/**
 * A second encoder for a head that ships inside the model folder (heads.json domain or jailbreak `tower`): a
 * custom-head model folder (its own tokenizer.json, config.json, ONNX graph) whose output over the head's labels is
 * blended with the shipped head's. The domain and jailbreak towers may be two outputs of one graph (same folder): it
 * then runs once per prompt for both.
 */
export interface TowerSpec {
  /** Sub-folder of the model folder, e.g. `towers/use-lite`. */
  readonly folder: string;
  /** Graph output holding its logits (domain: `[batch, domain labels]`; jailbreak: `[batch, 2]`, benign then jailbreak). */
  readonly output: string;
  /** Temperature of its own logits. */
  readonly temperature: number;
  /** How it is pooled with the shipped head. */
  readonly blend: HeadBlend;
}

/** The `tower` heads.json names for `head` (checked: a clear {@link ClassifierError} says what is wrong), or undefined. */
export function towerOf(spec: ModelSpec, head: BlendableHead): TowerSpec | undefined {
  const t = isObj(spec.raw.heads) ? headJson(spec.raw.heads, head)?.tower : undefined;
  if (t === undefined) return undefined;
  const where = `heads.json: ${head} 'tower'`;
  if (!isObj(t) || typeof t.folder !== 'string' || !/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/.test(t.folder) || t.folder.split('/').includes('..')) {
    throw new ClassifierError(`${where} needs "folder": a relative sub-folder such as "towers/use-lite"`);
  }
  if (t.output !== undefined && (typeof t.output !== 'string' || t.output === '')) {
    throw new ClassifierError(`${where}.output must be the name of a graph output, such as "${head === 'domain' ? 'logits' : 'jailbreak_logits'}"`);
  }
  const temperature = num(t.temperature) ?? 1;
  if (!(temperature > 0)) throw new ClassifierError(`${where}.temperature must be > 0`);
  const b = isObj(t.blend) ? t.blend : undefined;
  const weight = num(b?.weight);
  const blendT = num(b?.temperature) ?? 1;
  if (weight === undefined || weight < 0 || weight > 1 || !(blendT > 0)) {
    throw new ClassifierError(`${where}.blend needs {"weight": 0..1, "temperature": > 0}`);
  }
  return Object.freeze({ folder: t.folder, output: typeof t.output === 'string' ? t.output : 'logits', temperature, blend: Object.freeze({ weight, temperature: blendT }) });
}

/** The domain `tower` heads.json names, or undefined: {@link towerOf} for `domain`. */
export function domainTowerOf(spec: ModelSpec): TowerSpec | undefined {
  return towerOf(spec, 'domain');
}

/** The labels of a tower's output, in logit order: the domain head's, or the jailbreak contract's `[benign, jailbreak]`. */
const TOWER_LABELS = (spec: ModelSpec, head: BlendableHead): readonly string[] => (head === 'domain' ? spec.domain.labels : ['benign', 'jailbreak']);

/**
 * The heads to load: the caller's overrides plus, for each head whose heads.json entry names a `tower` (a second
 * encoder with its own tokenizer, in a sub-folder) and that the caller brought no model for, that tower as a blended
 * model. `locate(folder)` turns the tower's sub-folder into a path or URL the runtime can read (the same folder for
 * both heads gives the same location, so {@link groupHeadModels} loads it once).
 */
export function withModelTower(overrides: HeadOverrides, spec: ModelSpec, locate: (folder: string) => string = (f) => f): HeadOverrides {
  const towers = BLENDABLE_HEADS.flatMap((head) => {
    const tower = towerOf(spec, head);
    return tower && !overrides[head] ? [[head, tower] as const] : [];
  });
  if (towers.length === 0) return overrides;
  const out: { -readonly [K in ByoHeadName]?: HeadModelOptions } = { ...overrides };
  for (const [head, t] of towers) {
    out[head] = { model: locate(t.folder), inModelFolder: true, output: t.output, temperature: t.temperature, blend: t.blend, labels: TOWER_LABELS(spec, head) };
  }
  return out;
}

/** Custom models by head (the `heads` option of `createRouter`). */
export type HeadOverrides = Partial<Record<ByoHeadName, HeadModelOptions>>;

/** The default ONNX file of a custom model folder. */
const DEFAULT_FILE = 'onnx/model.onnx';

/**
 * Heads that one custom model serves: sequence heads naming the same folder, ONNX file and window length (a model
 * folder's domain and jailbreak towers, two outputs of one graph). Loaded once ({@link ByoHead.load}): one session, and one run
 * per prompt for all of its sequence heads.
 */
export interface HeadModelGroup {
  /** The folder (path or URL) the heads share. */
  readonly model: string;
  /** Whether it is a sub-folder of the shipped model folder (see {@link HeadModelOptions.inModelFolder}). */
  readonly inModelFolder: boolean;
  /** Each head with its own options (output, labels, temperature, blend). */
  readonly heads: ReadonlyArray<readonly [ByoHeadName, HeadModelOptions]>;
}

/** Groups the heads to load by the model they run ({@link HeadModelGroup}), in head order. */
export function groupHeadModels(overrides: HeadOverrides): HeadModelGroup[] {
  const groups = new Map<string, { model: string; inModelFolder: boolean; heads: Array<readonly [ByoHeadName, HeadModelOptions]> }>();
  for (const head of BYO_HEADS) {
    const o = overrides[head];
    if (!o) continue;
    // PII reads per-token outputs on windows of its own: it keeps a session of its own.
    const key = JSON.stringify([o.model, o.file ?? DEFAULT_FILE, o.inModelFolder === true, o.maxLength ?? null, head === 'pii']);
    const g = groups.get(key) ?? { model: o.model, inModelFolder: o.inModelFolder === true, heads: [] };
    g.heads.push([head, o]);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** What a runtime provides to load a custom model. */
export interface ByoIo {
  /** Reads and parses a JSON file of the custom model's folder. */
  json(file: string): Promise<unknown>;
  /** Creates a runner that reads each head's output of `outputs` into that head's slot (see {@link runByoSession}). */
  runner(
    file: string,
    outputs: ByoOutputs,
  ): Promise<
    BatchRunner & {
      /** Releases the ONNX session (and its worker, if any). */
      dispose(): Promise<void>;
    }
  >;
  /** Builds the custom model's tokenizer from its `tokenizer.json` and `tokenizer_config.json`. */
  tokenizer(tokenizerJson: unknown, tokenizerConfig: unknown): ModelTokenizer;
}

/** Checks the `heads` option (known heads, well-formed options) and returns it typed; bad input throws a {@link ClassifierError}. */
export function validateOverrides(o: unknown): HeadOverrides {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw new ClassifierError('heads: expected an object like { pii: { model: "<folder>" } }');
  for (const [k, v] of Object.entries(o)) {
    if (!(BYO_HEADS as readonly string[]).includes(k)) {
      throw new ClassifierError(`heads.${k}: unknown head. Should be one of: ${BYO_HEADS.join(', ')}.`);
    }
    if (!v || typeof (v as HeadModelOptions).model !== 'string') throw new ClassifierError(`heads.${k}.model: expected a folder path or URL`);
    const blend = (v as HeadModelOptions).blend;
    if (blend !== undefined) {
      if (!(BLENDABLE_HEADS as readonly string[]).includes(k)) {
        throw new ClassifierError(`heads.${k}.blend: only the ${BLENDABLE_HEADS.join(' and ')} heads can be blended with the shipped ones; remove it`);
      }
      validateBlend(blend, `heads.${k}.blend`);
    }
  }
  return o as HeadOverrides;
}

function labelsFromConfig(config: unknown, where: string): string[] {
  const id2label = (config as { id2label?: Record<string, string> } | null)?.id2label;
  if (!id2label || typeof id2label !== 'object') throw new ClassifierError(`${where}: config.json has no id2label`);
  return Object.entries(id2label)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, v]) => String(v));
}

/** How one head reads a custom model's output: its labels mapped onto ours, its calibration, its blend. */
interface ServedHead {
  readonly labels: readonly string[];
  readonly temperature: number;
  /** Domain only. */
  readonly confidenceMap: ConfidenceMap | undefined;
  /** domain: their index → our index (-1 dropped); jailbreak: their index → 1 if jailbreak. Empty for pii. */
  readonly seqMap: Int32Array;
  /** PII only: their labels as our BIO labels. */
  readonly bio: readonly BioLabel[];
  /** Domain and jailbreak: pool with the shipped head rather than replace it. */
  readonly blend: HeadBlend | undefined;
}

/** Maps a head's labels onto ours (`labelMap`, else case-insensitive equality); a head none of whose labels maps throws. */
function serveHead(head: ByoHeadName, labels: string[], o: HeadModelOptions, spec: ModelSpec): ServedHead {
  const map = o.labelMap ?? {};
  const find = (l: string, ours: readonly string[]): string | undefined => {
    const m = map[l];
    if (m !== undefined) {
      if (!ours.includes(m)) throw new ClassifierError(`heads.${head}.labelMap['${l}'] = '${m}' is not one of ours: ${ours.join(', ')}`);
      return m;
    }
    return ours.find((x) => x.toLowerCase() === l.toLowerCase());
  };
  const common = {
    labels: Object.freeze(labels),
    temperature: o.temperature ?? 1,
    confidenceMap: head === 'domain' ? o.confidenceMap : undefined,
    blend: o.blend ? validateBlend(o.blend, `heads.${head}.blend`) : undefined,
  };
  if (head === 'pii') {
    const types = [...new Set(spec.pii.bio.filter((b) => b.tag !== 'O').map((b) => b.type))];
    const bio = parseBioLabels(labels).map((b, i) => {
      if (b.tag === 'O') {
        // IO scheme (`PER`) → treat as B-/I- by continuity: map as 'I' so runs merge
        const t = labels[i] === 'O' ? undefined : find(labels[i]!, types);
        return t ? { tag: 'I' as const, type: t } : { tag: 'O' as const, type: '' };
      }
      const t = find(b.type, types);
      return t ? { tag: b.tag, type: t } : { tag: 'O' as const, type: '' };
    });
    if (!bio.some((b) => b.tag !== 'O')) {
      throw new ClassifierError(`heads.pii: none of the model's labels (${labels.join(', ')}) maps to our entity types; pass labelMap`);
    }
    return { ...common, seqMap: new Int32Array(0), bio };
  }
  const ours = head === 'domain' ? spec.domain.labels : ['benign', 'jailbreak'];
  const seqMap = Int32Array.from(labels.map((l) => ours.indexOf(find(l, ours) ?? '')));
  if (head === 'jailbreak' && !seqMap.includes(1)) {
    throw new ClassifierError(`heads.jailbreak: none of the model's labels (${labels.join(', ')}) maps to 'jailbreak'; pass labelMap`);
  }
  if (head === 'domain' && !seqMap.some((x) => x >= 0)) {
    throw new ClassifierError(`heads.domain: none of the model's labels (${labels.join(', ')}) maps to our categories; pass labelMap`);
  }
  return { ...common, seqMap, bio: [] };
}

/** The signals a custom model contributes: the heads it serves, each replacing or blended into the shipped head's. */
export type ByoSignals = Partial<Pick<ClassifierSignals, 'categoryScores' | 'jailbreak' | 'pii' | 'sources'>>;

/**
 * A loaded custom model serving one or more heads (see {@link HeadModelGroup}): its own tokenizer, session and
 * micro-batcher, classifying into the router's labels. Its sequence heads (domain, jailbreak) read their outputs from
 * one run on its summary window.
 */
export class ByoHead {
  /** The heads it serves. */
  readonly heads: readonly ByoHeadName[];
  readonly #served: ReadonlyMap<ByoHeadName, ServedHead>;
  readonly #domainLabels: readonly string[];
  readonly #tok: ModelTokenizer;
  readonly #runner: BatchRunner & { dispose(): Promise<void> };
  readonly #batcher: MicroBatcher;
  readonly #content: number;

  private constructor(
    served: ReadonlyMap<ByoHeadName, ServedHead>,
    tok: ModelTokenizer,
    runner: BatchRunner & { dispose(): Promise<void> },
    spec: ModelSpec,
    batching: Partial<BatcherOptions>,
    maxLength: number,
  ) {
    this.heads = Object.freeze([...served.keys()]);
    this.#served = served;
    this.#domainLabels = spec.domain.labels;
    this.#tok = tok;
    this.#runner = runner;
    this.#content = Math.max(2, maxLength - tok.specialCount);
    const width = (h: ByoHeadName): number => served.get(h)?.labels.length ?? 0;
    this.#batcher = new MicroBatcher(runner, {
      ...DEFAULT_BATCHING,
      ...batching,
      dims: { domain: width('domain'), jailbreak: width('jailbreak'), pii: width('pii') },
      padId: tok.padId,
    });
  }

  /**
   * Loads a custom model through the runtime's {@link ByoIo} for the heads of one {@link HeadModelGroup} (they share
   * its folder, ONNX file and window length); their labels are mapped onto the shipped model's (`spec`).
   */
  static async load(heads: HeadModelGroup['heads'], io: ByoIo, spec: ModelSpec, batching: Partial<BatcherOptions> = {}): Promise<ByoHead> {
    const [first] = heads;
    if (!first) throw new ClassifierError('custom model: no heads to serve');
    const [config, tj, tc] = await Promise.all([io.json('config.json'), io.json('tokenizer.json'), io.json('tokenizer_config.json').catch(() => ({}))]);
    const served = new Map<ByoHeadName, ServedHead>();
    for (const [head, o] of heads) served.set(head, serveHead(head, o.labels ? [...o.labels] : labelsFromConfig(config, `heads.${head} (${o.model})`), o, spec));
    const tok = io.tokenizer(tj, tc);
    const o = first[1];
    const maxLen = o.maxLength ?? Math.min(512, Number((tc as { model_max_length?: number }).model_max_length) || 512);
    const outputs: ByoOutputs = Object.fromEntries(heads.map(([head, h]) => [head, { output: h.output ?? 'logits', width: served.get(head)!.labels.length }]));
    const runner = await io.runner(o.file ?? DEFAULT_FILE, outputs);
    return new ByoHead(served, tok, runner, spec, batching, maxLen);
  }

  /** Whether `head` is blended with the shipped head's (so the shipped model must score it too). */
  blends(head: ByoHeadName): boolean {
    return this.#served.get(head)?.blend !== undefined;
  }

  #seq(ids: Int32Array, ranges: ReadonlyArray<readonly [number, number]>): Int32Array {
    const parts = [Int32Array.from(this.#tok.prefixIds), ...ranges.map(([s, e]) => ids.subarray(s, e)), Int32Array.from(this.#tok.suffixIds)];
    const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /**
   * The signals of `heads` (some of {@link ByoHead.heads}) for `text`: the sequence heads from one run on the summary
   * window, PII spans over overlapping windows. A blended head is pooled with the shipped model's score for it, which
   * `shipped` resolves to (awaited only then, after this model's own run).
   */
  async signals(text: string, heads: readonly ByoHeadName[], shipped: Promise<Pick<ClassifierSignals, 'categoryScores' | 'jailbreak' | 'sources'>>): Promise<ByoSignals> {
    const wantDomain = heads.includes('domain');
    const wantJailbreak = heads.includes('jailbreak');
    const [row, pii] = await Promise.all([wantDomain || wantJailbreak ? this.#summaryRow(text) : undefined, heads.includes('pii') ? this.spans(text) : undefined]);
    const out: { -readonly [K in keyof ByoSignals]: ByoSignals[K] } = {};
    if (pii) out.pii = pii;
    const sources: { -readonly [K in keyof ScoreSources]: ScoreSources[K] } = {};
    if (wantDomain) {
      const d = this.#served.get('domain')!;
      const custom = this.#domainScores(d, row!.domain);
      if (d.blend) {
        const base = (await shipped).categoryScores;
        out.categoryScores = blendDomainScores(this.#domainLabels, base, custom, d.blend);
        sources.domain = { kind: 'blend', weight: d.blend.weight, temperature: d.blend.temperature, shipped: topLabel(this.#domainLabels, base), tower: topLabel(this.#domainLabels, custom) };
      } else {
        out.categoryScores = custom;
        sources.domain = { kind: 'custom' };
      }
    }
    if (wantJailbreak) {
      const j = this.#served.get('jailbreak')!;
      const p = softmaxT(row!.jailbreak, j.temperature);
      let custom = 0;
      j.seqMap.forEach((o, i) => (custom += o === 1 ? p[i]! : 0));
      if (j.blend) {
        const base = await shipped;
        out.jailbreak = blendJailbreakScore(base.jailbreak, custom, j.blend);
        sources.jailbreak = jailbreakBlendSource(base, custom, j.blend);
      } else {
        out.jailbreak = custom;
        sources.jailbreak = { kind: 'custom' };
      }
    }
    if (sources.domain || sources.jailbreak) out.sources = sources;
    return out;
  }

  /** One run of the model on the text's summary window (first 3/4 + last 1/4 of its content tokens). */
  async #summaryRow(text: string): Promise<{ readonly domain: Float32Array; readonly jailbreak: Float32Array }> {
    const enc = this.#tok.encode(text, false);
    const head = Math.round(this.#content * 0.75);
    const ranges = summaryRanges(enc.ids.length, validateWindows({ headTokens: head, tailTokens: this.#content - head, piiWindowTokens: 2, piiOverlapTokens: 0 }));
    const seq = this.#seq(enc.ids, ranges);
    // A text with no tokens (and a tokenizer without template tokens) still needs one position: the pad token.
    const [row] = await Promise.all(this.#batcher.submit([{ ids: seq.length ? seq : Int32Array.of(this.#tok.padId), needPii: false }]));
    return row!;
  }

  /** Our category scores from the domain output's logits (temperature, confidence map, their labels onto ours). */
  #domainScores(d: ServedHead, logits: Float32Array): Record<string, number> {
    const p = softmaxT(logits, d.temperature);
    if (d.confidenceMap) applyConfidenceMap(p, d.confidenceMap);
    const acc = new Float64Array(this.#domainLabels.length);
    d.seqMap.forEach((o, i) => {
      if (o >= 0) acc[o] = acc[o]! + p[i]!;
    });
    const total = acc.reduce((a, b) => a + b, 0) || 1;
    return Object.fromEntries(this.#domainLabels.map((l, i) => [l, acc[i]! / total]));
  }

  /** PII spans over the whole text (overlapping windows). */
  async spans(text: string): Promise<PiiSpan[]> {
    const served = this.#served.get('pii');
    if (!served) throw new ClassifierError(`this custom model serves ${this.heads.join(', ')}, not pii`);
    const enc = this.#tok.encode(text);
    const n = enc.ids.length;
    if (n === 0) return [];
    const windows = piiWindows(n, { headTokens: 1, tailTokens: 0, piiWindowTokens: this.#content, piiOverlapTokens: Math.min(32, Math.floor(this.#content / 4)) });
    const rows = await Promise.all(this.#batcher.submit(windows.map((w) => ({ ids: this.#seq(enc.ids, [w]), needPii: true }))));
    const L = served.labels.length;
    const pre = this.#tok.prefixIds.length;
    const owner = assignTokensToWindows(n, windows);
    const logits = new Float32Array(n * L);
    for (let i = 0; i < n; i++) {
      const w = owner[i]!;
      const at = (pre + i - windows[w]![0]) * L;
      logits.set(rows[w]!.pii!.subarray(at, at + L), i * L);
    }
    return decodePii(logits, enc.offsets, n, text, { labels: served.bio, temperature: served.temperature });
  }

  /** Fails queued calls and releases the session. */
  async dispose(): Promise<void> {
    this.#batcher.close(new ClassifierError('classifier has been disposed'));
    await this.#runner.dispose();
  }
}
