/**
 * How each eval mode builds its request, through the core: `direct-on` / `direct-off` (and `direct-on:EFFORT`) force the
 * reasoning switch with core's `rewrite()`; `router` lets `decide()` on the config pick reasoning, effort and system prompt
 * for the category the classifier (or, with `--classifier oracle`, the dataset label) gives.
 * Every request goes to the one model under test (`--model`), with that model's reasoning family.
 * @module
 */
import { decide, DEFAULT_CONFIG_YAML, parseConfig, rewrite, type ChatCompletionRequest, type Decision, type RouterConfig, type Signals } from '@semroute/core';
import type { McQuestion } from './dataset.js';
import type { PreparedRequest, RequestPreparer } from './run.js';
import type { Setting } from './tune.js';

export class EvalConfigError extends Error {
  override readonly name = 'EvalConfigError';
}

/** Parse a config text (YAML/JSON) or the default config; throws with every issue listed. */
export function loadRouterConfig(text: string | undefined, filename?: string): RouterConfig {
  const r = parseConfig(text ?? DEFAULT_CONFIG_YAML, filename ? { filename } : {});
  if (!r.ok) {
    const issues = r.errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n');
    throw new EvalConfigError(`invalid config${filename ? ` ${filename}` : ''}:\n${issues}`);
  }
  return r.config;
}

export type ClassifierKind = 'oracle' | 'model';

/** Router mode's decision for one prompt. */
export type Decider = (q: McQuestion, request: ChatCompletionRequest) => Promise<Decision> | Decision;

/** Signals from the dataset's own label: perfect routing, to separate policy effects from classifier errors. */
export function oracleSignals(q: McQuestion): Signals {
  return { categoryScores: { [q.category]: 1 }, jailbreak: 0, pii: [] };
}

/** Decide with the dataset's category (`--classifier oracle`). */
export function oracleDecider(config: RouterConfig): Decider {
  return (q, request) => decide(config, oracleSignals(q), request);
}

/** Decide as the production router does: core `Router.route()` with the bundled classifier (the Node runtime, `runtime/node.ts`). */
export async function modelDecider(config: RouterConfig, modelDir?: string): Promise<{ decider: Decider; backend: string; dispose: () => Promise<void> }> {
  let mod: { createRouter?: (o: Record<string, unknown>) => Promise<{ route(r: unknown): Promise<{ decision: Decision }>; dispose(): Promise<void>; backend: string }> };
  try {
    // Loaded at run time: only router mode with the real classifier needs ONNX Runtime.
    mod = (await import('../runtime/node.js')) as unknown as typeof mod;
  } catch (err) {
    throw new EvalConfigError(`the bundled classifier could not be loaded (${(err as Error).message.split('\n')[0]}); use --classifier oracle to route by the dataset's labels`);
  }
  if (typeof mod.createRouter !== 'function') throw new EvalConfigError('the Node runtime exports no createRouter; use --classifier oracle');
  let router: Awaited<ReturnType<NonNullable<typeof mod.createRouter>>>;
  try {
    router = await mod.createRouter({ config, ...(modelDir ? { model: modelDir } : {}), logger: { warn: () => undefined, log: () => undefined, info: () => undefined } });
  } catch (err) {
    throw new EvalConfigError(`the bundled classifier could not be loaded (${(err as Error).message.split('\n')[0]}); use --classifier oracle to route by the dataset's labels`);
  }
  return { decider: async (_q, request) => (await router.route(request)).decision, backend: router.backend, dispose: () => router.dispose() };
}

export interface ModeContext {
  readonly config: RouterConfig;
  /** Model under test, sent as `model`. */
  readonly model: string;
  /** Its reasoning family (a key of the config's reasoning_families). */
  readonly family: string;
  /** How router mode decides (oracle or the bundled classifier). */
  readonly decider: Decider;
}

/** True for families whose switch is an effort level rather than on/off. */
export function isEffortFamily(config: RouterConfig, family: string): boolean {
  const f = config.providers.defaults.reasoning_families[family];
  return !!f && f.type !== 'chat_template_kwargs';
}

export const MODE_PATTERN = /^(direct-off|direct-on(?::(minimal|low|medium|high))?|router)$/;

export function validateModes(modes: readonly string[]): void {
  if (!modes.length) throw new EvalConfigError('no --modes given; expected some of direct-off, direct-on, direct-on:EFFORT, router');
  for (const m of modes) if (!MODE_PATTERN.test(m)) throw new EvalConfigError(`unknown mode "${m}"; expected one of direct-off, direct-on, direct-on:minimal|low|medium|high, router`);
  if (new Set(modes).size !== modes.length) throw new EvalConfigError(`duplicate mode in ${modes.join(',')}`);
}

function retarget(d: Decision, ctx: ModeContext, patch: Partial<Decision> = {}): Decision {
  return { ...d, model: ctx.model, provider_model_id: ctx.model, reasoning_family: ctx.family, ...patch } as Decision;
}

/** The request preparer for all modes. */
export function createPreparer(ctx: ModeContext): RequestPreparer {
  const { config, family } = ctx;
  if (!config.providers.defaults.reasoning_families[family]) {
    throw new EvalConfigError(`unknown reasoning family "${family}"; the config knows ${Object.keys(config.providers.defaults.reasoning_families).join(', ')}`);
  }
  const effortFamily = isEffortFamily(config, family);
  const defaultEffort = config.providers.defaults.default_reasoning_effort;
  return async (q, mode, userPrompt): Promise<PreparedRequest> => {
    const request: ChatCompletionRequest = { model: 'auto', messages: [{ role: 'user', content: userPrompt }] };
    if (mode === 'router') {
      const d = await ctx.decider(q, request);
      const effort = d.use_reasoning && effortFamily ? (d.reasoning_effort ?? defaultEffort) : null;
      const base = { reasoning: d.use_reasoning, effort, routed_category: d.category, decision: d.decision };
      if (d.blocked) return { ...base, body: {}, blocked: d.blocked.message };
      const body = rewrite(request, retarget(d, ctx), config).body as Record<string, unknown>;
      return { ...base, body };
    }
    const on = mode.startsWith('direct-on');
    const effortArg = mode.includes(':') ? mode.split(':')[1] : undefined;
    const d0 = decide(config, {}, request);
    const effort = on && effortFamily ? (effortArg ?? defaultEffort) : null;
    const d = retarget(d0, ctx, {
      use_reasoning: on,
      ...(effort ? { reasoning_effort: effort as Decision['reasoning_effort'] } : {}),
      plugins: [],
      passthrough: false,
      blocked: undefined,
      response_path: 'upstream',
    });
    const body = rewrite(request, d, config).body as Record<string, unknown>;
    return { body, reasoning: on, effort, routed_category: null, decision: null };
  };
}

/** The config's setting for a category: what decide() returns for a prompt the classifier puts there with certainty. */
export function configSetting(config: RouterConfig, family: string, category: string): Setting & { decision: string } {
  const request: ChatCompletionRequest = { model: 'auto', messages: [{ role: 'user', content: 'x' }] };
  const d = decide(config, { categoryScores: { [category]: 1 }, jailbreak: 0, pii: [] }, request);
  const effortFamily = isEffortFamily(config, family);
  return {
    use_reasoning: d.use_reasoning,
    effort: d.use_reasoning && effortFamily ? (d.reasoning_effort ?? config.providers.defaults.default_reasoning_effort) : null,
    decision: d.decision,
  };
}
