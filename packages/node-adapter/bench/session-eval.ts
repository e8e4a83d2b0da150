/**
 * Session-aware routing, measured on the shipped model: runs the hand-written multi-turn conversations of
 * `packages/core/test/fixtures/sessions/conversations.txt` through `Router.route()` (the bundled model, the bundled
 * default config with `routing.session` set per variant) as an OpenAI client would send them — every turn's request
 * holds the conversation so far — and reports:
 *
 * - stay rate: follow-up turns (`=`) routed to their conversation's route;
 * - move rate: topic switches (`>`) routed to the route the new topic gets on its own, counted where that route
 *   differs from the conversation's route before the switch (a switch between two topics with the same route cannot
 *   be seen in the routing);
 *
 * where "a conversation's route" is the route (model + reasoning setting) its opening turn, or its latest switch,
 * gets when sent alone. So the figures measure the session policy, not the classifier's accuracy.
 * `switch_confidence` and `min_switch_tokens` are chosen on the dev half (even-numbered conversations) and reported on both halves.
 *
 *   pnpm --filter @semroute/node-adapter bench:sessions          # writes bench/results-session-eval.json
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { Router, defaultConfig, loadConfigOrThrow, type Classifier, type ClassifierSignals, type ClassifyOptions, type RouterConfig } from '@semroute/core';
import { createNodeClassifier } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '../../core/test/fixtures/sessions/conversations.txt');
const OUT = join(here, 'results-session-eval.json');
const ANSWER = 'Sure, here is my answer.';

type Label = 'start' | 'stay' | 'switch';
interface Conversation {
  readonly name: string;
  readonly turns: readonly { readonly label: Label; readonly text: string }[];
}

export function parseConversations(text: string): Conversation[] {
  const out: Conversation[] = [];
  let cur: { name: string; turns: { label: Label; text: string }[] } | undefined;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('#') || line.trim() === '') return;
    const tag = line.slice(0, 2);
    if (tag === '@ ') {
      cur = { name: line.slice(2).trim(), turns: [] };
      out.push(cur);
      return;
    }
    const label: Label | undefined = tag === '+ ' ? 'start' : tag === '= ' ? 'stay' : tag === '> ' ? 'switch' : undefined;
    if (!label || !cur) throw new Error(`${FIXTURE}:${i + 1}: expected '@ name', '+ ', '= ' or '> ' followed by text`);
    if ((label === 'start') !== (cur.turns.length === 0)) throw new Error(`${FIXTURE}:${i + 1}: a conversation opens with one '+' line`);
    cur.turns.push({ label, text: line.slice(2).trim() });
  });
  return out;
}

/** The shipped classifier, each text classified once (the model is deterministic; variants re-route on cached signals). */
class Memo implements Classifier {
  readonly #cache = new Map<string, ClassifierSignals>();
  constructor(readonly inner: Classifier) {}
  get backend(): string {
    return this.inner.backend;
  }
  async classify(texts: readonly string[], options?: ClassifyOptions): Promise<ClassifierSignals[]> {
    const key = (t: string) => `${(options?.heads ?? []).join(',')}\u0000${t}`;
    const missing = [...new Set(texts.filter((t) => !this.#cache.has(key(t))))];
    if (missing.length) {
      const outs = await this.inner.classify(missing, options);
      missing.forEach((t, i) => this.#cache.set(key(t), outs[i]!));
    }
    return texts.map((t) => this.#cache.get(key(t))!);
  }
  async dispose(): Promise<void> {
    await this.inner.dispose();
  }
}

const routeOf = (d: { model: string; use_reasoning: boolean }) => `${d.model}/${d.use_reasoning ? 'on' : 'off'}`;

function configWith(session: Record<string, unknown>): RouterConfig {
  const raw = JSON.parse(JSON.stringify(defaultConfig())) as { routing: { session: Record<string, unknown> } };
  raw.routing.session = { ...raw.routing.session, ...session };
  return loadConfigOrThrow(raw);
}

interface TurnResult {
  readonly conversation: number;
  readonly label: Label;
  readonly intended: string;
  /** The conversation's route before this turn (for a switch: the route it moves away from). */
  readonly before: string;
  readonly routed: string;
  readonly outcome?: string;
}

async function runVariant(router: Router, convs: readonly Conversation[], alone: ReadonlyMap<string, string>): Promise<TurnResult[]> {
  const results: TurnResult[] = [];
  for (let c = 0; c < convs.length; c++) {
    const conv = convs[c]!;
    const messages: { role: string; content: string }[] = [];
    let intended = '';
    for (const turn of conv.turns) {
      if (messages.length) messages.push({ role: 'assistant', content: ANSWER });
      messages.push({ role: 'user', content: turn.text });
      const before = intended;
      if (turn.label !== 'stay') intended = alone.get(turn.text)!;
      const r = await router.route({ model: 'auto', messages });
      results.push({ conversation: c, label: turn.label, intended, before, routed: routeOf(r.decision), ...(r.decision.trace.session ? { outcome: r.decision.trace.session.outcome } : {}) });
    }
  }
  return results;
}

interface Rates {
  stay: { ok: number; n: number; rate: number };
  move: { ok: number; n: number; rate: number; unobservable: number };
  mean: number;
}

function rates(rs: readonly TurnResult[]): Rates {
  const stays = rs.filter((r) => r.label === 'stay');
  const switches = rs.filter((r) => r.label === 'switch');
  const seen = switches.filter((r) => r.intended !== r.before);
  const stayOk = stays.filter((r) => r.routed === r.intended).length;
  const moveOk = seen.filter((r) => r.routed === r.intended).length;
  const stay = { ok: stayOk, n: stays.length, rate: stays.length ? stayOk / stays.length : 0 };
  const move = { ok: moveOk, n: seen.length, rate: seen.length ? moveOk / seen.length : 0, unobservable: switches.length - seen.length };
  return { stay, move, mean: (stay.rate + move.rate) / 2 };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<void> {
  const convs = parseConversations(readFileSync(FIXTURE, 'utf8'));
  const t0 = performance.now();
  const classifier = new Memo(await createNodeClassifier({ backend: 'cpu' }));
  // Each opening / switching turn sent alone: the route its topic gets (the target).
  const plain = new Router({ config: configWith({ mode: 'per_turn' }), classifier });
  const alone = new Map<string, string>();
  for (const conv of convs) {
    for (const t of conv.turns) if (t.label !== 'stay') alone.set(t.text, routeOf((await plain.route({ model: 'auto', messages: [{ role: 'user', content: t.text }] })).decision));
  }
  const variants: { name: string; session: Record<string, unknown> }[] = [
    { name: 'per_turn', session: { mode: 'per_turn' } },
    ...[0.4, 0.5, 0.6, 0.8].flatMap((s) =>
      [0, 8, 10, 12, 14, 16, 20].map((t) => ({ name: `sticky@${s}/${t}`, session: { mode: 'sticky', switch_confidence: s, min_switch_tokens: t } })),
    ),
  ];
  const dev = (r: TurnResult) => r.conversation % 2 === 0;
  const table: Record<string, { all: Rates; dev: Rates; report: Rates; outcomes: Record<string, number> }> = {};
  for (const v of variants) {
    const rs = await runVariant(new Router({ config: configWith(v.session), classifier }), convs, alone);
    const outcomes: Record<string, number> = {};
    for (const r of rs) if (r.outcome) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    table[v.name] = { all: rates(rs), dev: rates(rs.filter(dev)), report: rates(rs.filter((r) => !dev(r))), outcomes };
    if (process.env.DETAIL === v.name) {
      // SESSION_EVAL detail: every miss, to read what the policy got wrong
      for (const r of rs) {
        if (r.label === 'start' || r.routed === r.intended || (r.label === 'switch' && r.intended === r.before)) continue;
        const turn = rs.filter((x) => x.conversation === r.conversation).indexOf(r);
        console.log(`miss ${r.label.padEnd(6)} ${convs[r.conversation]!.name}#${turn + 1}: routed ${r.routed}, wanted ${r.intended} (${r.outcome ?? ''}) ${convs[r.conversation]!.turns[turn]!.text.slice(0, 70)}`);
      }
    }
  }
  const sticky = variants.filter((v) => v.name.startsWith('sticky'));
  const chosen = sticky.reduce((best, v) => (table[v.name]!.dev.mean > table[best.name]!.dev.mean ? v : best), sticky[0]!);
  const turns = convs.reduce((n, c) => n + c.turns.length, 0);
  console.log(`${convs.length} conversations, ${turns} user turns (${convs.filter((_, i) => i % 2 === 0).length} dev / ${convs.filter((_, i) => i % 2 === 1).length} report); ${classifier.backend}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  console.log('variant (sticky@switch_confidence/min_switch_tokens)\nvariant          stay (follow-ups)        move (switches)          mean    | dev mean  report mean');
  for (const v of variants) {
    const t = table[v.name]!;
    console.log(
      `${v.name.padEnd(16)} ${pct(t.all.stay.rate).padStart(6)} (${t.all.stay.ok}/${t.all.stay.n})`.padEnd(43) +
        `${pct(t.all.move.rate).padStart(6)} (${t.all.move.ok}/${t.all.move.n})`.padEnd(25) +
        `${pct(t.all.mean).padStart(6)}  | ${pct(t.dev.mean).padStart(6)}    ${pct(t.report.mean).padStart(6)}${v === chosen ? '   ← chosen on dev' : ''}`,
    );
  }
  for (const v of [variants[0]!, chosen]) {
    const t = table[v.name]!;
    const half = (r: Rates) => `stay ${pct(r.stay.rate)} (${r.stay.ok}/${r.stay.n}), move ${pct(r.move.rate)} (${r.move.ok}/${r.move.n})`;
    console.log(`${v.name}: dev half ${half(t.dev)}; report half ${half(t.report)}`);
  }
  const unobservable = table.per_turn!.all.move.unobservable;
  console.log(`switches between two topics with the same route (not counted in the move rate): ${unobservable}`);
  writeFileSync(
    OUT,
    `${JSON.stringify(
      {
        what: 'session-aware routing on hand-written multi-turn conversations: stay rate on follow-ups, move rate on topic switches (bench/session-eval.ts)',
        fixture: 'packages/core/test/fixtures/sessions/conversations.txt',
        model: 'models/semroute-mini (bundled), default config, routing.session per variant',
        machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
        date: new Date().toISOString().slice(0, 10),
        conversations: convs.length,
        user_turns: turns,
        chosen_on_dev: chosen.name,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        variants: table,
      },
      null,
      2,
    )}\n`,
  );
  await classifier.dispose();
}

await main();
