/**
 * The runtime-agnostic part of the classifier: tokenize, cut windows, micro-batch, calibrate, decode PII.
 * A runtime (node.ts, the web worker) only supplies a {@link BatchRunner} for its ONNX Runtime session.
 * @module
 */
import { now, roundMs } from '../clock.js';
import { ClassifierError } from '../errors.js';
import { hasRecognizerSettings, type PiiRecognizerSettings, RecognizerRegistry } from '../signals/pii-recognizers.js';
import type { Classifier, ClassifierSignals, ClassifyOptions, PiiSpan, ScoreSources } from '../signals/types.js';
import type { ModelSpec } from './artifacts.js';
import { type BatchRunner, type BatcherOptions, DEFAULT_BATCHING, MicroBatcher, type RowOutputs } from './batcher.js';
import { applyConfidenceMap, decodePii, l2normalize, softmaxT } from './postprocess.js';
import type { EncodedText, ModelTokenizer } from './tokenizer.js';
import type { ByoHead, ByoHeadName, HeadOverrides } from './byo.js';
import { type WindowOptions, defaultWindowsFor, assignTokensToWindows, jailbreakWindows, piiWindows, summaryRanges, validateWindows } from './windows.js';


export type HeadName = NonNullable<ClassifyOptions['heads']>[number];
export const HEAD_NAMES = Object.freeze(['domain', 'jailbreak', 'pii', 'pooled'] as const);

/** Tuning shared by every runtime. */
export interface EngineOptions {
  /** Serve some heads from your own single-head models instead of the shipped one (see byo.ts). */
  readonly heads?: HeadOverrides;
  /** Long-input windows (tokens). */
  readonly windows?: Partial<WindowOptions>;
  /**
   * Rule-based PII post-processing, default true: merge pattern recognizers (e-mail, Luhn-checked cards, mod-97 IBANs,
   * IPs, SSNs, phone numbers with extensions, URLs) into the model's spans (exact where the model is fuzzy at span
   * edges), after refining the model's spans with `refinePiiSpans`: drop spans that cannot be what they claim
   * (punctuation only, a phone number without digits) and name spans made only of function words ("no", "me"), cut
   * name spans at a line break, retype digit-less "addresses" as places ("I live in Kyleton"), fit name spans to the
   * text's capitalisation ("called Erin Dale keeps" → "Erin Dale"), split honorifics off names as TITLE, cut relation
   * words ("my coworker corrine" → "corrine") and sentence punctuation off names, retype nationality adjectives as NRP,
   * grow a lone house number over its street name and join an address's fragments on one line, keep digit ages only
   * next to an age cue ("top 20 songs" is not an age), and add ZIP codes after a location word ("find doctors in
   * 92019"). Each of these is a recognizer in `signals/pii-recognizers.ts`, switchable by name per call
   * (`ClassifyOptions.pii`, from the config's `global.classifier.pii.recognizers`). `false`: the model's own spans.
   */
  readonly piiPatterns?: boolean;
  /** The PII recognizers to run (default: every built-in, `RecognizerRegistry.withBuiltins()`); a call's `pii` settings apply on top. */
  readonly piiRecognizers?: RecognizerRegistry;
  /** Micro-batching limits. */
  readonly batching?: Partial<Pick<BatcherOptions, 'maxBatch' | 'maxBatchTokens' | 'maxQueue' | 'batchWindowMs' | 'padShapes'>>;
}

/** A runner that can also be released. */
export interface DisposableRunner extends BatchRunner {
  /** Releases the session (and its worker, if any). */
  dispose(): Promise<void>;
}

export class ModelClassifier implements Classifier {
  readonly backend: string;
  readonly spec: ModelSpec;
  readonly #tok: ModelTokenizer;
  readonly #runner: DisposableRunner;
  readonly #batcher: MicroBatcher;
  readonly #w: WindowOptions;
  readonly #piiPatterns: boolean;
  readonly #registry: RecognizerRegistry;
  /** Registries built from per-call settings, by their JSON (a config's settings are the same on every call). */
  readonly #registries = new Map<string, RecognizerRegistry>();
  /** Custom models by the head they serve (one model may serve several: the towers). */
  readonly #byo = new Map<string, ByoHead>();
  #disposed = false;

  constructor(
    tokenizer: ModelTokenizer,
    spec: ModelSpec,
    runner: DisposableRunner,
    backend: string,
    options: EngineOptions = {},
    custom: readonly ByoHead[] = [],
  ) {
    this.backend = backend;
    for (const m of custom) for (const h of m.heads) this.#byo.set(h, m);
    this.spec = spec;
    this.#tok = tokenizer;
    this.#runner = runner;
    this.#piiPatterns = options.piiPatterns ?? true;
    this.#registry = options.piiRecognizers?.clone() ?? RecognizerRegistry.withBuiltins();
    this.#w = validateWindows({ ...defaultWindowsFor(spec.maxLength, tokenizer.specialCount), ...options.windows });
    this.#batcher = new MicroBatcher(runner, {
      ...DEFAULT_BATCHING,
      ...options.batching,
      dims: { domain: spec.domain.labels.length, jailbreak: spec.jailbreak.labels.length, pii: spec.pii.labels.length },
      padId: tokenizer.padId,
    });
  }

  /** Effective long-input windows. */
  get windows(): WindowOptions {
    return this.#w;
  }

  /** Batches run so far. */
  get batchesRun(): number {
    return this.#batcher.batches;
  }

  async classify(texts: readonly string[], options: ClassifyOptions = {}): Promise<ClassifierSignals[]> {
    if (this.#disposed) throw new ClassifierError('classifier has been disposed');
    if (!Array.isArray(texts)) throw new ClassifierError('classify() expects an array of strings');
    const heads = new Set<HeadName>(options.heads ?? HEAD_NAMES);
    for (const h of heads) {
      if (!(HEAD_NAMES as readonly string[]).includes(h)) {
        throw new ClassifierError(`Unknown head ${JSON.stringify(h)}. Should be one of: ${HEAD_NAMES.join(', ')}.`);
      }
    }
    const registry = await this.#registryFor(options.pii);
    return Promise.all(texts.map((t, i) => {
      if (typeof t !== 'string') return Promise.reject(new ClassifierError(`classify(): texts[${i}] is not a string`));
      return this.#one(t, heads, registry);
    }));
  }

  /**
   * The registry for a call's PII settings (built once per distinct settings; a bad setting fails the call). Settings
   * load `pii-custom-recognizers.ts` (custom regex recognizers, their VM) on first use: a chunk of its own in browser
   * bundles, which calls without settings never fetch.
   */
  async #registryFor(settings: PiiRecognizerSettings | undefined): Promise<RecognizerRegistry> {
    if (!hasRecognizerSettings(settings)) return this.#registry;
    const key = JSON.stringify(settings);
    let registry = this.#registries.get(key);
    if (!registry) {
      const { registryFromSettings } = await import('../signals/pii-custom-recognizers.js');
      try {
        registry = registryFromSettings(settings, this.#registry);
      } catch (err) {
        throw new ClassifierError(`PII recognizer settings: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (this.#registries.size >= 16) this.#registries.delete(this.#registries.keys().next().value!);
      this.#registries.set(key, registry);
    }
    return registry;
  }

  async #one(text: string, requested: ReadonlySet<HeadName>, registry: RecognizerRegistry): Promise<ClassifierSignals> {
    const out = await this.#model(text, requested);
    // The recognizer registry over the spans of whichever model served PII (shipped or bring-your-own): span rules,
    // then pattern matches merged in (see the `piiPatterns` option).
    if (!this.#piiPatterns || !requested.has('pii')) return out;
    return { ...out, pii: registry.run(out.pii, text) };
  }

  async #model(text: string, requested: ReadonlySet<HeadName>): Promise<ClassifierSignals> {
    if (this.#byo.size === 0) return this.#main(text, requested);
    // A blended head (e.g. the model folder's own domain and jailbreak towers) needs the shipped head's score too.
    const mainHeads = new Set([...requested].filter((h) => !this.#byo.has(h) || this.#byo.get(h)!.blends(h as ByoHeadName)));
    // One call per custom model: heads it serves together (the towers: two outputs of one graph) come from one run.
    const byModel = new Map<ByoHead, ByoHeadName[]>();
    for (const h of requested) {
      const m = this.#byo.get(h);
      if (m) byModel.set(m, [...(byModel.get(m) ?? []), h as ByoHeadName]);
    }
    const base = this.#main(text, mainHeads);
    const [shipped, ...custom] = await Promise.all([base, ...[...byModel].map(([m, heads]) => m.signals(text, heads, base))]);
    // Each custom model's heads replace the shipped model's, their score sources too (merged per head).
    const sources = Object.assign({ ...shipped!.sources }, ...custom.map((c) => c.sources)) as ScoreSources;
    return Object.assign({ ...shipped! }, ...custom, sources.jailbreak || sources.domain ? { sources } : {});
  }

  async #main(text: string, heads: ReadonlySet<HeadName>): Promise<ClassifierSignals> {
    const t0 = now();
    const enc = this.#tok.encode(text, heads.has('pii') || heads.has('jailbreak'));
    const t1 = now();
    const n = enc.ids.length;
    const wantSummary = heads.has('domain') || heads.has('jailbreak') || heads.has('pooled');
    const wantPii = heads.has('pii');
    const wantJailbreak = heads.has('jailbreak');
    const sRanges = summaryRanges(n, this.#w);
    // Jailbreak and PII look at the whole text: overlapping windows cover every token (the same windows serve both, as
    // every batch row yields every head), so an injection in the middle or at the end of a long prompt is seen.
    // Domain and pooled use the head + tail summary window. Linear: about n / (window - overlap) windows.
    const pWindows = wantPii || wantJailbreak ? piiWindows(n, this.#w) : [];
    const shared = sRanges.length === 1 && sRanges[0]![1] === n && pWindows.length <= 1;
    // ... plus short windows from each sentence or line start: the model sees an injection only near its input's start
    const jWindows = wantJailbreak && !shared ? jailbreakWindows(text, enc.offsets, n, this.#w) : [];

    const seqs: { ids: Int32Array; needPii: boolean }[] = [];
    if (shared) {
      seqs.push({ ids: this.#seq(enc.ids, [[0, n]]), needPii: wantPii });
    } else {
      if (wantSummary) seqs.push({ ids: this.#seq(enc.ids, sRanges), needPii: false });
      for (const w of pWindows) seqs.push({ ids: this.#seq(enc.ids, [w]), needPii: wantPii });
      for (const w of jWindows) seqs.push({ ids: this.#seq(enc.ids, [w]), needPii: false });
    }
    const rows = seqs.length && (wantSummary || wantPii) ? await Promise.all(this.#batcher.submit(seqs)) : [];
    const t2 = now();

    const spec = this.spec;
    const summary = (wantSummary || shared) && rows.length ? rows[0]! : null;
    const categoryScores: Record<string, number> = {};
    let jailbreak = 0;
    const sources: { -readonly [K in keyof ScoreSources]: ScoreSources[K] } = {};
    let pooled: Float32Array | undefined;
    if (summary) {
      if (heads.has('domain')) {
        const p = softmaxT(summary.domain, spec.domain.temperature);
        if (spec.domain.confidenceMap) applyConfidenceMap(p, spec.domain.confidenceMap);
        spec.domain.labels.forEach((l, i) => (categoryScores[l] = p[i]!));
        sources.domain = { kind: 'model' };
      }
      if (wantJailbreak) {
        // the highest score of any window: a jailbreak anywhere in the text is one (max, not mean, of the windows)
        let window = 0;
        rows.forEach((r, i) => {
          const next = Math.max(jailbreak, softmaxT(r.jailbreak, spec.jailbreak.temperature)[spec.jailbreak.positiveIndex]!);
          if (next !== jailbreak) window = i;
          jailbreak = next;
        });
        sources.jailbreak = { kind: 'model', window, windows: rows.length };
      }
      if (heads.has('pooled')) pooled = l2normalize(summary.pooled);
    }
    let pii: PiiSpan[] = [];
    if (wantPii && n > 0) {
      const first = wantSummary ? 1 : 0;
      const piiRows = shared ? [rows[0]!] : rows.slice(first, first + pWindows.length);
      pii = this.#decodePii(text, enc, n, shared ? [[0, n]] : pWindows, piiRows);
    }
    const t3 = now();
    const runs = new Map<number, number>();
    for (const r of rows) runs.set(r.batchId, r.runMs);
    let inferMs = 0;
    for (const v of runs.values()) inferMs += v;
    const out: { -readonly [K in keyof ClassifierSignals]: ClassifierSignals[K] } = {
      categoryScores,
      jailbreak,
      pii,
      tokenCount: n + this.#tok.specialCount,
      backend: this.backend,
      timings: {
        tokenizeMs: roundMs(t1 - t0),
        inferMs: roundMs(inferMs),
        queueMs: roundMs(Math.max(0, t2 - t1 - inferMs)),
        postprocessMs: roundMs(t3 - t2),
      },
    };
    if (pooled) out.pooled = pooled;
    if (sources.jailbreak || sources.domain) out.sources = sources;
    return out;
  }

  /** prefix + ranges of content ids + suffix. */
  #seq(ids: Int32Array, ranges: ReadonlyArray<readonly [number, number]>): Int32Array {
    const pre = this.#tok.prefixIds;
    const suf = this.#tok.suffixIds;
    let len = pre.length + suf.length;
    for (const [s, e] of ranges) len += e - s;
    const out = new Int32Array(len);
    out.set(pre, 0);
    let o = pre.length;
    for (const [s, e] of ranges) {
      out.set(ids.subarray(s, e), o);
      o += e - s;
    }
    out.set(suf, o);
    return out;
  }

  #decodePii(text: string, enc: EncodedText, n: number, windows: ReadonlyArray<readonly [number, number]>, rows: RowOutputs[]): PiiSpan[] {
    const L = this.spec.pii.labels.length;
    const pre = this.#tok.prefixIds.length;
    const owner = assignTokensToWindows(n, windows);
    const tokenLogits = new Float32Array(n * L);
    for (let i = 0; i < n; i++) {
      const w = owner[i]!;
      const row = rows[w]!.pii!;
      const at = (pre + i - windows[w]![0]) * L;
      tokenLogits.set(row.subarray(at, at + L), i * L);
    }
    return decodePii(tokenLogits, enc.offsets, n, text, {
      labels: this.spec.pii.bio,
      temperature: this.spec.pii.temperature,
      tokenThreshold: this.spec.pii.tokenThreshold,
      spanThreshold: this.spec.pii.spanThreshold,
      ...(this.spec.pii.wordLevel ? { continuation: this.#tok.continuationMask(enc.ids) } : {}),
      ...(this.spec.pii.chunkVote ? { chunkVote: true } : {}),
      ...(this.spec.pii.viterbi ? { viterbi: true } : {}),
    });
  }

  /** Fails queued calls and releases the sessions (the shipped model's and every custom head's). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#batcher.close(new ClassifierError('classifier has been disposed'));
    await Promise.all([this.#runner.dispose(), ...[...new Set(this.#byo.values())].map((m) => m.dispose())]);
  }
}
