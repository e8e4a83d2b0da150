/**
 * Paraphrase / near-miss quality of the response cache with the shipped model (issue 21).
 *
 *   node --conditions=source --import tsx bench/cache-quality.ts [--json bench/results-cache-quality.json]
 *
 * Each line of bench/data/cache-paraphrase*.jsonl holds a question (`anchor`), a true paraphrase and a near-miss that
 * differs in one entity, number or operation. Every prompt is routed through the bundled model with the default
 * config and the cache on (so the embedding is the one the cache uses: the pooled output of the classified text),
 * then for each threshold we count a pair as a hit when the int8 similarity reaches it, and - with the guard - when
 * the lexical guard passes too. Unrelated pairs (every anchor against every other anchor) give a third rate.
 * `cache-paraphrase.jsonl` (100 triplets) was written first and the guard was designed looking at it;
 * `cache-paraphrase-heldout.jsonl` (50 triplets) was written afterwards and only measured.
 * `cache-near-miss-additions.jsonl` (30 pairs) holds a second kind of near-miss, written to choose the guard's
 * `max_extra_words`: the same question with one qualifier added ("sort a list" / "sort a list in descending order").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DEFAULT_CONFIG_YAML, loadConfigOrThrow, type QuantizedVector } from '@semroute/core';
import { guardVerdict, promptSignature, quantize, similarity } from '@semroute/core/runtime-kit';
import { createRouter } from '../src/node.js';

interface Triplet {
  id: number;
  kind: 'entity' | 'number' | 'operation';
  anchor: string;
  paraphrase: string;
  near_miss: string;
}

const SETS = [
  { name: 'dev (guard designed on it)', file: 'bench/data/cache-paraphrase.jsonl' },
  { name: 'held-out (written after the guard)', file: 'bench/data/cache-paraphrase-heldout.jsonl' },
];
const ADDITIONS = 'bench/data/cache-near-miss-additions.jsonl';
const THRESHOLDS = [0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.96, 0.98];

const config = loadConfigOrThrow(DEFAULT_CONFIG_YAML.replace(/\nglobal:\n/, '\nglobal:\n  stores:\n    response_cache: {enabled: true}\n'));
const router = await createRouter({ config, threads: 1 });

interface Embedded {
  vector: QuantizedVector;
  decision: string;
  signature: ReturnType<typeof promptSignature>;
}
async function embed(text: string): Promise<Embedded> {
  const r = await router.route({ model: 'auto', messages: [{ role: 'user', content: text }] }, { heads: ['domain', 'jailbreak', 'pii', 'pooled'] });
  if (!r.embedding) throw new Error('the router returned no embedding: is the pooled head exported by the model?');
  return { vector: quantize(r.embedding), decision: r.decision.decision, signature: promptSignature(text) };
}

/** `fn` over `items` one at a time: all at once would pass the router's queue limit (`global.limits.max_queued_requests`) and fail OVERLOADED. */
async function inOrder<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

const pct = (n: number, d: number) => (d === 0 ? 0 : Math.round((1000 * n) / d) / 10);
const report: Record<string, unknown> = {
  machine: `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, Node ${process.version}`,
  model: 'models/semroute-mini (int8 graph, pooled output)',
  sets: [] as unknown[],
};

for (const set of SETS) {
  const rows = readFileSync(set.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Triplet);
  const emb = await inOrder(rows, async (r) => ({ a: await embed(r.anchor), p: await embed(r.paraphrase), n: await embed(r.near_miss) }));
  const pairs = (which: 'p' | 'n') => emb.map((e) => ({ sim: similarity(e.a.vector, e[which].vector), guard: guardVerdict(e.a.signature, e[which].signature), sameDecision: e.a.decision === e[which].decision }));
  const para = pairs('p');
  const near = pairs('n');
  const unrelated: { sim: number; guard: ReturnType<typeof guardVerdict> }[] = [];
  for (let i = 0; i < emb.length; i++) for (let j = 0; j < emb.length; j++) if (i !== j) unrelated.push({ sim: similarity(emb[i]!.a.vector, emb[j]!.a.vector), guard: guardVerdict(emb[i]!.a.signature, emb[j]!.a.signature) });
  const mean = (xs: { sim: number }[]) => Math.round((1000 * xs.reduce((s, x) => s + x.sim, 0)) / xs.length) / 1000;
  const table = THRESHOLDS.map((t) => ({
    threshold: t,
    embedding_only: { paraphrase_hit_pct: pct(para.filter((x) => x.sim >= t).length, para.length), near_miss_false_hit_pct: pct(near.filter((x) => x.sim >= t).length, near.length), unrelated_false_hit_pct: pct(unrelated.filter((x) => x.sim >= t).length, unrelated.length) },
    with_guard: {
      paraphrase_hit_pct: pct(para.filter((x) => x.sim >= t && !x.guard).length, para.length),
      near_miss_false_hit_pct: pct(near.filter((x) => x.sim >= t && !x.guard).length, near.length),
      unrelated_false_hit_pct: pct(unrelated.filter((x) => x.sim >= t && !x.guard).length, unrelated.length),
    },
  }));
  const byKind = Object.fromEntries(
    (['entity', 'number', 'operation'] as const).map((k) => {
      const idx = rows.map((r, i) => (r.kind === k ? i : -1)).filter((i) => i >= 0);
      return [k, { triplets: idx.length, near_miss_guard_pass_pct: pct(idx.filter((i) => !near[i]!.guard).length, idx.length), paraphrase_guard_pass_pct: pct(idx.filter((i) => !para[i]!.guard).length, idx.length) }];
    }),
  );
  const entry = {
    name: set.name,
    file: set.file,
    triplets: rows.length,
    pairs: rows.length * 2,
    mean_similarity: { paraphrase: mean(para), near_miss: mean(near), unrelated: mean(unrelated) },
    paraphrase_same_decision_pct: pct(para.filter((x) => x.sameDecision).length, para.length),
    guard_pass_pct: { paraphrase: pct(para.filter((x) => !x.guard).length, para.length), near_miss: pct(near.filter((x) => !x.guard).length, near.length) },
    by_kind: byKind,
    table,
  };
  (report.sets as unknown[]).push(entry);
  console.log(`\n${set.name}: ${rows.length} triplets (${rows.length * 2} pairs) + ${unrelated.length} unrelated pairs`);
  console.log(`mean similarity: paraphrase ${entry.mean_similarity.paraphrase}, near-miss ${entry.mean_similarity.near_miss}, unrelated ${entry.mean_similarity.unrelated}; paraphrase routed to the same decision ${entry.paraphrase_same_decision_pct}%`);
  console.log('threshold | embedding only: paraphrase hit / near-miss false hit / unrelated | with guard: paraphrase hit / near-miss false hit / unrelated');
  for (const r of table) {
    const e = r.embedding_only;
    const g = r.with_guard;
    console.log(`${r.threshold.toFixed(2)} | ${e.paraphrase_hit_pct}% / ${e.near_miss_false_hit_pct}% / ${e.unrelated_false_hit_pct}% | ${g.paraphrase_hit_pct}% / ${g.near_miss_false_hit_pct}% / ${g.unrelated_false_hit_pct}%`);
  }
}
// Added-qualifier near-misses and the paraphrases of both sets, per max_extra_words, at the default threshold.
{
  const t = config.global.stores.response_cache.similarity_threshold;
  const additions = readFileSync(ADDITIONS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { anchor: string; near_miss: string });
  const add = await inOrder(additions, async (r) => ({ a: await embed(r.anchor), n: await embed(r.near_miss) }));
  const triplets = SETS.flatMap((s) => readFileSync(s.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Triplet));
  const para = await inOrder(triplets, async (r) => ({ a: await embed(r.anchor), p: await embed(r.paraphrase) }));
  const rows = [0, 1, 2].map((k) => ({
    max_extra_words: k,
    addition_false_hit_pct: pct(add.filter((e) => similarity(e.a.vector, e.n.vector) >= t && !guardVerdict(e.a.signature, e.n.signature, { maxExtraWords: k })).length, add.length),
    paraphrase_hit_pct: pct(para.filter((e) => similarity(e.a.vector, e.p.vector) >= t && !guardVerdict(e.a.signature, e.p.signature, { maxExtraWords: k })).length, para.length),
  }));
  report.added_qualifier = { file: ADDITIONS, pairs: additions.length, threshold: t, embedding_only_false_hit_pct: pct(add.filter((e) => similarity(e.a.vector, e.n.vector) >= t).length, add.length), by_max_extra_words: rows };
  console.log(`\nadded-qualifier near-misses (${additions.length} pairs) at threshold ${t}: embedding only ${(report.added_qualifier as { embedding_only_false_hit_pct: number }).embedding_only_false_hit_pct}% false hits`);
  for (const r of rows) console.log(`max_extra_words ${r.max_extra_words}: false hits ${r.addition_false_hit_pct}%, paraphrase hits (both sets, ${para.length} pairs) ${r.paraphrase_hit_pct}%`);
}
await router.dispose();
const out = process.argv.indexOf('--json');
if (out > 0 && process.argv[out + 1]) writeFileSync(process.argv[out + 1]!, `${JSON.stringify(report, null, 2)}\n`);
