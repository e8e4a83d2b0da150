import { debounce, h, replace } from '../dom.js';
import type { ConfigIssueView } from '../types.js';

export type ConfigCheck<C> = { ok: true; config: C; warnings: ConfigIssueView[] } | { ok: false; issues: ConfigIssueView[] };

export interface ConfigEditor<C> {
  el: HTMLElement;
  /** The last config that validated (kept while the text is invalid). */
  current(): C;
  text(): string;
  setText(text: string): void;
  focus(): void;
}

/**
 * YAML editor with a line gutter. Every edit is validated (debounced); a valid config applies immediately,
 * an invalid one shows its issues inline (with paths and lines) and the last good config stays in force.
 */
export function createConfigEditor<C>(opts: {
  initial: string;
  check: (text: string) => ConfigCheck<C>;
  onApply: (config: C) => void;
  onValidity?: (ok: boolean) => void;
}): ConfigEditor<C> {
  const first = opts.check(opts.initial);
  if (!first.ok) throw new Error(`default config is invalid: ${first.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  let good: C = first.config;
  let goodText = opts.initial;

  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const ta = h('textarea', {
    value: opts.initial,
    spellcheck: false,
    wrap: 'off',
    'aria-label': 'router config (YAML)',
    'aria-describedby': 'cfg-status',
    dataset: { testid: 'config-editor' },
    autocomplete: 'off',
  });
  const editor = h('div', { class: 'editor' }, gutter, ta);
  const status = h('span', { id: 'cfg-status', class: 'cfg-status ok', role: 'status', dataset: { testid: 'config-status' } }, 'default config');
  const issuesList = h('ul', { class: 'issues', dataset: { testid: 'config-issues' }, 'aria-live': 'polite' });

  let badLines = new Set<number>();
  const renderGutter = () => {
    const n = ta.value.split('\n').length;
    const nodes: (string | HTMLElement)[] = [];
    for (let i = 1; i <= n; i++) {
      nodes.push(badLines.has(i) ? h('span', { class: 'bad' }, String(i)) : String(i));
      if (i < n) nodes.push('\n');
    }
    replace(gutter, nodes);
    gutter.scrollTop = ta.scrollTop;
  };
  ta.addEventListener('scroll', () => {
    gutter.scrollTop = ta.scrollTop;
  });

  const goToLine = (line: number) => {
    const lines = ta.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
    ta.focus();
    ta.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0));
    const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
    ta.scrollTop = Math.max(0, (line - 4) * lh);
  };

  const renderIssues = (issues: readonly ConfigIssueView[]) =>
    replace(
      issuesList,
      issues.map((i) =>
        h(
          'li',
          { class: i.severity === 'warning' ? 'warn' : '' },
          i.line !== undefined
            ? h('button', { type: 'button', onclick: () => goToLine(i.line!), title: 'go to line' }, `line ${i.line}`)
            : null,
          i.line !== undefined ? ' · ' : '',
          h('b', { class: 'mono' }, i.path || '(root)'),
          ': ',
          i.message,
        ),
      ),
    );

  const validate = () => {
    const text = ta.value;
    if (text === goodText) {
      setState(true, 'applied', []);
      return;
    }
    let res: ConfigCheck<C>;
    try {
      res = opts.check(text);
    } catch (e) {
      res = { ok: false, issues: [{ path: '', message: e instanceof Error ? e.message : String(e) }] };
    }
    if (res.ok) {
      good = res.config;
      goodText = text;
      opts.onApply(good);
      setState(true, `applied · ${new Date().toLocaleTimeString()}`, res.warnings);
    } else {
      setState(false, `${res.issues.length} error${res.issues.length === 1 ? '' : 's'} — the last valid config stays in force`, res.issues);
    }
  };

  const setState = (ok: boolean, msg: string, issues: readonly ConfigIssueView[]) => {
    status.textContent = ok ? `✓ valid, ${msg}` : `✕ ${msg}`;
    status.className = `cfg-status ${ok ? 'ok' : 'bad'}`;
    editor.classList.toggle('invalid', !ok);
    ta.setAttribute('aria-invalid', String(!ok));
    badLines = new Set(issues.filter((i) => i.severity !== 'warning' && i.line !== undefined).map((i) => i.line!));
    renderIssues(issues);
    renderGutter();
    opts.onValidity?.(ok);
  };

  const onInput = debounce(validate, 250);
  ta.addEventListener('input', () => {
    renderGutter();
    onInput();
  });
  ta.addEventListener('keydown', (e) => {
    // Tab inserts two spaces (YAML); Escape leaves the editor so keyboard users are never trapped.
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && ta.dataset.tabTrap !== 'off') {
      e.preventDefault();
      const { selectionStart: s, selectionEnd: end } = ta;
      ta.setRangeText('  ', s, end, 'end');
      ta.dispatchEvent(new Event('input'));
    } else if (e.key === 'Escape') {
      ta.dataset.tabTrap = 'off'; // the next Tab moves focus on, as in any text field
    }
  });
  ta.addEventListener('focus', () => {
    delete ta.dataset.tabTrap;
  });

  const reset = h(
    'button',
    {
      class: 'btn small',
      type: 'button',
      onclick: () => {
        ta.value = opts.initial;
        renderGutter();
        validate();
      },
    },
    'Reset to default',
  );

  const el = h(
    'div',
    null,
    h('div', { class: 'row', style: 'margin-bottom:8px' }, status, h('span', { class: 'grow' }), reset),
    issuesList,
    editor,
    h('p', { class: 'hint' }, 'Edits apply as you type. Tab indents; Esc, then Tab, moves focus on.'),
  );
  renderGutter();

  return {
    el,
    current: () => good,
    text: () => ta.value,
    setText(text) {
      ta.value = text;
      renderGutter();
      onInput.cancel();
      validate();
    },
    focus: () => ta.focus(),
  };
}
