/**
 * Bring-your-own head: a transformers.js-compatible single-head model folder (`config.json` with `id2label`,
 * `tokenizer.json`, `onnx/model.onnx`, output `logits`) serving the domain, jailbreak or PII head instead of the
 * shipped multi-head model. Its labels are mapped onto ours through `labelMap`. Runtime-agnostic: Node and the
 * web worker pass their own file loader and session factory.
 * @module
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { ClassifierError } from '../errors.js';
import type { PiiSpan } from '../signals/types.js';
import { type ModelSpec, headJson, isObj, num } from './artifacts.js';
import { type BatchOutputs, type BatchRunner, type BatcherOptions, DEFAULT_BATCHING, MicroBatcher } from './batcher.js';
import { type BioLabel, type ConfidenceMap, applyConfidenceMap, decodePii, parseBioLabels, softmaxT } from './postprocess.js';
import type { ModelTokenizer } from './tokenizer.js';
import { assignTokensToWindows, piiWindows, summaryRanges, validateWindows } from './windows.js';

/** The heads a custom model can serve. */
/**
 * One run of a single-output custom head on any ONNX Runtime session (onnxruntime-node or -web; they share
 * onnxruntime-common's types): feeds ids, mask and, when the graph wants them, zero token types; its logits go to the
 * `domain` (sequence) or `pii` (token) slot. `int64` builds a tensor with the runtime's own Tensor class.
 */
export async function runByoSession(
  session: InferenceSession,
  int64: (data: BigInt64Array, dims: readonly number[]) => Tensor,
  output: string,
  kind: 'sequence' | 'token',
  inputIds: BigInt64Array,
  attentionMask: BigInt64Array,
  batch: number,
  seqLen: number,
): Promise<BatchOutputs> {
  const dims = [batch, seqLen];
  const feeds: Record<string, Tensor> = { input_ids: int64(inputIds, dims), attention_mask: int64(attentionMask, dims) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(new BigInt64Array(batch * seqLen), dims);
  const t = (await session.run(feeds))[output];
  if (!t) throw new ClassifierError(`custom head output '${output}' missing; the graph has: ${session.outputNames.join(', ')}`);
  const d = (t.location === 'cpu' ? t.data : await t.getData(true)) as Float32Array;
  const empty = new Float32Array(0);
  return kind === 'token' ? { domain: empty, jailbreak: empty, pii: d, pooled: empty } : { domain: d, jailbreak: empty, pii: empty, pooled: empty };
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
   * Domain only: blend with the shipped domain head instead of replacing it. The scores become
   * `softmax(((1 − weight) · log p_shipped + weight · log p_custom) / temperature)`, where `p_shipped` is the shipped
   * head's calibrated probabilities and `p_custom` this model's (after its own `temperature`). A model folder whose
   * heads.json names a domain `tower` gets it this way (see {@link withModelTower}).
   */
  readonly blend?: DomainBlend;
  /**
   * Set by {@link withModelTower}: `model` is a sub-folder of the shipped model folder, read through the same loader as
   * the model itself (so bundler file maps and edge readers work too). Not for users.
   */
  readonly inModelFolder?: boolean;
}

/** How a custom domain model is blended with the shipped domain head (log-linear pool, then a temperature). */
export interface DomainBlend {
  /** Weight of the custom model's log-probabilities, in [0, 1]; the shipped head gets `1 − weight`. */
  readonly weight: number;
  /** Temperature applied to the pooled log-probabilities (> 0; 1 = none). */
  readonly temperature: number;
}

/** Checks a {@link DomainBlend}; `where` names the setting in the error. */
export function validateBlend(b: unknown, where: string): DomainBlend {
  const o = b as { weight?: unknown; temperature?: unknown } | null;
  const w = o?.weight;
  const t = o?.temperature ?? 1;
  if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw new ClassifierError(`${where}.weight: expected a number from 0 to 1 (got ${JSON.stringify(w)})`);
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) throw new ClassifierError(`${where}.temperature: expected a positive number (got ${JSON.stringify(t)})`);
  return { weight: w, temperature: t };
}

/**
 * Pools the shipped head's probabilities with a custom model's (same label order) as {@link DomainBlend} says.
 * Probabilities are floored at 1e-9 so a zero never turns into -Infinity.
 */
export function blendDomainScores(labels: readonly string[], shipped: Readonly<Record<string, number>>, custom: Readonly<Record<string, number>>, blend: DomainBlend): Record<string, number> {
  const z = labels.map((l) => ((1 - blend.weight) * Math.log(Math.max(shipped[l] ?? 0, 1e-9)) + blend.weight * Math.log(Math.max(custom[l] ?? 0, 1e-9))) / blend.temperature);
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return Object.fromEntries(labels.map((l, i) => [l, e[i]! / sum]));
}

/**
 * A second encoder for the domain head that ships inside the model folder (heads.json domain `tower`): a custom-head
 * model folder (its own tokenizer.json, config.json, ONNX graph with one logits output over the domain labels) whose
 * probabilities are blended with the shipped head's.
 */
export interface DomainTowerSpec {
  /** Sub-folder of the model folder, e.g. `towers/use-lite`. */
  readonly folder: string;
  /** Graph output holding its logits. */
  readonly output: string;
  /** Temperature of its own logits. */
  readonly temperature: number;
  /** How it is pooled with the shipped head. */
  readonly blend: DomainBlend;
}

/** The domain `tower` heads.json names (checked: a clear {@link ClassifierError} says what is wrong), or undefined. */
export function domainTowerOf(spec: ModelSpec): DomainTowerSpec | undefined {
  const t = isObj(spec.raw.heads) ? headJson(spec.raw.heads, 'domain')?.tower : undefined;
  if (t === undefined) return undefined;
  const where = "heads.json: domain 'tower'";
  if (!isObj(t) || typeof t.folder !== 'string' || !/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/.test(t.folder) || t.folder.split('/').includes('..')) {
    throw new ClassifierError(`${where} needs "folder": a relative sub-folder such as "towers/use-lite"`);
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

/**
 * The heads to load: the caller's overrides plus, when the model folder's heads.json names a domain `tower` (a second
 * encoder with its own tokenizer, in a sub-folder) and the caller brought no domain model, that tower as a blended
 * domain model. `locate(folder)` turns the tower's sub-folder into a path or URL the runtime can read.
 */
export function withModelTower(overrides: HeadOverrides, spec: ModelSpec, locate: (folder: string) => string = (f) => f): HeadOverrides {
  const tower = domainTowerOf(spec);
  if (!tower || overrides.domain) return overrides;
  return {
    ...overrides,
    domain: { model: locate(tower.folder), inModelFolder: true, output: tower.output, temperature: tower.temperature, blend: tower.blend, labels: spec.domain.labels },
  };
}

/** Custom models by head (the `heads` option of `createRouter`). */
export type HeadOverrides = Partial<Record<ByoHeadName, HeadModelOptions>>;

/** What a runtime provides to load a custom head. */
export interface ByoIo {
  /** Reads and parses a JSON file of the custom model's folder. */
  json(file: string): Promise<unknown>;
  /** Creates a runner that reads `output` into the `domain` (sequence) or `pii` (token) slot. */
  runner(
    file: string,
    output: string,
    kind: 'sequence' | 'token',
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
      if (k !== 'domain') throw new ClassifierError(`heads.${k}.blend: only the domain head can be blended with the shipped one; remove it`);
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

/** A loaded custom head: its own tokenizer, session and micro-batcher, classifying into the router's labels. */
export class ByoHead {
  readonly head: ByoHeadName;
  readonly labels: readonly string[];
  readonly #tok: ModelTokenizer;
  readonly #runner: BatchRunner & { dispose(): Promise<void> };
  readonly #batcher: MicroBatcher;
  readonly #t: number;
  readonly #confidenceMap: ConfidenceMap | undefined;
  readonly #content: number;
  /** domain: their index → our index (-1 dropped); jailbreak: their index → is-jailbreak. */
  readonly #seqMap: Int32Array;
  readonly #bio: readonly BioLabel[];
  readonly #ours: readonly string[];
  /** Domain only: blend with the shipped head rather than replace it. */
  readonly blend: DomainBlend | undefined;

  private constructor(
    head: ByoHeadName,
    labels: string[],
    tok: ModelTokenizer,
    runner: BatchRunner & { dispose(): Promise<void> },
    o: HeadModelOptions,
    spec: ModelSpec,
    batching: Partial<BatcherOptions>,
    maxLength: number,
  ) {
    this.head = head;
    this.labels = Object.freeze(labels);
    this.#tok = tok;
    this.#runner = runner;
    this.#t = o.temperature ?? 1;
    this.#confidenceMap = o.confidenceMap;
    this.blend = o.blend ? validateBlend(o.blend, `heads.${head}.blend`) : undefined;
    this.#content = Math.max(2, maxLength - tok.specialCount);
    const map = o.labelMap ?? {};
    const find = (l: string, ours: readonly string[]): string | undefined => {
      const m = map[l];
      if (m !== undefined) {
        if (!ours.includes(m)) throw new ClassifierError(`heads.${head}.labelMap['${l}'] = '${m}' is not one of ours: ${ours.join(', ')}`);
        return m;
      }
      return ours.find((x) => x.toLowerCase() === l.toLowerCase());
    };
    if (head === 'pii') {
      const types = [...new Set(spec.pii.bio.filter((b) => b.tag !== 'O').map((b) => b.type))];
      this.#ours = types;
      this.#bio = parseBioLabels(labels).map((b, i) => {
        if (b.tag === 'O') {
          // IO scheme (`PER`) → treat as B-/I- by continuity: map as 'I' so runs merge
          const t = labels[i] === 'O' ? undefined : find(labels[i]!, types);
          return t ? { tag: 'I' as const, type: t } : { tag: 'O' as const, type: '' };
        }
        const t = find(b.type, types);
        return t ? { tag: b.tag, type: t } : { tag: 'O' as const, type: '' };
      });
      this.#seqMap = new Int32Array(0);
      if (!this.#bio.some((b) => b.tag !== 'O')) {
        throw new ClassifierError(`heads.pii: none of the model's labels (${labels.join(', ')}) maps to our entity types; pass labelMap`);
      }
    } else {
      const ours = head === 'domain' ? spec.domain.labels : ['benign', 'jailbreak'];
      this.#ours = ours;
      this.#seqMap = Int32Array.from(labels.map((l) => ours.indexOf(find(l, ours) ?? '')));
      this.#bio = [];
      if (head === 'jailbreak' && !this.#seqMap.includes(1)) {
        throw new ClassifierError(`heads.jailbreak: none of the model's labels (${labels.join(', ')}) maps to 'jailbreak'; pass labelMap`);
      }
      if (head === 'domain' && !this.#seqMap.some((x) => x >= 0)) {
        throw new ClassifierError(`heads.domain: none of the model's labels (${labels.join(', ')}) maps to our categories; pass labelMap`);
      }
    }
    const L = labels.length;
    this.#batcher = new MicroBatcher(runner, {
      ...DEFAULT_BATCHING,
      ...batching,
      dims: head === 'pii' ? { domain: 0, jailbreak: 0, pii: L } : { domain: L, jailbreak: 0, pii: 0 },
      padId: tok.padId,
    });
  }

  /** Loads a custom head through the runtime's {@link ByoIo}; its labels are mapped onto the shipped model's (`spec`). */
  static async load(head: ByoHeadName, o: HeadModelOptions, io: ByoIo, spec: ModelSpec, batching: Partial<BatcherOptions> = {}): Promise<ByoHead> {
    const [config, tj, tc] = await Promise.all([io.json('config.json'), io.json('tokenizer.json'), io.json('tokenizer_config.json').catch(() => ({}))]);
    const labels = o.labels ? [...o.labels] : labelsFromConfig(config, `heads.${head} (${o.model})`);
    const tok = io.tokenizer(tj, tc);
    const maxLen = o.maxLength ?? Math.min(512, Number((tc as { model_max_length?: number }).model_max_length) || 512);
    const runner = await io.runner(o.file ?? 'onnx/model.onnx', o.output ?? 'logits', head === 'pii' ? 'token' : 'sequence');
    return new ByoHead(head, labels, tok, runner, o, spec, batching, maxLen);
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

  /** Domain with a {@link DomainBlend}: the shipped head's scores pooled with this model's (`custom`, from {@link sequence}). */
  blendWith(shipped: Readonly<Record<string, number>>, custom: Readonly<Record<string, number>>): Record<string, number> {
    if (!this.blend) return { ...custom };
    return blendDomainScores(this.#ours, shipped, custom, this.blend);
  }

  /** Domain: our category scores. Jailbreak: P(jailbreak). */
  async sequence(text: string): Promise<Record<string, number> | number> {
    const enc = this.#tok.encode(text, false);
    const head = Math.round(this.#content * 0.75);
    const ranges = summaryRanges(enc.ids.length, validateWindows({ headTokens: head, tailTokens: this.#content - head, piiWindowTokens: 2, piiOverlapTokens: 0 }));
    const seq = this.#seq(enc.ids, ranges);
    // A text with no tokens (and a tokenizer without template tokens) still needs one position: the pad token.
    const [row] = await Promise.all(this.#batcher.submit([{ ids: seq.length ? seq : Int32Array.of(this.#tok.padId), needPii: false }]));
    const p = softmaxT(row!.domain, this.#t);
    if (this.head === 'domain' && this.#confidenceMap) applyConfidenceMap(p, this.#confidenceMap);
    if (this.head === 'jailbreak') {
      let s = 0;
      this.#seqMap.forEach((o, i) => (s += o === 1 ? p[i]! : 0));
      return s;
    }
    const acc = new Float64Array(this.#ours.length);
    this.#seqMap.forEach((o, i) => {
      if (o >= 0) acc[o] = acc[o]! + p[i]!;
    });
    const total = acc.reduce((a, b) => a + b, 0) || 1;
    return Object.fromEntries(this.#ours.map((l, i) => [l, acc[i]! / total]));
  }

  /** PII spans over the whole text (overlapping windows). */
  async spans(text: string): Promise<PiiSpan[]> {
    const enc = this.#tok.encode(text);
    const n = enc.ids.length;
    if (n === 0) return [];
    const windows = piiWindows(n, { headTokens: 1, tailTokens: 0, piiWindowTokens: this.#content, piiOverlapTokens: Math.min(32, Math.floor(this.#content / 4)) });
    const rows = await Promise.all(this.#batcher.submit(windows.map((w) => ({ ids: this.#seq(enc.ids, [w]), needPii: true }))));
    const L = this.labels.length;
    const pre = this.#tok.prefixIds.length;
    const owner = assignTokensToWindows(n, windows);
    const logits = new Float32Array(n * L);
    for (let i = 0; i < n; i++) {
      const w = owner[i]!;
      const at = (pre + i - windows[w]![0]) * L;
      logits.set(rows[w]!.pii!.subarray(at, at + L), i * L);
    }
    return decodePii(logits, enc.offsets, n, text, { labels: this.#bio, temperature: this.#t });
  }

  /** Fails queued calls and releases the session. */
  async dispose(): Promise<void> {
    this.#batcher.close(new ClassifierError('classifier has been disposed'));
    await this.#runner.dispose();
  }
}
