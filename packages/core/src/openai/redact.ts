/**
 * PII redaction: replace character spans with `<TYPE>` placeholders. Pure; handles unsorted, overlapping,
 * out-of-range and surrogate-splitting spans.
 * @module
 */
import type { PiiSpan } from '../signals/types.js';

/** Placeholder for a PII type, e.g. `<EMAIL_ADDRESS>`. */
export function placeholder(type: string): string {
  return `<${type.replace(/[^A-Za-z0-9_]/g, '_') || 'PII'}>`;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * Replaces each span of `text` with a placeholder of its type. Overlapping or touching spans are merged into
 * one placeholder (type of the highest-scoring span; ties: the earliest). Offsets are clamped to the text and
 * widened so no surrogate pair is split; empty or invalid spans are ignored.
 *
 * @returns the redacted text and the placeholders' spans **in the redacted text** (so
 * `result.text.slice(s.start, s.end) === placeholder(s.type)` for every returned span).
 */
export function redact(text: string, spans: readonly PiiSpan[]): { text: string; spans: PiiSpan[] } {
  const n = text.length;
  const clean: { start: number; end: number; type: string; score: number; order: number }[] = [];
  spans.forEach((s, order) => {
    if (!s || typeof s.start !== 'number' || typeof s.end !== 'number' || !Number.isFinite(s.start) || !Number.isFinite(s.end)) return;
    let start = Math.max(0, Math.min(n, Math.floor(s.start)));
    let end = Math.max(0, Math.min(n, Math.ceil(s.end)));
    if (end <= start) return;
    if (start > 0 && isLow(text.charCodeAt(start)) && isHigh(text.charCodeAt(start - 1))) start--;
    if (end < n && isLow(text.charCodeAt(end)) && isHigh(text.charCodeAt(end - 1))) end++;
    const score = typeof s.score === 'number' && Number.isFinite(s.score) ? s.score : 0;
    clean.push({ start, end, type: typeof s.type === 'string' ? s.type : 'PII', score, order });
  });
  clean.sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
  const merged: typeof clean = [];
  for (const s of clean) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) {
      if (s.end > last.end) last.end = s.end;
      if (s.score > last.score) {
        last.score = s.score;
        last.type = s.type;
      }
    } else merged.push({ ...s });
  }
  let out = '';
  let pos = 0;
  const outSpans: PiiSpan[] = [];
  for (const s of merged) {
    out += text.slice(pos, s.start);
    const ph = placeholder(s.type);
    outSpans.push({ type: s.type, start: out.length, end: out.length + ph.length, score: s.score });
    out += ph;
    pos = s.end;
  }
  out += text.slice(pos);
  return { text: out, spans: outSpans };
}
