/**
 * The vSR-compatible response headers for a decision.
 * @module
 */
import type { Decision } from '../decision/types.js';
import { HEADERS } from '../headers.js';

/** `x-vsr-selected-*`, `x-vsr-response-path`, `x-selected-model`, and with `debug` the `x-vsr-matched-*` headers. */
export function decisionHeaders(decision: Decision, opts: { debug?: boolean } = {}): Record<string, string> {
  const h: Record<string, string> = {
    [HEADERS.SELECTED_MODEL]: decision.model,
    [HEADERS.SELECTED_DECISION]: decision.decision,
    [HEADERS.SELECTED_CONFIDENCE]: decision.confidence.toFixed(4),
    [HEADERS.SELECTED_CATEGORY]: decision.category,
    [HEADERS.SELECTED_REASONING]: decision.use_reasoning ? 'on' : 'off',
    [HEADERS.RESPONSE_PATH]: decision.response_path,
  };
  if (decision.response_path === 'upstream') h[HEADERS.ENVOY_SELECTED_MODEL] = decision.model;
  if (decision.response_path === 'fast_response') h[HEADERS.FAST_RESPONSE] = 'true';
  if (decision.trace.screening?.partial) h[HEADERS.SCREENED] = 'partial';
  if (opts.debug) {
    const m = decision.matched;
    h[HEADERS.MATCHED_KEYWORDS] = m.keyword.join(',');
    h[HEADERS.MATCHED_DOMAINS] = m.domain.join(',');
    h[HEADERS.MATCHED_JAILBREAK] = m.jailbreak.join(',');
    h[HEADERS.MATCHED_PII] = m.pii.join(',');
    h[HEADERS.MATCHED_CONTEXT] = m.context.join(',');
    h[HEADERS.MATCHED_EXEMPLARS] = m.exemplar.join(',');
  }
  return h;
}
