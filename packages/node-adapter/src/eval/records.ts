/**
 * The per-question record written to `results.jsonl`, and reading it back (last record per id wins).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ExtractionMethod } from './dataset.js';

export const RESULTS_FILE = 'results.jsonl';
export const SUMMARY_FILE = 'summary.json';
export const REPORT_FILE = 'report.html';

export interface EvalRecord {
  /** `${mode}|${question_id}`: unique per run directory; the resume key. */
  readonly id: string;
  readonly mode: string;
  readonly question_id: string;
  readonly category: string;
  /** Category the router decided on (router mode), else null. */
  readonly routed_category: string | null;
  /** Decision name (router mode), else null. */
  readonly decision: string | null;
  readonly model: string;
  readonly reasoning: boolean;
  readonly effort: string | null;
  readonly status: 'ok' | 'error';
  readonly error?: string;
  readonly error_kind?: string;
  readonly gold: string;
  readonly extracted: string | null;
  readonly extraction: ExtractionMethod | null;
  /** null when the request failed (status error). */
  readonly correct: boolean | null;
  readonly finish_reason: string | null;
  readonly latency_ms: number | null;
  readonly ttft_ms: number | null;
  readonly prompt_tokens: number | null;
  readonly completion_tokens: number | null;
  readonly reasoning_tokens: number | null;
  /** True when prompt or completion tokens came from the estimator because `usage` lacked them. */
  readonly tokens_estimated: boolean;
  /** Where reasoning_tokens came from: `usage.completion_tokens_details`, an estimate over the reasoning text, or none. */
  readonly reasoning_tokens_source: 'usage' | 'estimate' | null;
  readonly attempts: number;
  readonly ts: string;
}

/** Read results.jsonl; malformed lines are reported, not fatal. Returns the last record per id, in first-seen order. */
export function readResults(file: string): { records: EvalRecord[]; badLines: number } {
  if (!existsSync(file)) return { records: [], badLines: 0 };
  const byId = new Map<string, EvalRecord>();
  let badLines = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as EvalRecord;
      if (typeof r.id !== 'string' || typeof r.mode !== 'string') throw new Error('not a record');
      byId.set(r.id, r);
    } catch {
      badLines++;
    }
  }
  return { records: [...byId.values()], badLines };
}
