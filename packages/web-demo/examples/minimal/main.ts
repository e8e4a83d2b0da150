/**
 * The smallest useful @semroute/core/browser app: load the router (the model runs in a Web Worker), decide
 * every prompt as you type, and show the redacted text that would be sent.
 */
import { createRouter, explainDecision, redact } from '@semroute/core/browser';

const status = document.getElementById('status')!;
const prompt = document.getElementById('prompt') as HTMLTextAreaElement;
const out = document.getElementById('out')!;

const router = await createRouter({
  // Model folder on this page's origin (the default: `models/semroute-mini/` next to the page).
  model: new URL('models/semroute-mini/', document.baseURI),
  backend: 'auto', // WASM SIMD (threaded when cross-origin isolated); WebGPU is opt-in: '@semroute/core/browser-webgpu'
  onProgress: (p) => (status.textContent = `${p.phase} ${p.file ?? ''} ${p.total ? `${Math.round((100 * p.loaded) / p.total)}%` : ''}`),
});
status.textContent = `Ready on ${router.backend}${crossOriginIsolated ? '' : ' (not cross-origin isolated: single-threaded)'}`;

let timer: ReturnType<typeof setTimeout> | undefined;
async function update(): Promise<void> {
  const text = prompt.value;
  const r = await router.route({ model: 'auto', messages: [{ role: 'user', content: text }] });
  const spans = (r.signals.pii ?? []).filter((s) => s.score >= router.config.global.classifier.pii.threshold);
  out.textContent =
    `${explainDecision(r.decision)}\n\n` +
    `would send: ${redact(text, spans).text}\n` +
    `(${r.timings.totalMs.toFixed(1)} ms: classify ${r.timings.classifyMs.toFixed(1)}, decide ${r.timings.decideMs.toFixed(2)})`;
}
prompt.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => void update(), 150);
});
void update();
