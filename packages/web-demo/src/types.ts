/** View-model types the playground renders. engine.ts maps @semroute/core's results onto these. */
import type { RouterConfig } from '@semroute/core';

export type Role = 'system' | 'user' | 'assistant';
export interface Turn {
  role: Role;
  content: string;
}

export interface LoadProgress {
  /** e.g. `runtime`, `model`, `tokenizer`, `session`, `ready`. */
  phase: string;
  loaded?: number;
  total?: number;
  /** Optional file name or message. */
  detail?: string;
}

export interface BackendInfo {
  /** Label from the runtime: `webgpu`, `wasm-simd-threads(N)`, `wasm-simd`. */
  label: string;
  kind: 'webgpu' | 'threads' | 'single' | 'error';
  /** Human text: why this backend (e.g. "page is not cross-origin isolated"). */
  reason: string;
  threads?: number;
}

export interface SpanView {
  type: string;
  start: number;
  end: number;
  score: number;
}

export interface TraceLine {
  text: string;
  /** The rule matched. */
  hit?: boolean;
  /** This is the decision that was chosen. */
  chosen?: boolean;
}

export interface Analysis {
  /** The text the classifier saw (the PII offsets refer to it). */
  text: string;
  categories: { name: string; p: number }[];
  decision: string;
  model: string;
  reasoning: boolean;
  effort?: string | undefined;
  /** `upstream` | `fast_response` | `blocked` … */
  path: string;
  category?: string | undefined;
  confidence?: number | undefined;
  jailbreak: { score: number; threshold?: number | undefined; matched: boolean };
  pii: SpanView[];
  /** Prompt text with PII replaced (what Send forwards when "redact" is on). */
  redacted: string;
  trace: TraceLine[];
  /**
   * From the core's RouteResult.timings (ms): extract text; tokenize and infer (measured in the worker); classify = the
   * whole classifier call seen from the page (tokenize + infer + queueing + worker round trip); decide; wall = round trip.
   */
  timings: { extract: number; tokenize?: number | undefined; infer?: number | undefined; classify: number; decide: number; total: number; wall: number };
  tokenCount?: number | undefined;
  /** Compact JSON the client sends as `x-semroute-client-decision` and Batch exports. */
  hint: Record<string, unknown>;
  /** The config this analysis was decided with. */
  config: RouterConfig;
}

export interface ConfigIssueView {
  path: string;
  message: string;
  line?: number | undefined;
  severity?: 'error' | 'warning';
}
