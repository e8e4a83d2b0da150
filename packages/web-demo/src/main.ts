import './styles.css';
import { DEFAULT_CONFIG_YAML } from '@semroute/core';
import { checkConfig, type RouterConfig } from './config-check.js';
import { debounce, h } from './dom.js';
import { keywordOnlyEngine, loadEngine, type BackendParam, type Engine } from './engine.js';
import { createBatchView } from './ui/batch.js';
import { createConfigEditor } from './ui/config-editor.js';
import { createConversation } from './ui/conversation.js';
import { createDecisionPanel } from './ui/decision.js';
import { createHeader } from './ui/header.js';
import { createSendPanel } from './ui/send.js';
import type { Analysis, LoadProgress, Turn } from './types.js';

/** Debounce between a keystroke and the live decision. */
const LIVE_DEBOUNCE_MS = 150;

// ---- model load: starts before anything else, so the worker, the model download and ORT's compilation run
// while the page builds itself ----
const params = new URLSearchParams(location.search);
const backendParam = params.get('backend');
const backend: BackendParam = backendParam === 'webgpu' || backendParam === 'wasm' || backendParam === 'auto' ? backendParam : 'default';
const threadsParam = Number(params.get('threads'));
const threads = Number.isInteger(threadsParam) && threadsParam > 0 ? threadsParam : undefined;
let onLoadProgress: ((p: LoadProgress) => void) | undefined;
let lastProgress: LoadProgress | undefined;
const loading = loadEngine({
  backend,
  config: () => config,
  threads,
  onProgress: (p) => (onLoadProgress ? onLoadProgress(p) : (lastProgress = p)),
});

const app = document.getElementById('app')!;
let engine: Engine | undefined;
let config: RouterConfig;
let lastAnalysis: Analysis | undefined;
let seq = 0;

// ---- top-level tabs (Playground / Batch) ----
const tabButtons = (['playground', 'batch'] as const).map((id) =>
  h('button', { class: 'tab', role: 'tab', id: `tab-${id}`, 'aria-controls': `view-${id}`, 'aria-selected': String(id === 'playground'), dataset: { tab: id, testid: `tab-${id}` }, type: 'button' }, id === 'playground' ? 'Playground' : 'Batch'),
);
const tabs = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': 'views' }, tabButtons);
const header = createHeader(tabs);

// ---- decision panel + live analysis ----
const panel = createDecisionPanel();

async function analyzeNow(): Promise<Analysis | undefined> {
  if (!engine) return undefined;
  const id = ++seq;
  const turns = conversation.turns();
  if (!turns.some((t) => t.role === 'user' && t.content.trim())) {
    panel.status('Type a prompt.');
    return undefined;
  }
  panel.pending(true);
  panel.status('Classifying…');
  try {
    const a = await engine.analyze(turns, config);
    if (id !== seq) return a; // a newer keystroke is in flight: don't flash stale results
    lastAnalysis = a;
    panel.show(a);
    panel.status(`Decided in ${a.timings.total.toFixed(1)} ms on ${engine.backend.label}`);
    document.body.dataset.decided = String(id);
    return a;
  } catch (e) {
    if (id === seq) {
      panel.pending(false);
      panel.status(`Classification failed: ${(e as Error).message}`, true);
    }
    console.warn('classification failed', e);
    return undefined;
  }
}
const live = debounce(() => void analyzeNow(), LIVE_DEBOUNCE_MS);

const conversation = createConversation(() => {
  seq++; // results still in flight are for an older text now
  panel.pending(true);
  live();
});

// ---- config editor ----
const editor = createConfigEditor<RouterConfig>({
  initial: DEFAULT_CONFIG_YAML,
  check: checkConfig,
  onApply: (c) => {
    config = c;
    engine?.setConfig(c);
    live.cancel();
    void analyzeNow();
  },
  onValidity: (ok) => {
    cfgDot.hidden = ok;
  },
});
config = editor.current();

// ---- send ----
const sendPanel = createSendPanel({
  turns: () => conversation.turns(),
  analyze: async () => {
    live.cancel();
    return (await analyzeNow()) ?? lastAnalysis;
  },
  redactedTurns: (turns: Turn[], a: Analysis) => engine?.redactTurns(turns, a) ?? turns,
  cache: () => engine?.cache,
});

// ---- left column: Conversation | Config sub-tabs ----
const cfgDot = h('span', { class: 'dot-err', hidden: true, 'aria-label': 'config has errors' });
const subTabs = [
  h('button', { class: 'subtab', role: 'tab', type: 'button', 'aria-selected': 'true', 'aria-controls': 'pane-conversation', id: 'subtab-conversation', dataset: { testid: 'subtab-conversation' } }, 'Conversation'),
  h('button', { class: 'subtab', role: 'tab', type: 'button', 'aria-selected': 'false', 'aria-controls': 'pane-config', id: 'subtab-config', dataset: { testid: 'subtab-config' } }, 'Config (YAML)', cfgDot),
];
const panes = [
  h('div', { id: 'pane-conversation', role: 'tabpanel', 'aria-labelledby': 'subtab-conversation' }, conversation.el),
  h('div', { id: 'pane-config', role: 'tabpanel', 'aria-labelledby': 'subtab-config', hidden: true }, editor.el),
];
function selectSub(i: number, focus = false) {
  subTabs.forEach((b, j) => {
    b.setAttribute('aria-selected', String(i === j));
    b.tabIndex = i === j ? 0 : -1;
    panes[j]!.hidden = i !== j;
  });
  if (focus) subTabs[i]!.focus();
}
subTabs.forEach((b, i) => {
  b.addEventListener('click', () => selectSub(i));
  b.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') selectSub((i + 1) % 2, true);
  });
});
selectSub(0);

const left = h(
  'div',
  null,
  h('section', { class: 'card', 'aria-label': 'prompt and config' }, h('div', { class: 'subtabs', role: 'tablist' }, subTabs), panes),
  sendPanel.el,
);
app.addEventListener('send', () => sendPanel.send());

// ---- batch ----
const batch = createBatchView();

// ---- views ----
const views = {
  playground: h('div', { class: 'view grid', id: 'view-playground', role: 'tabpanel', 'aria-labelledby': 'tab-playground' }, left, h('div', null, panel.el)),
  batch: h('div', { class: 'view', id: 'view-batch', role: 'tabpanel', 'aria-labelledby': 'tab-batch', hidden: true }, batch.el),
};
function selectTab(id: keyof typeof views, focus = false) {
  for (const b of tabButtons) {
    const on = b.dataset.tab === id;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    if (on && focus) b.focus();
  }
  for (const [k, v] of Object.entries(views)) v.hidden = k !== id;
  if (location.hash !== `#${id}`) history.replaceState(null, '', id === 'playground' ? location.pathname + location.search : `#${id}`);
}
tabButtons.forEach((b, i) => {
  b.addEventListener('click', () => selectTab(b.dataset.tab as keyof typeof views));
  b.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') selectTab(tabButtons[(i + 1) % tabButtons.length]!.dataset.tab as keyof typeof views, true);
  });
});
selectTab(location.hash === '#batch' ? 'batch' : 'playground');

app.replaceChildren(
  header.el,
  header.loadbar,
  h('main', null, views.playground, views.batch),
  h('footer', null, 'Everything above runs in this tab: the model, the tokenizer and the decision engine. Nothing leaves the page until you press Send.'),
);

// ---- model load (started at the top of this module) ----
panel.status('Loading the model…');
onLoadProgress = (p) => header.progress(p);
if (lastProgress) header.progress(lastProgress);
loading
  .then((e) => {
    performance.mark('semroute:engine-ready');
    engine = e;
    engine.setConfig(config);
    header.progress({ phase: 'ready' });
    header.backend(e.backend);
    batch.setRunner((prompts, onEach, signal) => e.analyzeMany(prompts, config, onEach, signal));
    document.body.dataset.ready = 'true';
    void analyzeNow();
  })
  .catch((err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    console.error('semroute: model failed to load', err);
    header.failed(msg);
    engine = keywordOnlyEngine(config, msg);
    batch.setRunner((prompts, onEach, signal) => engine!.analyzeMany(prompts, config, onEach, signal));
    document.body.dataset.ready = 'error';
    void analyzeNow().then(() => panel.status(`The model could not be loaded: deciding on keyword and context signals only. (${msg})`, true));
  });

// Expose a tiny hook for tests and the console.
(window as unknown as { semroute: unknown }).semroute = {
  analyze: (text: string) => engine?.analyze([{ role: 'user', content: text }], config),
  /** Routes a whole conversation; resolves with the client decision (what Send puts in x-semroute-client-decision). */
  route: async (messages: Turn[]) => (engine ? (await engine.analyze(messages, config)).hint : undefined),
  get backend() {
    return engine?.backend;
  },
  get config() {
    return config;
  },
};
