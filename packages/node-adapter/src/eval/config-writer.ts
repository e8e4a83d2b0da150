/**
 * Write a tuned policy into a config: starting from the base config's YAML (comments and everything else kept), set each
 * category decision's `use_reasoning` / `reasoning_effort`, with a comment saying why, and optionally point every
 * modelRef at the measured model. The result is checked with core's `parseConfig`.
 * @module
 */
import { DEFAULT_CONFIG_YAML, parseConfig, type RouterConfig } from '@semroute/core';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { describeSetting, type TuneResult } from './tune.js';

export interface WriteConfigOptions {
  /** Base config text (default: semroute's default config). */
  readonly baseText?: string;
  readonly baseName?: string;
  /** Point the config at the measured model: one model with this name, family and backend. */
  readonly model?: { readonly name: string; readonly family: string; readonly endpoint?: string };
  /** Lines for the header comment (source of the measurements, command line …). */
  readonly header?: readonly string[];
}

export class ConfigWriteError extends Error {
  override readonly name = 'ConfigWriteError';
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The domain signal names that cover a category in a parsed config. */
function domainSignalsFor(config: RouterConfig, category: string): Set<string> {
  const names = new Set<string>();
  for (const s of config.routing.signals.domains) {
    if (s.mmlu_categories ? s.mmlu_categories.includes(category) : s.name === category) names.add(s.name);
  }
  return names;
}

/** Index of the decision whose rule is exactly one domain condition (possibly in a one-element AND/OR) for the category. */
function decisionIndexFor(config: RouterConfig, category: string): number {
  const sigs = domainSignalsFor(config, category);
  return config.routing.decisions.findIndex((d) => {
    let r: unknown = d.rules;
    const g = r as { operator?: string; conditions?: unknown[] };
    if (g.operator && g.operator !== 'NOT' && g.conditions?.length === 1) r = g.conditions[0];
    const leaf = r as { type?: string; name?: string };
    return leaf.type === 'domain' && leaf.name !== undefined && sigs.has(leaf.name);
  });
}

function backendFromEndpoint(endpoint: string): { endpoint: string; protocol: 'http' | 'https' } | undefined {
  try {
    const u = new URL(endpoint);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    return { endpoint: `${u.hostname}:${port}`, protocol: u.protocol === 'https:' ? 'https' : 'http' };
  } catch {
    return undefined;
  }
}

/** Render the tuned config as YAML text; throws {@link ConfigWriteError} if the result does not pass parseConfig. */
export function writeTunedConfig(result: TuneResult, opts: WriteConfigOptions = {}): string {
  const baseText = opts.baseText ?? DEFAULT_CONFIG_YAML;
  const parsed = parseConfig(baseText, opts.baseName ? { filename: opts.baseName } : {});
  if (!parsed.ok) throw new ConfigWriteError(`base config is invalid: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const base = parsed.config;
  const doc: Document = parseDocument(baseText);
  if (!isMap(doc.contents)) throw new ConfigWriteError('base config must be a YAML mapping in the v0.3 layout (providers / routing / global); convert legacy configs first');

  if (opts.model) {
    const { name, family, endpoint } = opts.model;
    const backend = endpoint ? backendFromEndpoint(endpoint) : undefined;
    const model: Record<string, unknown> = { name, reasoning_family: family, provider_model_id: name };
    if (backend) model.backend_refs = [{ name: 'measured', endpoint: backend.endpoint, protocol: backend.protocol, weight: 1 }];
    doc.setIn(['providers', 'models'], doc.createNode([model]));
    doc.setIn(['providers', 'defaults', 'default_model'], name);
    const models = doc.getIn(['providers', 'models']) as YAMLSeq;
    models.commentBefore = ` semroute tune: the model the policy was measured on (${name}, family ${family}).`;
  }

  const decisions = doc.getIn(['routing', 'decisions']);
  if (decisions !== undefined && !isSeq(decisions)) throw new ConfigWriteError('routing.decisions must be a list');
  let seq = decisions as YAMLSeq | undefined;
  if (!seq) {
    doc.setIn(['routing', 'decisions'], doc.createNode([]));
    seq = doc.getIn(['routing', 'decisions']) as YAMLSeq;
  }
  // Point every modelRef at the measured model when asked.
  if (opts.model) {
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const refs = item.get('modelRefs');
      if (isSeq(refs) && refs.items.length) {
        const first = refs.items[0];
        if (isMap(first)) first.set('model', opts.model.name);
        refs.items.splice(1);
      }
    }
  }
  const defaultModel = opts.model?.name ?? base.providers.defaults.default_model;
  const domains = doc.getIn(['routing', 'signals', 'domains']);
  for (const ch of result.choices) {
    const s = ch.chosen.setting;
    const idx = decisionIndexFor(base, ch.category);
    let item: YAMLMap;
    if (idx >= 0 && isMap(seq.items[idx])) {
      item = seq.items[idx] as YAMLMap;
    } else {
      if (!domainSignalsFor(base, ch.category).size) {
        if (domains === undefined) doc.setIn(['routing', 'signals', 'domains'], doc.createNode([]));
        (doc.getIn(['routing', 'signals', 'domains']) as YAMLSeq).add(doc.createNode({ name: ch.category, mmlu_categories: [ch.category] }));
      }
      const signal = [...domainSignalsFor(base, ch.category)][0] ?? ch.category;
      item = doc.createNode({
        name: `${ch.category.replace(/\W+/g, '_')}_decision`,
        priority: 100,
        rules: { operator: 'OR', conditions: [{ type: 'domain', name: signal }] },
        modelRefs: [{ model: defaultModel, use_reasoning: false }],
      }) as YAMLMap;
      seq.add(item);
    }
    let refs = item.get('modelRefs');
    if (!isSeq(refs) || refs.items.length === 0) {
      item.set('modelRefs', doc.createNode([{ model: defaultModel, use_reasoning: false }]));
      refs = item.get('modelRefs');
    }
    for (const ref of (refs as YAMLSeq).items) {
      if (!isMap(ref)) continue;
      ref.set('use_reasoning', s.use_reasoning);
      if (s.use_reasoning && s.effort) ref.set('reasoning_effort', s.effort);
      else ref.delete('reasoning_effort');
    }
    const acc = `measured: ${ch.options.map((o) => `${describeSetting(o.setting)} ${pct(o.accuracy)} / ${Math.round(o.mean_tokens)} tok`).join(', ')}`;
    const head = ch.changed ? `tune [${ch.category}] CHANGED from ${describeSetting(ch.default.setting)} to ${describeSetting(s)}` : `tune [${ch.category}]`;
    item.commentBefore = ` ${head}: ${ch.reason.replace(/\n/g, ' ')}\n ${acc} (n=${ch.chosen.n}).`;
  }

  const t = result.predicted.tuned;
  const d = result.predicted.default;
  const header = [
    ' Tuned by `semroute tune` — per-category reasoning chosen from measurements.',
    ...(opts.header ?? []).map((l) => ` ${l}`),
    ` objective ${result.objective}, λ ${result.lambda}${result.lambda_effective !== result.lambda ? ` (raised to ${result.lambda_effective.toPrecision(3)} by the budget)` : ''} pp per 1k ${result.cost_metric === 'tokens' ? 'completion tokens' : 'seconds'}, evidence at ${Math.round(result.confidence * 100)}% with ≥ ${result.min_samples} samples per category.`,
    ` predicted (routing by true category): accuracy ${pct(t.accuracy)} [${pct(t.accuracy_ci.lo)}, ${pct(t.accuracy_ci.hi)}], ${t.mean_tokens.toFixed(0)} tokens, ${t.mean_latency_s.toFixed(2)} s per query`,
    ` versus the base policy: accuracy ${pct(d.accuracy)}, ${d.mean_tokens.toFixed(0)} tokens, ${d.mean_latency_s.toFixed(2)} s per query.`,
    ...result.notes.map((n) => ` note: ${n}`),
    ` Check it: semroute eval --modes router --config THIS_FILE ... (the report shows predicted vs measured).`,
    '',
  ];
  const prev = doc.commentBefore ? `\n${doc.commentBefore}` : '';
  doc.commentBefore = header.join('\n') + prev;
  const text = doc.toString({ lineWidth: 0 });
  const check = parseConfig(text, { filename: 'tuned.yaml' });
  if (!check.ok) throw new ConfigWriteError(`internal error: the tuned config does not validate: ${check.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return text;
}
