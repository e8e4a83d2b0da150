/**
 * RouteResult → upstream plans / block answers / classification records: the shared implementation lives in
 * `@semroute/core/http` (the edge fetch handler uses the same functions); this module re-exports it for the
 * Node server, ext_proc and CLI, and adds `semroute explain`'s text.
 * @module
 */
import { explainDecision, type Router } from '@semroute/core';

export { classificationRecord, classifyHeads, parseClassifyRequest, parseHeads, routeChat } from '@semroute/core/http';
export type { ClassificationRecord, Head, Heads, LazyPlan, RoutedView } from '@semroute/core/http';

/** `semroute explain`: the decision trace for one prompt (text, or JSON with --json). */
export async function explainText(router: Router, prompt: string, json: boolean): Promise<string> {
  const result = await router.route({ model: 'auto', messages: [{ role: 'user', content: prompt }] });
  if (json) return JSON.stringify({ decision: result.decision, signals: result.signals, timings: result.timings }, null, 2);
  return explainDecision(result.decision);
}
