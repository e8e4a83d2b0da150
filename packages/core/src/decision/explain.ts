/**
 * explainDecision(): renders a decision's trace as human-readable text (for logs, the playground, debug output).
 * Contains only names, scores and thresholds, never prompt text.
 * @module
 */
import type { DomainSource, JailbreakSource } from '../signals/types.js';
import { round4 } from './signal-map.js';
import type { CategorySourceTrace, CategoryTrace, Decision, RuleTrace } from './types.js';

function fmt(v: unknown): string {
  if (v === null || v === undefined) return 'n/a';
  if (Array.isArray(v)) return v.length ? v.join(',') : 'none';
  return String(v);
}

/** A score source in words: `shipped head, window 2 of 5`, `blend of shipped 0.8 (window 2 of 5) and tower 0.95, weight 0.5, T 0.848`. */
export function scoreSourceText(s: JailbreakSource | DomainSource): string {
  switch (s.kind) {
    case 'custom':
      return "caller's own model";
    case 'model':
      return 'window' in s ? `shipped head, window ${s.window} of ${s.windows}` : 'shipped head';
    case 'blend':
      return 'window' in s
        ? `blend of shipped ${round4(s.shipped)} (window ${s.window} of ${s.windows}) and tower ${round4(s.tower)}, weight ${s.weight}, T ${s.temperature}`
        : `blend of shipped ${s.shipped.label} ${round4(s.shipped.score)} and tower ${s.tower.label} ${round4(s.tower.score)}, weight ${s.weight}, T ${s.temperature}`;
  }
}

function renderRule(rule: RuleTrace, indent: string, out: string[]): void {
  const mark = rule.matched ? '✓' : '✗';
  if (rule.kind === 'group') {
    out.push(`${indent}${mark} ${rule.operator} (confidence ${rule.confidence})`);
    for (const c of rule.children) renderRule(c, `${indent}  `, out);
  } else {
    const by = rule.recognizers?.length ? `; found by ${rule.recognizers.join(', ')}` : rule.source ? `; from ${scoreSourceText(rule.source)}` : '';
    out.push(`${indent}${mark} ${rule.type}:${rule.name} = ${fmt(rule.value)} (${rule.test}; confidence ${rule.confidence}${by})`);
  }
}

function categoryText(c: CategoryTrace): string {
  switch (c.reason) {
    case 'no_scores':
      return `no category scores (no classifier): fallback category ${c.effective}`;
    case 'below_threshold':
      return `top category ${c.top} scored ${c.topScore} < threshold ${c.threshold}: fallback to ${c.effective}`;
    default:
      return `top category ${c.top} scored ${c.topScore} >= threshold ${c.threshold}`;
  }
}

/** `client hint (trusted)`, `classifier (hint re-checked: agrees)`, `classifier (client hint ignored: …)`, `none (no classifier)`. */
export function categorySourceText(t: CategorySourceTrace): string {
  let base = t.source === 'client_hint' ? 'client hint' : t.source === 'classifier' ? 'classifier' : 'none (no classifier scores)';
  if (t.hint === 'trusted') base += ' (trusted)';
  else if (t.hint === 'agrees' || t.hint === 'differs') base += ` (hint re-checked: ${t.hint})`;
  else if (t.hint === 'ignored') base += ` (${t.note ?? 'client hint ignored'})`;
  return base;
}

/** Multi-line explanation of a {@link Decision}. */
export function explainDecision(decision: Decision): string {
  const t = decision.trace;
  const out: string[] = [];
  const reasoning = decision.use_reasoning ? `on${decision.reasoning_effort ? ` (${decision.reasoning_effort})` : ''}` : 'off';
  out.push(`decision ${decision.decision} → model ${decision.model} (${decision.provider_model_id}), reasoning ${reasoning}, path ${decision.response_path}`);
  out.push(`reason: ${t.reason}`);
  out.push(`category: ${decision.category} (confidence ${decision.confidence}); ${categoryText(t.category)}`);
  if (t.category_source) out.push(`category source: ${categorySourceText(t.category_source)}`);
  for (const n of t.notes ?? []) out.push(`note: ${n}`);
  if (t.guard) {
    out.push(
      `prompt guard: ${t.guard.enabled ? 'enabled' : 'disabled'}, jailbreak ${t.guard.score ?? 'n/a'} vs ${t.guard.threshold}${t.guard.triggered ? ' → BLOCK' : ''}` +
        (t.guard.source ? ` (from ${scoreSourceText(t.guard.source)})` : ''),
    );
  }
  if (decision.blocked) out.push(`blocked: ${decision.blocked.reason}`);
  if (decision.pii.action !== 'none') out.push(`pii: ${decision.pii.action} ${decision.pii.types.join(', ')}`);
  if (decision.passthrough) out.push('passthrough: client-selected model');
  if (t.session) {
    const a = t.session.anchor;
    out.push(
      `session (${t.session.mode}, from ${t.session.source}, turn ${t.session.turn}): ${t.session.outcome}${a ? `; session route ${a.decision} → ${a.model}, reasoning ${a.use_reasoning ? 'on' : 'off'}` : ''}${t.session.own ? `; this turn alone: ${t.session.own.decision} → ${t.session.own.model}` : ''}`,
    );
  }
  if (t.selection) out.push(`selection (${t.selection.algorithm}): ${t.selection.chosen} of [${t.selection.candidates.join(', ')}]: ${t.selection.reason}`);
  if (decision.plugins.length) out.push(`plugins: ${decision.plugins.map((p) => p.type).join(', ')}`);
  out.push(`rules (${t.strategy}):`);
  for (const d of t.decisions) {
    out.push(`  ${d.matched ? '✓' : '✗'} ${d.decision} [priority ${d.priority}, confidence ${d.confidence}]`);
    renderRule(d.rule, '      ', out);
  }
  return out.join('\n');
}
