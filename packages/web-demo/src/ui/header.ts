import { formatBytes, h } from '../dom.js';
import type { BackendInfo, LoadProgress } from '../types.js';

export interface Header {
  el: HTMLElement;
  loadbar: HTMLElement;
  progress(p: LoadProgress): void;
  backend(info: BackendInfo): void;
  failed(message: string): void;
}

export function createHeader(tabs: HTMLElement): Header {
  const badge = h('span', { class: 'badge', dataset: { testid: 'backend-badge' } }, h('span', { class: 'dot' }), 'loading…');
  const reason = h('span', { class: 'reason', dataset: { testid: 'backend-reason' } }, 'model loading');
  const el = h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'brand' },
      h('h1', null, 'sem', h('span', null, 'route'), ' playground'),
      h('p', null, 'Decide, guard and redact a prompt on your device — before it is sent.'),
    ),
    tabs,
    h('div', { class: 'backend', role: 'status', 'aria-label': 'inference backend' }, badge, reason),
  );

  const phase = h('span', { class: 'phase', dataset: { testid: 'load-phase' } }, 'Starting…');
  const bytes = h('span', { dataset: { testid: 'load-bytes' } });
  const bar = h('progress', { max: 1, 'aria-label': 'model loading progress', dataset: { testid: 'load-progress' } });
  const loadbar = h('div', { class: 'loadbar', dataset: { testid: 'loadbar' } }, h('div', { class: 'row' }, phase, bytes), bar);

  return {
    el,
    loadbar,
    progress(p) {
      loadbar.hidden = false;
      phase.textContent = `${phaseLabel(p.phase)}${p.detail ? ` · ${p.detail}` : ''}`;
      if (p.total && p.total > 0) {
        bar.max = p.total;
        bar.value = Math.min(p.loaded ?? 0, p.total);
        bytes.textContent = `${formatBytes(p.loaded ?? 0)} / ${formatBytes(p.total)}`;
      } else if (p.loaded !== undefined) {
        bar.removeAttribute('value'); // indeterminate
        bytes.textContent = formatBytes(p.loaded);
      } else {
        bar.removeAttribute('value');
        bytes.textContent = '';
      }
      if (p.phase === 'ready') {
        bar.max = 1;
        bar.value = 1;
        setTimeout(() => (loadbar.hidden = true), 600);
      }
    },
    backend(info) {
      badge.className = `badge ${info.kind}`;
      badge.replaceChildren(h('span', { class: 'dot' }), badgeText(info));
      badge.title = info.label;
      badge.dataset.backend = info.label;
      reason.textContent = info.reason;
      reason.title = info.reason;
    },
    failed(message) {
      loadbar.hidden = false;
      loadbar.classList.add('error');
      phase.textContent = `Model failed to load: ${message}`;
      bar.max = 1;
      bar.value = 0;
      badge.className = 'badge error';
      badge.replaceChildren(h('span', { class: 'dot' }), 'no model');
      reason.textContent = message;
    },
  };
}

function badgeText(info: BackendInfo): string {
  if (info.kind === 'webgpu') return 'WebGPU';
  if (info.kind === 'threads') return `WASM threads ${info.threads ?? ''}`.trim();
  if (info.kind === 'single') return 'WASM single';
  return info.label;
}

function phaseLabel(phase: string): string {
  const labels: Record<string, string> = {
    runtime: 'Loading ONNX Runtime',
    wasm: 'Loading ONNX Runtime',
    config: 'Reading model config',
    tokenizer: 'Loading tokenizer',
    model: 'Downloading model',
    download: 'Downloading model',
    fetch: 'Downloading',
    cache: 'Reading from cache',
    session: 'Creating inference session',
    warmup: 'Warming up',
    ready: 'Ready',
  };
  return labels[phase] ?? phase.charAt(0).toUpperCase() + phase.slice(1);
}
