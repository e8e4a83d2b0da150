/**
 * The zod schema of a semroute config: the vLLM Semantic Router v0.3 subset (its key names), plus a few
 * semroute extensions under `global`. Every object is strict: an unknown key is an error.
 * Legacy (2025 flat) configs are converted to this shape first, see `legacy.ts`.
 * @module
 */
import { z } from 'zod';

/** Reasoning effort levels accepted by OpenAI-compatible servers. */
export const REASONING_EFFORTS = Object.freeze(['minimal', 'low', 'medium', 'high'] as const);
/** How a reasoning family switches reasoning on (see vsr-config.md). */
export const REASONING_FAMILY_TYPES = Object.freeze(['chat_template_kwargs', 'reasoning_effort', 'top_level_reasoning_effort'] as const);
/** Condition / signal types a decision rule can reference. */
export const SIGNAL_TYPES = Object.freeze(['domain', 'keyword', 'jailbreak', 'pii', 'context', 'exemplar'] as const);
/** Boolean operators of decision rules. `NOT` is true when none of its conditions is. */
export const RULE_OPERATORS = Object.freeze(['AND', 'OR', 'NOT'] as const);
/** Keyword operators: any keyword (OR), every keyword (AND), no keyword (NOR). */
export const KEYWORD_OPERATORS = Object.freeze(['OR', 'AND', 'NOR'] as const);
/** Plugin types semroute implements. */
export const PLUGIN_TYPES = Object.freeze(['system_prompt', 'fast_response', 'pii', 'header_mutation', 'response_cache'] as const);
/** Response-cache backends: in-process memory, or Redis shared by several replicas (Node adapter). */
export const CACHE_BACKENDS = Object.freeze(['memory', 'redis'] as const);
/** Which entry a full response cache evicts first: least recently used, or oldest stored. */
export const CACHE_EVICTION_POLICIES = Object.freeze(['lru', 'fifo'] as const);
/**
 * PII types whose presence in a prompt does not stop its answer from being cached (places, organisations, dates:
 * "capital of France" is not personal data). Every other type (names, e-mail, phone, card numbers, addresses …)
 * keeps a prompt out of the cache unless `pii_types_allowed` lists it.
 */
export const CACHE_DEFAULT_PII_ALLOWED = Object.freeze(['DATE_TIME', 'GPE', 'NRP', 'ORGANIZATION', 'TITLE', 'DOMAIN_NAME'] as const);
/** Model-selection algorithms implemented in `selection/` (others are accepted with a warning and act as `static`). */
export const SELECTION_ALGORITHMS = Object.freeze(['static'] as const);

/** The reasoning families semroute knows out of the box (vSR's table); config entries override / extend them. */
export const BUILTIN_REASONING_FAMILIES = Object.freeze({
  qwen3: Object.freeze({ type: 'chat_template_kwargs', parameter: 'enable_thinking' }),
  deepseek: Object.freeze({ type: 'chat_template_kwargs', parameter: 'thinking' }),
  'gpt-oss': Object.freeze({ type: 'reasoning_effort', parameter: 'reasoning_effort' }),
  gpt: Object.freeze({ type: 'reasoning_effort', parameter: 'reasoning.effort' }),
  mistral: Object.freeze({ type: 'top_level_reasoning_effort', parameter: 'reasoning_effort' }),
} as const);

const name = z.string().min(1, 'must be a non-empty string');
const prob = z.number().min(0).max(1);
const description = z.string().optional();

/** Token counts: a non-negative integer or a string like `"4K"`, `"1.5k"`, `"1M"`. */
const tokenCount = z
  .union([z.number().int().min(0), z.string().regex(/^\s*\d+(\.\d+)?\s*[kKmM]?\s*$/, 'expected a token count like 512, "4K" or "1M"')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(v)!;
    const mult = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000;
    return Math.round(Number(m[1]) * mult);
  });

const reasoningEffort = z.enum(REASONING_EFFORTS);
const dialect = z.enum(['vllm', 'openai']);

export const ReasoningFamilySchema = z.strictObject({
  type: z.enum(REASONING_FAMILY_TYPES),
  parameter: name,
});

export const BackendRefSchema = z.strictObject({
  name: name.optional(),
  endpoint: name,
  protocol: z.enum(['http', 'https']).default('http'),
  weight: z.number().min(0).default(1),
  api_key_env: name.optional(),
  /**
   * semroute: which OpenAI API the backend speaks. `openai_chat` (default): `/v1/chat/completions` only, so
   * `/v1/responses` requests are translated to chat.completions and the answer back; `openai_responses`: the
   * backend also serves `/v1/responses`, which then gets the Responses body (rewritten for the chosen model).
   */
  api_format: z.enum(['openai_chat', 'openai_responses']).default('openai_chat'),
});

export const ModelSchema = z.strictObject({
  name,
  description,
  reasoning_family: name.optional(),
  provider_model_id: name.optional(),
  backend_refs: z.array(BackendRefSchema).default([]),
  pii_types_allowed: z.array(name).optional(),
  /** semroute: which wire dialect the backend speaks (affects `reasoning_effort` families). */
  api_dialect: dialect.optional(),
});

export const ProvidersSchema = z.strictObject({
  defaults: z.strictObject({
    default_model: name,
    default_reasoning_effort: reasoningEffort.default('medium'),
    reasoning_families: z.record(z.string(), ReasoningFamilySchema).default({}),
    /** semroute: default wire dialect of backends. */
    api_dialect: dialect.default('vllm'),
  }),
  models: z.array(ModelSchema).min(1, 'at least one model is required'),
});

export const DomainSignalSchema = z.strictObject({ name, description, mmlu_categories: z.array(name).optional() });
export const KeywordSignalSchema = z.strictObject({
  name,
  description,
  operator: z.enum(KEYWORD_OPERATORS).default('OR'),
  keywords: z.array(z.string().min(1)).min(1, 'at least one keyword is required'),
  case_sensitive: z.boolean().default(false),
});
export const JailbreakSignalSchema = z.strictObject({ name, description, threshold: prob.default(0.7) });
export const PiiSignalSchema = z.strictObject({
  name,
  description,
  threshold: prob.optional(),
  pii_types_allowed: z.array(name).default([]),
});
export const ContextSignalSchema = z.strictObject({
  name,
  description,
  min_tokens: tokenCount.default(0),
  max_tokens: tokenCount.optional(),
});
export const ExemplarSignalSchema = z.strictObject({
  name,
  description,
  examples: z.array(z.string().min(1)).min(1, 'at least one example prompt is required'),
  threshold: z.number().min(-1).max(1).default(0.75),
  aggregation: z.enum(['max', 'mean']).default('max'),
});

export const SignalsSchema = z.strictObject({
  domains: z.array(DomainSignalSchema).default([]),
  keywords: z.array(KeywordSignalSchema).default([]),
  jailbreak: z.array(JailbreakSignalSchema).default([]),
  pii: z.array(PiiSignalSchema).default([]),
  context: z.array(ContextSignalSchema).default([]),
  exemplars: z.array(ExemplarSignalSchema).default([]),
});

/** Input shape of a rule node (leaf condition or nested group). */
export interface RuleNodeInput {
  type?: string;
  name?: string;
  operator?: string;
  conditions?: RuleNodeInput[];
}
/** A leaf condition: signal `type` + `name`. */
export interface ConditionRule {
  readonly type: (typeof SIGNAL_TYPES)[number];
  readonly name: string;
}
/** A boolean group of conditions (which may be groups). */
export interface GroupRule {
  readonly operator: (typeof RULE_OPERATORS)[number];
  readonly conditions: readonly RuleNode[];
}
/** A node of a decision's rule tree: one condition on a named signal, or an AND/OR/NOT group of nodes. */
export type RuleNode = ConditionRule | GroupRule;

// One strict object for both node kinds so unknown keys and typos get precise paths; refined below.
const RuleNodeSchema: z.ZodType<RuleNode, RuleNodeInput> = z.lazy(() =>
  z
    .strictObject({
      type: z.enum(SIGNAL_TYPES).optional(),
      name: name.optional(),
      operator: z.enum(RULE_OPERATORS).optional(),
      conditions: z.array(RuleNodeSchema).min(1, 'a rule group needs at least one condition').optional(),
    })
    .superRefine((v, ctx) => {
      const isGroup = v.operator !== undefined || v.conditions !== undefined;
      const isLeaf = v.type !== undefined || v.name !== undefined;
      if (isGroup && isLeaf) {
        ctx.addIssue({ code: 'custom', message: 'a rule node is either a group {operator, conditions} or a condition {type, name}, not both' });
      } else if (isGroup) {
        if (v.operator === undefined) ctx.addIssue({ code: 'custom', path: ['operator'], message: 'missing operator (AND, OR or NOT)' });
        if (v.conditions === undefined) ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'missing conditions' });
      } else {
        if (v.type === undefined) ctx.addIssue({ code: 'custom', path: ['type'], message: `missing condition type (one of ${SIGNAL_TYPES.join(', ')})` });
        if (v.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'missing signal name' });
      }
    })
    .transform((v): RuleNode =>
      v.operator !== undefined ? { operator: v.operator, conditions: v.conditions ?? [] } : { type: v.type!, name: v.name! },
    ),
);
export { RuleNodeSchema };

export const ModelRefSchema = z.strictObject({
  model: name,
  use_reasoning: z.boolean().default(false),
  reasoning_effort: reasoningEffort.optional(),
});

const headerPair = z.strictObject({ name, value: z.string() });
export const PluginSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('system_prompt'),
    configuration: z.strictObject({
      enabled: z.boolean().default(true),
      mode: z.enum(['insert', 'replace', 'append']).default('replace'),
      system_prompt: z.string(),
    }),
  }),
  z.strictObject({
    type: z.literal('fast_response'),
    configuration: z.strictObject({ enabled: z.boolean().default(true), message: z.string().min(1) }),
  }),
  z.strictObject({
    type: z.literal('pii'),
    configuration: z
      .strictObject({
        enabled: z.boolean().default(true),
        action: z.enum(['block', 'redact', 'allow']).default('block'),
        pii_types_allowed: z.array(name).default([]),
        threshold: prob.optional(),
      })
      .prefault({}),
  }),
  z.strictObject({
    type: z.literal('response_cache'),
    configuration: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Overrides `global.stores.response_cache.similarity_threshold` for this decision. */
        semantic: z.strictObject({ similarity_threshold: prob.optional() }).prefault({}),
      })
      .prefault({}),
  }),
  z.strictObject({
    type: z.literal('header_mutation'),
    configuration: z.strictObject({
      enabled: z.boolean().default(true),
      add: z.array(headerPair).default([]),
      update: z.array(headerPair).default([]),
      delete: z.array(name).default([]),
    }),
  }),
]);

export const DecisionSchema = z.strictObject({
  name,
  description,
  priority: z.number().default(0),
  rules: RuleNodeSchema,
  modelRefs: z.array(ModelRefSchema).default([]),
  algorithm: z.strictObject({ type: name }).optional(),
  plugins: z.array(PluginSchema).default([]),
});

/** Session modes: `per_turn` routes every turn on its own text; `sticky` keeps a conversation on its route. */
export const SESSION_MODES = Object.freeze(['sticky', 'per_turn'] as const);

/**
 * semroute: session-aware routing (see `decision/session.ts`). In `sticky` mode a conversation keeps the model and
 * reasoning setting of the route it started on, unless a later turn routes elsewhere with a confidence of at least
 * `switch_confidence` (its new route then becomes the conversation's), or the earlier route was a block.
 */
export const SessionSchema = z.strictObject({
  mode: z.enum(SESSION_MODES).default('per_turn'),
  /**
   * A turn whose own text routes elsewhere moves the conversation only at or above this decision confidence
   * (0.4, the shipped model's domain threshold: any turn that does not fall back; chosen on the session eval).
   */
  switch_confidence: prob.default(0.4),
  /** ... and only when its own text has at least this many model tokens (short follow-ups never switch). */
  min_switch_tokens: z.number().int().min(0).default(14),
  /** How many earlier user turns are replayed to find the conversation's current route (messages source). */
  max_turns: z.number().int().min(1).max(32).default(8),
  /** Request header carrying the session marker the router returned (`x-semroute-session` by default). */
  header: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case header name such as x-semroute-session')
    .default('x-semroute-session'),
});

export const RoutingSchema = z.strictObject({
  strategy: z.enum(['priority', 'confidence']).default('priority'),
  session: SessionSchema.prefault({}),
  signals: SignalsSchema.prefault({}),
  decisions: z.array(DecisionSchema).default([]),
});

const PromptGuardSchema = z.strictObject({ enabled: z.boolean().default(false), threshold: prob.default(0.7) });
const ClassifierSchema = z.strictObject({
  // 0.4: the shipped model's calibrated domain confidence (heads.json default_threshold); see config/default.yaml.
  domain: z.strictObject({ threshold: prob.default(0.4), fallback_category: name.default('other') }).prefault({}),
  pii: z.strictObject({ threshold: prob.default(0.4) }).prefault({}), // = the shipped model's heads.json pii default_threshold
});

/**
 * The semantic response cache (vSR `global.stores.response_cache`; semroute extensions marked). A decision caches
 * when this is enabled and the decision has a `response_cache` plugin that is enabled.
 */
export const ResponseCacheSchema = z.strictObject({
  enabled: z.boolean().default(false),
  backend_type: z.enum(CACHE_BACKENDS).default('memory'),
  /** Cosine similarity of the pooled embeddings at or above which a stored answer may serve (README: how it was chosen). */
  similarity_threshold: prob.default(0.85),
  max_entries: z.number().int().min(1).default(10_000),
  /** semroute: bound on the stored answers' bytes (UTF-8), all entries together. */
  max_bytes: z.number().int().min(1024).default(256 * 1024 * 1024),
  /** semroute: larger answers are not stored. */
  max_entry_bytes: z.number().int().min(256).default(1024 * 1024),
  /** Seconds an entry lives; 0 = until evicted. */
  ttl_seconds: z.number().int().min(0).default(3600),
  eviction_policy: z.enum(CACHE_EVICTION_POLICIES).default('lru'),
  redis: z
    .strictObject({
      address: name.default('127.0.0.1:6379'),
      db: z.number().int().min(0).default(0),
      /** Name of the environment variable holding the Redis password (never the password itself). */
      password_env: name.optional(),
      key_prefix: z.string().default('semroute:cache:'),
      /** semroute: a Redis command slower than this counts as failed and the cache is bypassed for that request. */
      timeout_ms: z.number().int().min(1).default(250),
    })
    .prefault({}),
  /**
   * semroute: request headers whose values (hashed) scope the cache: a hit never crosses scopes. Default: the
   * `Authorization` header; add a user header such as `x-user-id`. The OpenAI body field `user` always joins the scope.
   */
  scope_headers: z.array(name.transform((h) => h.toLowerCase())).default(['authorization']),
  /** semroute: requests with `cache-control: no-store` neither read nor fill the cache (set false to ignore that header). */
  respect_no_store: z.boolean().default(true),
  /** semroute: cache requests that set a `temperature` other than the default 1 (sampling asked for variety). */
  cache_nondefault_temperature: z.boolean().default(false),
  /** semroute: PII types that do not keep a prompt out of the cache (see CACHE_DEFAULT_PII_ALLOWED). */
  pii_types_allowed: z.array(name).default([...CACHE_DEFAULT_PII_ALLOWED]),
  /**
   * semroute: the lexical guard on hits (same numbers, no content word swapped, at most `max_extra_words` content words added besides generic ones).
   * Off, near-miss questions ("capital of France" / "of Germany") hit each other: README, "Semantic response cache".
   */
  guard: z.strictObject({ enabled: z.boolean().default(true), max_extra_words: z.number().int().min(0).default(0) }).prefault({}),
});

export const StoresSchema = z.strictObject({ response_cache: ResponseCacheSchema.prefault({}) });

/**
 * The OpenAI Responses API (`POST /v1/responses`), vSR's `global.services.response_api` keys. Stored responses
 * (`store: true`) continue with `previous_response_id`; `memory` keeps them in this process, `redis` shares them
 * between replicas (Node server only).
 */
export const ResponseApiSchema = z.strictObject({
  enabled: z.boolean().default(false),
  store_backend: z.enum(['memory', 'redis']).default('memory'),
  /** How long a stored response can be continued, seconds. */
  ttl_seconds: z.number().int().min(1).default(86_400),
  /** Most responses kept by the memory store (least recently stored go first). */
  max_responses: z.number().int().min(1).default(10_000),
  redis: z
    .strictObject({
      address: name.default('127.0.0.1:6379'),
      db: z.number().int().min(0).default(0),
      /** Name of the environment variable holding the Redis password (never the password itself). */
      password_env: name.optional(),
      key_prefix: z.string().default('semroute:response:'),
    })
    .prefault({}),
});

/** What happens to the part of a prompt beyond `global.screening.max_chars`. */
export const BEYOND_CAP_ACTIONS = Object.freeze(['block', 'flag', 'allow'] as const);

/**
 * semroute: how much of a prompt the classifier screens. Jailbreak and PII look at every window of the classified text
 * (jailbreak: the highest score of any window; PII: spans from all windows) up to `max_chars` UTF-16 code units; the
 * rest is not classified and `beyond_cap` decides: `block` answers with `message`, `flag` forwards with the response
 * header `x-semroute-screened: partial` and a trace note, `allow` forwards with that header only. The cost of screening
 * is linear in `max_chars` (about one 128-token window per 94 tokens).
 */
const ScreeningSchema = z.strictObject({
  // 100,000 characters: ~23,000 tokens, ~250 windows, a few seconds on a 2-core CPU (packages/core/README.md, "Limits").
  max_chars: z.number().int().min(1).max(16 * 1024 * 1024).default(100_000),
  beyond_cap: z.enum(BEYOND_CAP_ACTIONS).default('flag'),
  message: z.string().min(1).default('This request is longer than this router can screen; shorten it and try again.'),
});

/**
 * semroute: admission control and the routing deadline (work per request is bounded by the server's body limit and
 * the screened-character cap). See the README, "Limits".
 */
const LimitsSchema = z.strictObject({
  /** Requests being classified at once (waiting or running); one more is refused (HTTP 429 + Retry-After). */
  max_queued_requests: z.number().int().min(1).max(1_000_000).default(64),
  /**
   * Characters being classified at once, summed over those requests: bounds the classifier's memory. A request is
   * always admitted when nothing else is queued, however long.
   */
  max_queued_characters: z.number().int().min(1).max(1_000_000_000).default(16_000_000),
  /** Longest time routing (classification) may take, ms; 0 = no deadline. */
  routing_deadline_ms: z.number().int().min(0).max(3_600_000).default(15_000),
  /**
   * When the deadline passes: `block` (default) answers 503 `routing_deadline_exceeded` with Retry-After and forwards
   * nothing, so a slow-to-screen prompt never reaches a model unscreened; `default_model` sends it to
   * `providers.defaults.default_model` without the guards' verdict (the trace and `x-semroute-deadline` say so).
   */
  on_deadline: z.enum(['block', 'default_model']).default('block'),
});

export const GlobalSchema = z.strictObject({
  /** Optional services (vSR `global.services`): the Responses API. */
  services: z.strictObject({ response_api: ResponseApiSchema.prefault({}) }).prefault({}),
  /** Stores (vSR `global.stores`): the semantic response cache. */
  stores: StoresSchema.prefault({}),
  classifier: ClassifierSchema.prefault({}),
  /** semroute: how much of each prompt the classifier screens, and what happens beyond that (see ScreeningSchema). */
  screening: ScreeningSchema.prefault({}),
  prompt_guard: PromptGuardSchema.prefault({}),
  conversation: z.strictObject({ max_prior_user_turns: z.number().int().min(0).max(32).default(2) }).prefault({}),
  /**
   * semroute: honour the vSR `x-vsr-skip-processing: true` request header (forward untouched, no classification,
   * no jailbreak / PII guards). Off by default: any client could otherwise skip the guards.
   */
  allow_skip_processing: z.boolean().default(false),
  /** semroute: requests naming a concrete model (not one of `auto_model_names`) pass through untouched. */
  passthrough: z
    .strictObject({
      enabled: z.boolean().default(true),
      auto_model_names: z.array(name).default(['auto', 'MoM']),
      enforce_blocks: z.boolean().default(true),
    })
    .prefault({}),
  /** semroute: how blocked / fast_response requests are answered. */
  blocked_response: z
    .strictObject({
      status: z.union([z.literal(200), z.literal(403)]).default(200),
      finish_reason: z.enum(['content_filter', 'stop']).default('content_filter'),
      jailbreak_message: z.string().min(1).default('I cannot process this request.'),
      pii_message: z.string().min(1).default('This request contains personal information that this route does not accept.'),
    })
    .prefault({}),
  limits: LimitsSchema.prefault({}),
});

export const RouterConfigSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).optional(),
  providers: ProvidersSchema,
  routing: RoutingSchema.prefault({}),
  global: GlobalSchema.prefault({}),
});

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A validated, defaults-filled, deeply frozen config. Build it with `parseConfig` / `loadConfigOrThrow`. */
export type RouterConfig = DeepReadonly<z.output<typeof RouterConfigSchema>>;
/** One model under `providers.models`: its reasoning family, provider model id and backends. */
export type ModelConfig = RouterConfig['providers']['models'][number];
/** One backend of a model (`backend_refs[]`): endpoint, protocol, weight, API format and key. */
export type BackendRef = ModelConfig['backend_refs'][number];
/** How a model family switches reasoning on (`chat_template_kwargs` parameter or `reasoning_effort`). */
export type ReasoningFamily = DeepReadonly<z.output<typeof ReasoningFamilySchema>>;
/** A reasoning effort level, `minimal` to `high` ({@link REASONING_EFFORTS}). */
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
/** One decision under `routing.decisions`: priority, rule tree, model references and plugins. */
export type DecisionConfig = RouterConfig['routing']['decisions'][number];
/** A decision's model reference: which model, and whether (and how hard) it reasons. */
export type ModelRef = DecisionConfig['modelRefs'][number];
/** A decision's plugin (system prompt, PII, fast response, header mutation, ...). */
export type PluginConfig = DecisionConfig['plugins'][number];
/** `routing.signals`: the named signals rules refer to (domains, keywords, exemplars, jailbreak, PII, token bands). */
export type SignalsConfig = RouterConfig['routing']['signals'];
/** A kind of signal a rule condition can name. */
export type SignalType = (typeof SIGNAL_TYPES)[number];
/** `routing.session`: how a conversation keeps or changes its route across turns. */
export type SessionConfig = RouterConfig['routing']['session'];
/** `global.services.response_api`: the OpenAI Responses API endpoint and where stored responses live. */
export type ResponseApiConfig = RouterConfig['global']['services']['response_api'];
/** The wire format a backend speaks. */
export type ApiFormat = BackendRef['api_format'];
/** One keyword signal: its keywords and how they combine. */
export type KeywordSignalConfig = SignalsConfig['keywords'][number];
/** One exemplar signal: example prompts matched by embedding similarity. */
export type ExemplarSignalConfig = SignalsConfig['exemplars'][number];
/** `global.stores.response_cache`: the semantic response cache. */
export type ResponseCacheConfig = RouterConfig['global']['stores']['response_cache'];
