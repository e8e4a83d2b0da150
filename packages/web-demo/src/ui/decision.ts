import { formatMs, h, replace, type Child } from '../dom.js';
import type { Analysis, SpanView, TraceLine } from '../types.js';

/** Longest stretch of prompt text rendered with highlights; the rest is summarised (100k-char prompts stay fast). */
const MAX_RENDER_CHARS = 20_000;

export interface DecisionPanel {
  el: HTMLElement;
  show(a: Analysis): void;
  pending(on: boolean): void;
  status(text: string, isError?: boolean): void;
}

/**
 * The live decision panel. It is built once and then updated in place (text, widths via transforms, CSS order),
 * so a keystroke never rebuilds hundreds of nodes: the main thread stays free while you type.
 */
export function createDecisionPanel(): DecisionPanel {
  const statusLine = h('div', { class: 'status-line', role: 'status', 'aria-live': 'polite', dataset: { testid: 'decision-status' } });
  const empty = h('div', { class: 'empty' }, 'Type a prompt to see the decision.');
  const body = h('div', { dataset: { testid: 'decision-body' } }, empty);
  const el = h(
    'section',
    { class: 'card decision', 'aria-labelledby': 'decision-title', dataset: { testid: 'decision-panel' } },
    h('div', { class: 'card-head' }, h('h2', { id: 'decision-title' }, 'Decision (on this device)'), statusLine),
    body,
  );
  let view: PanelView | undefined;

  return {
    el,
    show(a) {
      if (!view) {
        view = buildView();
        replace(body, view.root);
      }
      view.update(a);
      statusLine.classList.remove('busy');
    },
    pending(on) {
      // Only a small dot: dimming the whole panel would repaint it on every keystroke.
      statusLine.classList.toggle('busy', on);
    },
    status(text, isError = false) {
      if (statusLine.textContent !== text) statusLine.textContent = text;
      statusLine.classList.toggle('err', isError);
    },
  };
}

interface PanelView {
  root: Child[];
  update(a: Analysis): void;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function pct(p: number): string {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.0005 ? 0 : 1)}%`;
}

function kv(k: string, testid: string, cls = ''): { el: HTMLElement; v: HTMLElement } {
  const v = h('div', { class: `v ${cls}`, dataset: { testid } });
  return { el: h('div', { class: 'kv' }, h('div', { class: 'k' }, k), v), v };
}

function buildView(): PanelView {
  const decision = kv('Decision', 'decision-name');
  const model = kv('Model', 'decision-model');
  const reasoning = kv('Reasoning', 'decision-reasoning');
  const path = kv('Path', 'decision-path', 'small');
  const head = h('div', { class: 'decision-head' }, decision.el, model.el, reasoning.el, path.el);

  const t = {
    extract: h('b'),
    tokenize: h('b', { dataset: { testid: 'timing-tokenize' } }),
    infer: h('b', { dataset: { testid: 'timing-infer' } }),
    classify: h('b'),
    decide: h('b'),
    total: h('b'),
    tokens: h('b'),
  };
  const timings = h(
    'div',
    { class: 'timings', dataset: { testid: 'timings' } },
    h('span', { title: 'extract the classified text from the conversation' }, 'extract ', t.extract),
    h('span', { title: 'tokenization, measured in the Web Worker' }, 'tokenize ', t.tokenize),
    h('span', { title: 'model run, measured in the Web Worker' }, 'infer ', t.infer),
    h('span', { title: 'the whole classifier call seen from the page: tokenize + infer + queueing + worker round trip' }, 'classify ', t.classify),
    h('span', { title: 'decision engine' }, 'decide ', t.decide),
    h('span', { title: 'route() total' }, 'total ', t.total),
    h('span', { title: 'model tokens in the classified text' }, 'tokens ', t.tokens),
  );

  // Category bars: one row per category, reordered with CSS `order`, widths with transforms.
  const rows = new Map<string, { row: HTMLElement; fill: HTMLElement; pct: HTMLElement }>();
  const bars = h('div', { class: 'bars', role: 'list', dataset: { testid: 'category-bars' } });
  const noBars = h('div', { class: 'hint', hidden: true }, 'no classifier scores');

  const jbFill = h('div', { class: 'fill' });
  const jbThr = h('div', { class: 'thr' });
  const gauge = h('div', { class: 'gauge', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '1', 'aria-label': 'jailbreak score' }, jbFill, jbThr);
  const jbScore = h('b', { dataset: { testid: 'jailbreak-score' } });
  const jbThrText = h('span');
  const jbVerdict = h('span');
  const jbRow = h('div', { class: 'gauge-row' }, h('span', null, 'score ', jbScore), jbThrText, jbVerdict);

  const piiTitle = h('h3');
  const piiText = h('div', { class: 'pii-text', dataset: { testid: 'pii-highlight' }, 'aria-label': 'prompt with PII highlighted' });
  const redactedTitle = h('h3', { style: 'margin-top:8px' }, 'Redacted preview');
  const redacted = h('div', { class: 'pii-text mono', dataset: { testid: 'pii-redacted' } });
  let piiKey = '';

  const trace = h('ol', { class: 'trace', dataset: { testid: 'rule-trace' }, tabIndex: 0, 'aria-label': 'rule trace' });
  let traceKey = '';

  const root: Child[] = [
    head,
    timings,
    h('div', { class: 'section' }, h('h3', null, 'Domain'), bars, noBars),
    h('div', { class: 'section' }, h('h3', null, 'Jailbreak'), gauge, jbRow),
    h('div', { class: 'section' }, piiTitle, piiText, redactedTitle, redacted),
    h('div', { class: 'section' }, h('h3', null, 'Rule trace'), trace),
  ];

  return {
    root,
    update(a) {
      setText(decision.v, a.decision);
      setText(model.v, a.model);
      setText(reasoning.v, a.reasoning ? `on${a.effort ? ` · ${a.effort}` : ''}` : 'off');
      reasoning.v.className = `v ${a.reasoning ? 'on' : 'off'}`;
      setText(path.v, a.path);
      path.el.className = `kv path-${a.path}`;

      setText(t.extract, formatMs(a.timings.extract));
      setText(t.tokenize, a.timings.tokenize !== undefined ? formatMs(a.timings.tokenize) : '–');
      setText(t.infer, a.timings.infer !== undefined ? formatMs(a.timings.infer) : '–');
      setText(t.classify, formatMs(a.timings.classify));
      setText(t.decide, formatMs(a.timings.decide));
      setText(t.total, formatMs(a.timings.total));
      setText(t.tokens, a.tokenCount !== undefined ? String(a.tokenCount) : '–');

      noBars.hidden = a.categories.length > 0;
      a.categories.forEach((c, i) => {
        let r = rows.get(c.name);
        if (!r) {
          const fill = h('span', { class: 'fill' });
          const pc = h('span', { class: 'pct' });
          const row = h('div', { class: 'bar', role: 'listitem' }, h('span', { class: 'name', title: c.name }, c.name), h('span', { class: 'track' }, fill), pc);
          r = { row, fill, pct: pc };
          rows.set(c.name, r);
          bars.append(row);
        }
        const p = Math.max(0, Math.min(1, c.p));
        r.fill.style.transform = `scaleX(${p})`;
        setText(r.pct, pct(c.p));
        r.row.style.order = String(i);
        r.row.classList.toggle('top', i === 0);
        r.row.setAttribute('aria-label', `${c.name} ${pct(c.p)}`);
      });

      const jb = a.jailbreak;
      jbFill.style.transform = `scaleX(${Math.max(0.005, Math.min(1, jb.score))})`;
      gauge.classList.toggle('over', jb.matched);
      gauge.setAttribute('aria-valuenow', jb.score.toFixed(3));
      jbThr.hidden = jb.threshold === undefined;
      if (jb.threshold !== undefined) jbThr.style.left = `calc(${jb.threshold * 100}% - 1px)`;
      setText(jbScore, jb.score.toFixed(3));
      setText(jbThrText, jb.threshold !== undefined ? `threshold ${jb.threshold}` : 'no jailbreak signal in config');
      setText(jbVerdict, jb.matched ? 'flagged' : 'clean');
      jbVerdict.className = jb.matched ? 'err' : 'on';

      // PII: re-rendered only when the text or the spans change.
      const key = `${a.text.length}:${a.text.slice(0, 64)}:${a.text.slice(-64)}:${a.pii.map((s) => `${s.type}@${s.start}-${s.end}`).join(',')}`;
      if (key !== piiKey) {
        piiKey = key;
        setText(piiTitle, `PII (${a.pii.length} span${a.pii.length === 1 ? '' : 's'})`);
        replace(piiText, highlight(a.text, a.pii));
        redactedTitle.hidden = redacted.hidden = a.pii.length === 0;
        if (a.pii.length) replace(redacted, clip(a.redacted));
      }

      const tk = a.trace.map((l) => `${l.hit ? 1 : 0}${l.chosen ? 1 : 0}${l.text}`).join('\n');
      if (tk !== traceKey) {
        traceKey = tk;
        replace(trace, renderTrace(a.trace));
      }
    },
  };
}

function renderTrace(lines: readonly TraceLine[]): Child {
  if (!lines.length) return h('li', null, '(no rules)');
  return lines.map((t) => h('li', { class: `${t.hit ? 'hit' : ''} ${t.chosen ? 'chosen' : ''}` }, t.text));
}

function clip(text: string): Child {
  if (text.length <= MAX_RENDER_CHARS) return text;
  return [text.slice(0, MAX_RENDER_CHARS), h('span', { class: 'hint' }, ` … (${(text.length - MAX_RENDER_CHARS).toLocaleString()} more characters)`)];
}

/** Text nodes with <mark> around PII spans (never innerHTML). */
function highlight(text: string, spans: readonly SpanView[]): Child[] {
  const limit = Math.min(text.length, MAX_RENDER_CHARS);
  const sorted = [...spans].filter((s) => s.start < limit && s.end > s.start).sort((x, y) => x.start - y.start);
  const out: Child[] = [];
  let pos = 0;
  for (const s of sorted) {
    const start = Math.max(s.start, pos);
    const end = Math.min(s.end, limit);
    if (end <= start) continue;
    if (start > pos) out.push(text.slice(pos, start));
    out.push(
      h(
        'mark',
        { class: 'pii', title: `${s.type} (${(s.score * 100).toFixed(0)}%)`, dataset: { type: s.type } },
        text.slice(start, end),
        h('sup', null, s.type),
      ),
    );
    pos = end;
  }
  if (pos < limit) out.push(text.slice(pos, limit));
  if (text.length > limit) out.push(h('span', { class: 'hint' }, ` … (${(text.length - limit).toLocaleString()} more characters)`));
  if (!text) out.push(h('span', { class: 'hint' }, '(empty)'));
  return out;
}
