/**
 * `static` selection: the first modelRef (config order) whose model accepts the detected PII types;
 * if none does, the first modelRef (and the PII policy blocks). No modelRefs → the default model.
 * @module
 */
import type { ModelConfig } from '../config/schema.js';
import { modelAcceptsPii, type SelectionContext, type SelectionResult, type Selector } from './selector.js';

// The common case (the first modelRef accepts the request) is constant per decision: cached, frozen.
const firstRefCache = new WeakMap<object, SelectionResult>();

export const staticSelector: Selector = Object.freeze({
  method: 'static',
  select(ctx: SelectionContext): SelectionResult {
    const d = ctx.decision;
    if (d && d.modelRefs.length > 0) {
      const cached = firstRefCache.get(d);
      if (cached && modelAcceptsPii(cached.model, ctx.piiTypes)) return cached;
    }
    const r = selectUncached(ctx);
    if (d && r.ref === d.modelRefs[0] && !r.piiConflict) {
      Object.freeze(r.trace.candidates);
      Object.freeze(r.trace);
      firstRefCache.set(d, Object.freeze({ ...r, trace: { ...r.trace, reason: 'first modelRef' } }));
    }
    return r;
  },
});

function selectUncached(ctx: SelectionContext): SelectionResult {
  const refs = ctx.decision?.modelRefs ?? [];
  const candidates = refs.map((r) => r.model);
  if (refs.length === 0) {
    const name = ctx.config.providers.defaults.default_model;
    const model = ctx.models.get(name) as ModelConfig;
    return {
      ref: undefined,
      model,
      piiConflict: !modelAcceptsPii(model, ctx.piiTypes),
      trace: { algorithm: 'static', candidates: [name], chosen: name, reason: ctx.decision ? 'decision has no modelRefs: default model' : 'no decision matched: default model' },
    };
  }
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    const model = ctx.models.get(ref.model) as ModelConfig;
    if (modelAcceptsPii(model, ctx.piiTypes)) {
      return {
        ref,
        model,
        piiConflict: false,
        trace: {
          algorithm: 'static',
          candidates,
          chosen: ref.model,
          reason: i === 0 ? 'first modelRef' : `first modelRef whose pii_types_allowed covers ${ctx.piiTypes.join(', ')}`,
        },
      };
    }
  }
  const ref = refs[0]!;
  return {
    ref,
    model: ctx.models.get(ref.model) as ModelConfig,
    piiConflict: true,
    trace: { algorithm: 'static', candidates, chosen: ref.model, reason: `no modelRef accepts PII types ${ctx.piiTypes.join(', ')}` },
  };
}
