/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, opens offline) with the paper's Table 1 per
 * mode, paired significance, per-category accuracy / token / latency bars (its figures 2–5), the accuracy-vs-tokens
 * trade-off and, when a tuned policy was measured, predicted vs measured. The paper's own figures appear only in a
 * separate "what the paper measured" box. A run against the simulated model says so in the title, a banner, and the
 * caption of every table and figure, so no part of the page can be mistaken for a real model's measurement.
 * @module
 */
import type { Summary } from './summary.js';

export interface PredictionInfo {
  /** Config file the prediction is for. */
  readonly config?: string;
  readonly tuned: { readonly accuracy: number; readonly accuracy_ci: { readonly lo: number; readonly hi: number }; readonly mean_tokens: number; readonly mean_latency_s: number };
  readonly default?: { readonly accuracy: number; readonly mean_tokens: number; readonly mean_latency_s: number };
}

export interface ReportMeta {
  readonly run?: Readonly<Record<string, unknown>>;
  readonly seed?: number;
  readonly prediction?: PredictionInfo | null;
  readonly title?: string;
  /** Profile name when the results come from semroute's simulated model (`semroute eval --simulate`). */
  readonly simulatedProfile?: string | null;
}

/** The paper's Table 1 ("When to Reason: Semantic Router for vLLM"): shown only in its own box, never beside a result. */
export const PAPER_TABLE_1 = {
  setup: 'Qwen/Qwen3-30B-A3B on vLLM v0.10.1 (tensor parallel 4, NVIDIA L4), MMLU-Pro, 14 categories',
  router: { accuracy: '58.57%', latency_s: '13.09', tokens: '887.5' },
  direct: { accuracy: '48.33%', latency_s: '24.76', tokens: '1,722.1' },
  change: { accuracy: '+10.24 pp (p < 0.01)', latency: '−47.1%', tokens: '−48.5%' },
} as const;

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : '–');
const fix = (x: number | null | undefined, d = 2) => (x !== null && x !== undefined && Number.isFinite(x) ? x.toFixed(d) : '–');
const signed = (x: number, d = 2, unit = '') => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}${unit}` : '–');
const pval = (p: number) => (p < 0.0001 ? 'p &lt; 0.0001' : `p = ${p.toFixed(4)}`);

interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/** Grouped vertical bars; `format` labels the y axis ticks. */
export function groupedBars(title: string, groups: readonly string[], series: readonly Series[], format: (v: number) => string, yMax?: number): string {
  const W = 980;
  const H = 340;
  const m = { l: 60, r: 10, t: 30, b: 90 };
  const plotW = W - m.l - m.r;
  const plotH = H - m.t - m.b;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = yMax ?? (all.length ? Math.max(...all) * 1.1 || 1 : 1);
  const gw = plotW / Math.max(1, groups.length);
  const bw = (gw * 0.8) / Math.max(1, series.length);
  const y = (v: number) => m.t + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeHtml(format(v))}</text>`);
  }
  groups.forEach((g, gi) => {
    const x0 = m.l + gi * gw + gw * 0.1;
    series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const x = x0 + si * bw;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${(m.t + plotH - y(v)).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeHtml(`${g} · ${s.name}: ${format(v)}`)}</title></rect>`);
    });
    const lx = m.l + gi * gw + gw / 2;
    parts.push(`<text x="${lx.toFixed(1)}" y="${m.t + plotH + 14}" font-size="11" text-anchor="end" transform="rotate(-35 ${lx.toFixed(1)} ${m.t + plotH + 14})">${escapeHtml(g)}</text>`);
  });
  const legend = series.map((s, si) => `<rect x="${m.l + si * 150}" y="8" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/><text x="${m.l + si * 150 + 16}" y="18" font-size="12">${escapeHtml(s.name)}</text>`).join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(title)}">${legend}${parts.join('')}<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + plotH}" stroke="#333"/><line x1="${m.l}" x2="${W - m.r}" y1="${m.t + plotH}" y2="${m.t + plotH}" stroke="#333"/></svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}

interface Point {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly yLo?: number;
  readonly yHi?: number;
  readonly hollow?: boolean;
}

/** Scatter of accuracy (y) against mean tokens (x), one labelled point per mode; `captionPrefix` is HTML. */
export function tradeoffPlot(points: readonly Point[], captionPrefix = ''): string {
  const W = 640;
  const H = 380;
  const m = { l: 60, r: 20, t: 20, b: 50 };
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) => [p.y, p.yLo ?? p.y, p.yHi ?? p.y]);
  const xMax = Math.max(1, ...xs) * 1.15;
  const yMin = Math.max(0, Math.min(...ys) - 0.05);
  const yMax = Math.min(1, Math.max(...ys) + 0.05);
  const X = (v: number) => m.l + (v / xMax) * (W - m.l - m.r);
  const Y = (v: number) => m.t + (1 - (v - yMin) / Math.max(1e-9, yMax - yMin)) * (H - m.t - m.b);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const xv = (xMax * i) / 4;
    const yv = yMin + ((yMax - yMin) * i) / 4;
    parts.push(`<line x1="${X(xv).toFixed(1)}" x2="${X(xv).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/><text x="${X(xv).toFixed(1)}" y="${H - m.b + 16}" font-size="11" text-anchor="middle">${Math.round(xv)}</text>`);
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(yv).toFixed(1)}" y2="${Y(yv).toFixed(1)}" stroke="#eee"/><text x="${m.l - 6}" y="${(Y(yv) + 4).toFixed(1)}" font-size="11" text-anchor="end">${(yv * 100).toFixed(0)}%</text>`);
  }
  points.forEach((p, i) => {
    const c = PALETTE[i % PALETTE.length];
    if (p.yLo !== undefined && p.yHi !== undefined) parts.push(`<line x1="${X(p.x).toFixed(1)}" x2="${X(p.x).toFixed(1)}" y1="${Y(p.yLo).toFixed(1)}" y2="${Y(p.yHi).toFixed(1)}" stroke="${c}" stroke-width="2"/>`);
    parts.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="6" fill="${p.hollow ? 'white' : c}" stroke="${c}" stroke-width="2"><title>${escapeHtml(`${p.name}: ${(p.y * 100).toFixed(2)}%, ${p.x.toFixed(1)} tokens`)}</title></circle>`);
    // Measured labels above the point, predicted ones below, so a prediction next to its measurement stays readable.
    parts.push(`<text x="${(X(p.x) + 9).toFixed(1)}" y="${(Y(p.y) + (p.hollow ? 18 : -8)).toFixed(1)}" font-size="12">${escapeHtml(p.name)}</text>`);
  });
  parts.push(`<text x="${(W / 2).toFixed(0)}" y="${H - 10}" font-size="12" text-anchor="middle">mean completion tokens per query</text>`);
  parts.push(`<text x="14" y="${(H / 2).toFixed(0)}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(H / 2).toFixed(0)})">accuracy</text>`);
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" role="img" aria-label="accuracy vs tokens">${parts.join('')}<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/></svg><figcaption>${captionPrefix}Accuracy vs tokens: each mode is a point (95% Wilson interval); hollow = predicted by <code>semroute tune</code>. Up and to the left is better.</figcaption></figure>`;
}

export function renderReport(s: Summary, meta: ReportMeta = {}): string {
  const modes = s.modes.map((m) => m.mode);
  const cats = Object.keys(s.categories);
  const run = meta.run ?? {};
  const sim = meta.simulatedProfile ?? null;
  // Every table and figure caption starts with this on a simulated run (plain text for SVG titles, HTML for captions).
  const simText = sim !== null ? `SIMULATED (profile ${sim}) — ` : '';
  const simHtml = sim !== null ? `<b class="simtag">SIMULATED</b> (profile ${escapeHtml(sim)}) — ` : '';
  const caption = (text: string) => `<caption>${simHtml}${text}</caption>`;
  const title = meta.title ?? (sim !== null ? `SIMULATED model (profile ${sim}) — semroute eval report, not a real model's measurements` : 'semroute eval report');
  const rows = s.modes
    .map((m) => `<tr><td>${escapeHtml(m.mode)}${m.mode === s.baseline ? ' <small>(baseline)</small>' : ''}</td><td>${pct(m.accuracy)} <small>[${pct(m.accuracy_ci.lo, 1)}, ${pct(m.accuracy_ci.hi, 1)}]</small></td><td>${fix(m.mean_latency_s)}</td><td>${fix(m.mean_ttft_s)}</td><td>${fix(m.mean_tokens, 1)}</td><td>${fix(m.mean_reasoning_tokens, 1)}</td><td>${m.n}</td><td>${pct(m.reasoning_rate, 0)}</td></tr>`)
    .join('');
  const cmpRows = s.comparisons
    .map((c) => `<tr><td>${escapeHtml(c.mode)} vs ${escapeHtml(c.baseline)}</td><td><b>${signed(c.delta_accuracy_pp, 2, 'pp')}</b> <small>[${signed(c.delta_accuracy_ci.lo, 2)}, ${signed(c.delta_accuracy_ci.hi, 2)}]</small></td><td>b=${c.mcnemar.b}, c=${c.mcnemar.c}, ${pval(c.mcnemar.p)}</td><td><b>${signed(c.latency_change_pct, 1, '%')}</b> <small>[${signed(c.latency_change_ci.lo, 1)}, ${signed(c.latency_change_ci.hi, 1)}]</small></td><td><b>${signed(c.tokens_change_pct, 1, '%')}</b> <small>[${signed(c.tokens_change_ci.lo, 1)}, ${signed(c.tokens_change_ci.hi, 1)}]</small></td><td>${c.n_paired}</td></tr>`)
    .join('');
  const quality = s.modes
    .map((m) => `<tr><td>${escapeHtml(m.mode)}</td><td>${m.errors}</td><td>${m.extraction_failures}</td><td>${m.extraction_fallbacks}</td><td>${m.truncated}</td><td>${m.tokens_estimated}</td></tr>`)
    .join('');
  const cell = (c: string, m: string) => s.categories[c]?.[m];
  const accChart = groupedBars(simText + 'Accuracy by category and mode (cf. the paper’s figures 2–3)', cats, modes.map((m) => ({ name: m, values: cats.map((c) => cell(c, m)?.accuracy ?? null) })), (v) => `${(v * 100).toFixed(0)}%`, 1);
  const tokChart = groupedBars(simText + 'Mean completion tokens by category and mode (cf. figure 4)', cats, modes.map((m) => ({ name: m, values: cats.map((c) => cell(c, m)?.mean_tokens ?? null) })), (v) => v.toFixed(0));
  const latMax = Math.max(0, ...s.modes.map((m) => (Number.isFinite(m.mean_latency_s) ? m.mean_latency_s : 0)));
  const latDigits = latMax < 0.1 ? 3 : latMax < 2 ? 2 : 1;
  const latChart = groupedBars(simText + 'Mean latency (s) by category and mode (cf. figure 5)', cats, modes.map((m) => ({ name: m, values: cats.map((c) => cell(c, m)?.mean_latency_s ?? null) })), (v) => v.toFixed(latDigits));
  const points: Point[] = s.modes.filter((m) => m.n > 0).map((m) => ({ name: m.mode, x: m.mean_tokens, y: m.accuracy, yLo: m.accuracy_ci.lo, yHi: m.accuracy_ci.hi }));
  const pred = meta.prediction;
  if (pred) points.push({ name: 'predicted (tune)', x: pred.tuned.mean_tokens, y: pred.tuned.accuracy, yLo: pred.tuned.accuracy_ci.lo, yHi: pred.tuned.accuracy_ci.hi, hollow: true });
  let predHtml = '';
  if (pred) {
    const router = s.modes.find((m) => m.mode === 'router');
    predHtml = `<h2>Predicted vs measured</h2><p>Prediction written by <code>semroute tune</code>${pred.config ? ` for <code>${escapeHtml(pred.config)}</code>` : ''}; it assumes every question is routed to its true category, so routing errors show up as the gap.</p>
<table>${caption('Predicted by tune vs measured in this run')}<tr><th></th><th>Accuracy</th><th>Mean latency (s)</th><th>Mean tokens</th></tr>
<tr><td>predicted</td><td>${pct(pred.tuned.accuracy)} <small>[${pct(pred.tuned.accuracy_ci.lo, 1)}, ${pct(pred.tuned.accuracy_ci.hi, 1)}]</small></td><td>${fix(pred.tuned.mean_latency_s)}</td><td>${fix(pred.tuned.mean_tokens, 1)}</td></tr>
${router ? `<tr><td>measured (router)</td><td>${pct(router.accuracy)} <small>[${pct(router.accuracy_ci.lo, 1)}, ${pct(router.accuracy_ci.hi, 1)}]</small></td><td>${fix(router.mean_latency_s)}</td><td>${fix(router.mean_tokens, 1)}</td></tr>` : '<tr><td colspan="4">no router-mode results in this run</td></tr>'}
</table>`;
  }
  const routing = s.routing.length
    ? `<h2>Routing</h2><table>${caption('Routing: routed category against the dataset label')}<tr><th>mode</th><th>n</th><th>routed category = true category</th><th>decisions</th></tr>${s.routing.map((r) => `<tr><td>${escapeHtml(r.mode)}</td><td>${r.n}</td><td>${pct(r.category_accuracy, 1)}</td><td>${escapeHtml(Object.entries(r.decisions).map(([k, v]) => `${k}: ${v}`).join(', '))}</td></tr>`).join('')}</table>`
    : '';
  const catRows = cats
    .map((c) => `<tr><td>${escapeHtml(c)}</td>${modes.map((m) => { const x = cell(c, m); return x ? `<td>${pct(x.accuracy, 1)} <small>(n=${x.n})</small></td><td>${fix(x.mean_tokens, 0)}</td>` : '<td>–</td><td>–</td>'; }).join('')}</tr>`)
    .join('');
  const runRows = Object.entries(run).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object').map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
  const runModel = sim !== null
    ? `<p class="sim"><b>Simulated run.</b> No real model answered: every answer, token count and latency on this page comes from semroute's simulated model (profile <b>${escapeHtml(sim)}</b>, a plausible reading of the paper's charts, not its data), served on loopback at <code>${escapeHtml(run.endpoint ?? '?')}</code> and standing in for <b>${escapeHtml(run.model ?? '?')}</b>. Use it to try the tooling; measure a real model with <code>--endpoint</code>.</p>`
    : `<p class="note">Model <b>${escapeHtml(run.model ?? '?')}</b> at <code>${escapeHtml(run.endpoint ?? '?')}</code>.`;
  const p = PAPER_TABLE_1;
  const paperBox = `<aside class="paper"><h2>What the paper measured (not this run)</h2>
<p>"When to Reason: Semantic Router for vLLM" reports, for ${escapeHtml(p.setup)}, its router against sending every question to vLLM directly. These are the paper's figures, not measured here${sim !== null ? ', and the simulated model above only imitates its per-category charts' : ''}.</p>
<table><caption>The paper's Table 1 (quoted, not measured by this run)</caption><tr><th>Method</th><th>Avg. accuracy</th><th>Avg. latency (s)</th><th>Avg. tokens</th></tr>
<tr><td>Semantic Router</td><td>${p.router.accuracy}</td><td>${p.router.latency_s}</td><td>${p.router.tokens}</td></tr>
<tr><td>Direct vLLM</td><td>${p.direct.accuracy}</td><td>${p.direct.latency_s}</td><td>${p.direct.tokens}</td></tr>
<tr><td>Change</td><td>${escapeHtml(p.change.accuracy)}</td><td>${p.change.latency}</td><td>${p.change.tokens}</td></tr></table></aside>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1040px;color:#222;padding:0 12px}
table{border-collapse:collapse;margin:8px 0 18px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
caption{text-align:left;font-size:13px;color:#555;padding:2px 0}
th{background:#f4f4f4}small{color:#666}figure{margin:12px 0 24px}figcaption{color:#555;font-size:13px}code{background:#f4f4f4;padding:0 3px}.note{color:#555}
.sim{background:#fff3cd;border:2px solid #d39e00;padding:8px 12px}.simtag{color:#8a5a00}
.paper{border:2px dashed #888;background:#f7f7f7;padding:4px 16px;margin:28px 0}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${runModel}${sim !== null ? '<p class="note">' : ' '}Dataset <b>${escapeHtml(run.dataset ?? '?')}</b>. Tokens are completion tokens (reasoning included) from the server's <code>usage</code>; items whose counts had to be estimated are counted below.</p>
<h2>Table 1 — accuracy, latency and tokens per mode</h2>
<table>${caption('Accuracy, latency and tokens per mode')}<tr><th>Mode</th><th>Avg. accuracy [95% CI]</th><th>Avg. latency (s)</th><th>Avg. TTFT (s)</th><th>Avg. tokens</th><th>Avg. reasoning tokens</th><th>n</th><th>reasoning on</th></tr>${rows}</table>
${cmpRows ? `<h3>Against ${escapeHtml(s.baseline)} (paired on questions answered in both)</h3><table>${caption(`Paired comparisons against ${escapeHtml(s.baseline)}`)}<tr><th>Comparison</th><th>Δ accuracy [95% bootstrap CI]</th><th>McNemar exact</th><th>Δ latency [CI]</th><th>Δ tokens [CI]</th><th>pairs</th></tr>${cmpRows}</table>` : ''}
${predHtml}
<h2>Trade-off</h2>${tradeoffPlot(points, simHtml)}
<h2>Per category</h2>${accChart}${tokChart}${latChart}
<table>${caption('Accuracy and mean tokens per category and mode')}<tr><th>category</th>${modes.map((m) => `<th>${escapeHtml(m)} acc.</th><th>tokens</th>`).join('')}</tr>${catRows}</table>
${routing}
<h2>Data quality</h2><table>${caption('Data quality per mode')}<tr><th>mode</th><th>failed requests</th><th>no extractable answer (counted wrong)</th><th>answer from last-letter fallback</th><th>truncated (length)</th><th>tokens estimated (no usage)</th></tr>${quality}</table>
<h2>Run</h2><table>${caption('Run settings')}${runRows}</table>
${paperBox}
</body></html>
`;
}
