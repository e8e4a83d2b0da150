/**
 * The zod schema of a semroute config (zod/mini: the functional API, which bundlers tree-shake, so the browser
 * bundle carries only the validators used here): the vLLM Semantic Router v0.3 subset (its key names), plus a few
 * semroute extensions under `global`. Every object is strict: an unknown key is an error.
 * Legacy (2025 flat) configs are converted to this shape first, see `legacy.ts`.
 * @module
 */
import { z } from 'zod/mini';

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

const name = z.string().check(z.minLength(1, 'must be a non-empty string'));
const prob = z.number().check(z.gte(0), z.lte(1));
const description = z.optional(z.string());

/** Token counts: a non-negative integer or a string like `"4K"`, `"1.5k"`, `"1M"`. */
const tokenCount = z.pipe(
  z.union([z.int().check(z.gte(0)), z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*[kKmM]?\s*$/, 'expected a token count like 512, "4K" or "1M"'))]),
  z.transform((v: number | string) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(v)!;
    const mult = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000;
    return Math.round(Number(m[1]) * mult);
  }),
);

const reasoningEffort = z.enum(REASONING_EFFORTS);
const dialect = z.enum(['vllm', 'openai']);

export const ReasoningFamilySchema = z.strictObject({
  type: z.enum(REASONING_FAMILY_TYPES),
  parameter: name,
});

export const BackendRefSchema = z.strictObject({
  name: z.optional(name),
  endpoint: name,
  protocol: z._default(z.enum(['http', 'https']), 'http'),
  weight: z._default(z.number().check(z.gte(0)), 1),
  api_key_env: z.optional(name),
  /**
   * semroute: which OpenAI API the backend speaks. `openai_chat` (default): `/v1/chat/completions` only, so
   * `/v1/responses` requests are translated to chat.completions and the answer back; `openai_responses`: the
   * backend also serves `/v1/responses`, which then gets the Responses body (rewritten for the chosen model).
   */
  api_format: z._default(z.enum(['openai_chat', 'openai_responses']), 'openai_chat'),
});

export const ModelSchema = z.strictObject({
  name,
  description,
  reasoning_family: z.optional(name),
  provider_model_id: z.optional(name),
  backend_refs: z._default(z.array(BackendRefSchema), []),
  pii_types_allowed: z.optional(z.array(name)),
  /** semroute: which wire dialect the backend speaks (affects `reasoning_effort` families). */
  api_dialect: z.optional(dialect),
});

export const ProvidersSchema = z.strictObject({
  defaults: z.strictObject({
    default_model: name,
    default_reasoning_effort: z._default(reasoningEffort, 'medium'),
    reasoning_families: z._default(z.record(z.string(), ReasoningFamilySchema), {}),
    /** semroute: default wire dialect of backends. */
    api_dialect: z._default(dialect, 'vllm'),
  }),
  models: z.array(ModelSchema).check(z.minLength(1, 'at least one model is required')),
});

export const DomainSignalSchema = z.strictObject({ name, description, mmlu_categories: z.optional(z.array(name)) });
export const KeywordSignalSchema = z.strictObject({
  name,
  description,
  operator: z._default(z.enum(KEYWORD_OPERATORS), 'OR'),
  keywords: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'at least one keyword is required')),
  case_sensitive: z._default(z.boolean(), false),
});
export const JailbreakSignalSchema = z.strictObject({ name, description, threshold: z._default(prob, 0.7) });
export const PiiSignalSchema = z.strictObject({
  name,
  description,
  threshold: z.optional(prob),
  pii_types_allowed: z._default(z.array(name), []),
});
export const ContextSignalSchema = z.strictObject({
  name,
  description,
  min_tokens: z._default(tokenCount, 0),
  max_tokens: z.optional(tokenCount),
});
export const ExemplarSignalSchema = z.strictObject({
  name,
  description,
  examples: z.array(z.string().check(z.minLength(1))).check(z.minLength(1, 'at least one example prompt is required')),
  threshold: z._default(z.number().check(z.gte(-1), z.lte(1)), 0.75),
  aggregation: z._default(z.enum(['max', 'mean']), 'max'),
});

export const SignalsSchema = z.strictObject({
  domains: z._default(z.array(DomainSignalSchema), []),
  keywords: z._default(z.array(KeywordSignalSchema), []),
  jailbreak: z._default(z.array(JailbreakSignalSchema), []),
  pii: z._default(z.array(PiiSignalSchema), []),
  context: z._default(z.array(ContextSignalSchema), []),
  exemplars: z._default(z.array(ExemplarSignalSchema), []),
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
const RuleNodeSchema: z.ZodMiniType<RuleNode, RuleNodeInput> = z.lazy(() =>
  z.pipe(
    z
      .strictObject({
        type: z.optional(z.enum(SIGNAL_TYPES)),
        name: z.optional(name),
        operator: z.optional(z.enum(RULE_OPERATORS)),
        conditions: z.optional(z.array(RuleNodeSchema).check(z.minLength(1, 'a rule group needs at least one condition'))),
      })
      .check(
        z.superRefine((v, ctx) => {
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
        }),
      ),
    z.transform((v: { type?: ConditionRule['type']; name?: string; operator?: GroupRule['operator']; conditions?: RuleNode[] }): RuleNode =>
      v.operator !== undefined ? { operator: v.operator, conditions: v.conditions ?? [] } : { type: v.type!, name: v.name! },
    ),
  ),
);
export { RuleNodeSchema };

export const ModelRefSchema = z.strictObject({
  model: name,
  use_reasoning: z._default(z.boolean(), false),
  reasoning_effort: z.optional(reasoningEffort),
});

const headerPair = z.strictObject({ name, value: z.string() });
export const PluginSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('system_prompt'),
    configuration: z.strictObject({
      enabled: z._default(z.boolean(), true),
      mode: z._default(z.enum(['insert', 'replace', 'append']), 'replace'),
      system_prompt: z.string(),
    }),
  }),
  z.strictObject({
    type: z.literal('fast_response'),
    configuration: z.strictObject({ enabled: z._default(z.boolean(), true), message: z.string().check(z.minLength(1)) }),
  }),
  z.strictObject({
    type: z.literal('pii'),
    configuration: z.prefault(
      z.strictObject({
        enabled: z._default(z.boolean(), true),
        action: z._default(z.enum(['block', 'redact', 'allow']), 'block'),
        pii_types_allowed: z._default(z.array(name), []),
        threshold: z.optional(prob),
      }), {}),
  }),
  z.strictObject({
    type: z.literal('response_cache'),
    configuration: z.prefault(
      z.strictObject({
        enabled: z._default(z.boolean(), true),
        /** Overrides `global.stores.response_cache.similarity_threshold` for this decision. */
        semantic: z.prefault(z.strictObject({ similarity_threshold: z.optional(prob) }), {}),
      }), {}),
  }),
  z.strictObject({
    type: z.literal('header_mutation'),
    configuration: z.strictObject({
      enabled: z._default(z.boolean(), true),
      add: z._default(z.array(headerPair), []),
      update: z._default(z.array(headerPair), []),
      delete: z._default(z.array(name), []),
    }),
  }),
]);

export const DecisionSchema = z.strictObject({
  name,
  description,
  priority: z._default(z.number(), 0),
  rules: RuleNodeSchema,
  modelRefs: z._default(z.array(ModelRefSchema), []),
  algorithm: z.optional(z.strictObject({ type: name })),
  plugins: z._default(z.array(PluginSchema), []),
});

/** Session modes: `per_turn` routes every turn on its own text; `sticky` keeps a conversation on its route. */
export const SESSION_MODES = Object.freeze(['sticky', 'per_turn'] as const);

/**
 * semroute: session-aware routing (see `decision/session.ts`). In `sticky` mode a conversation keeps the model and
 * reasoning setting of the route it started on, unless a later turn routes elsewhere with a confidence of at least
 * `switch_confidence` (its new route then becomes the conversation's), or the earlier route was a block.
 */
export const SessionSchema = z.strictObject({
  mode: z._default(z.enum(SESSION_MODES), 'per_turn'),
  /**
   * A turn whose own text routes elsewhere moves the conversation only at or above this decision confidence
   * (0.4, the shipped model's domain threshold: any turn that does not fall back; chosen on the session eval).
   */
  switch_confidence: z._default(prob, 0.4),
  /** ... and only when its own text has at least this many model tokens (short follow-ups never switch). */
  min_switch_tokens: z._default(z.int().check(z.gte(0)), 14),
  /** How many earlier user turns are replayed to find the conversation's current route (messages source). */
  max_turns: z._default(z.int().check(z.gte(1), z.lte(32)), 8),
  /** Request header carrying the session marker the router returned (`x-semroute-session` by default). */
  header: z._default(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case header name such as x-semroute-session')),
    'x-semroute-session',
  ),
});

export const RoutingSchema = z.strictObject({
  strategy: z._default(z.enum(['priority', 'confidence']), 'priority'),
  session: z.prefault(SessionSchema, {}),
  signals: z.prefault(SignalsSchema, {}),
  decisions: z._default(z.array(DecisionSchema), []),
});

/** A custom PII pattern recognizer (Presidio's PatternRecognizer); its regexes are checked in parse.ts's cross-validation. */
export const CustomPiiRecognizerSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a lower-case recognizer name such as employee_id (letters, digits, _; starts with a letter)')),
  entity: z.string().check(z.regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'expected an upper-case entity type such as EMPLOYEE_ID (letters, digits, _)')),
  patterns: z.array(z.strictObject({ regex: name, score: prob })).check(z.minLength(1, 'needs at least one pattern {regex, score}')),
  context: z._default(z.array(name), []),
  context_boost: z._default(prob, 0.35), // Presidio's context_similarity_factor
  case_sensitive: z._default(z.boolean(), false),
});

const PiiClassifierSchema = z.strictObject({
  threshold: z._default(prob, 0.4), // = the shipped model's heads.json pii default_threshold
  /** Built-in (or custom) recognizers switched off or on by name: `{date_time: {enabled: false}}`. */
  recognizers: z._default(z.record(z.string(), z.strictObject({ enabled: z._default(z.boolean(), true) })), {}),
  custom_recognizers: z._default(z.array(CustomPiiRecognizerSchema), []),
});

const PromptGuardSchema = z.strictObject({ enabled: z._default(z.boolean(), false), threshold: z._default(prob, 0.7) });
const ClassifierSchema = z.strictObject({
  // 0.4: the shipped model's calibrated domain confidence (heads.json default_threshold); see config/default.yaml.
  domain: z.prefault(z.strictObject({ threshold: z._default(prob, 0.4), fallback_category: z._default(name, 'other') }), {}),
  pii: z.prefault(PiiClassifierSchema, {}),
  /**
   * The model the Node server and CLI load (semroute extension): a model package (`@semroute/model-mini`, the default;
   * `@semroute/model-plus`, the server model with a second domain encoder) or a model folder path / URL. The `--model`
   * flag and `SEMROUTE_MODEL` take precedence; read at start-up (a hot reload does not swap the model). Browser and edge
   * runtimes take their model as an option instead.
   */
  model: z.optional(z.string().check(z.minLength(1, 'expected a model package name such as @semroute/model-plus, or a folder path'))),
});

/** Where a Redis store connects (the response cache's and the Responses API's), with its own key prefix. */
const redisConnection = (keyPrefix: string) => ({
  address: z._default(name, '127.0.0.1:6379'),
  db: z._default(z.int().check(z.gte(0)), 0),
  /** Name of the environment variable holding the Redis password (never the password itself). */
  password_env: z.optional(name),
  key_prefix: z._default(z.string(), keyPrefix),
});

/**
 * The semantic response cache (vSR `global.stores.response_cache`; semroute extensions marked). A decision caches
 * when this is enabled and the decision has a `response_cache` plugin that is enabled.
 */
export const ResponseCacheSchema = z.strictObject({
  enabled: z._default(z.boolean(), false),
  backend_type: z._default(z.enum(CACHE_BACKENDS), 'memory'),
  /** Cosine similarity of the pooled embeddings at or above which a stored answer may serve (README: how it was chosen). */
  similarity_threshold: z._default(prob, 0.85),
  max_entries: z._default(z.int().check(z.gte(1)), 10_000),
  /** semroute: bound on the stored answers' bytes (UTF-8), all entries together. */
  max_bytes: z._default(z.int().check(z.gte(1024)), 256 * 1024 * 1024),
  /** semroute: larger answers are not stored. */
  max_entry_bytes: z._default(z.int().check(z.gte(256)), 1024 * 1024),
  /** Seconds an entry lives; 0 = until evicted. */
  ttl_seconds: z._default(z.int().check(z.gte(0)), 3600),
  eviction_policy: z._default(z.enum(CACHE_EVICTION_POLICIES), 'lru'),
  redis: z.prefault(
    z.strictObject({
      ...redisConnection('semroute:cache:'),
      /** semroute: a Redis command slower than this counts as failed and the cache is bypassed for that request. */
      timeout_ms: z._default(z.int().check(z.gte(1)), 250),
    }), {}),
  /**
   * semroute: request headers whose values (hashed) scope the cache: a hit never crosses scopes. Default: the
   * `Authorization` header; add a user header such as `x-user-id`. The OpenAI body field `user` always joins the scope.
   */
  scope_headers: z._default(z.array(z.pipe(name, z.transform((h: string) => h.toLowerCase()))), ['authorization']),
  /** semroute: requests with `cache-control: no-store` neither read nor fill the cache (set false to ignore that header). */
  respect_no_store: z._default(z.boolean(), true),
  /** semroute: cache requests that set a `temperature` other than the default 1 (sampling asked for variety). */
  cache_nondefault_temperature: z._default(z.boolean(), false),
  /** semroute: PII types that do not keep a prompt out of the cache (see CACHE_DEFAULT_PII_ALLOWED). */
  pii_types_allowed: z._default(z.array(name), [...CACHE_DEFAULT_PII_ALLOWED]),
  /**
   * semroute: the lexical guard on hits (same numbers, no content word swapped, at most `max_extra_words` content words added besides generic ones).
   * Off, near-miss questions ("capital of France" / "of Germany") hit each other: README, "Semantic response cache".
   */
  guard: z.prefault(z.strictObject({ enabled: z._default(z.boolean(), true), max_extra_words: z._default(z.int().check(z.gte(0)), 0) }), {}),
});

export const StoresSchema = z.strictObject({ response_cache: z.prefault(ResponseCacheSchema, {}) });

/**
 * The OpenAI Responses API (`POST /v1/responses`), vSR's `global.services.response_api` keys. Stored responses
 * (`store: true`) continue with `previous_response_id`; `memory` keeps them in this process, `redis` shares them
 * between replicas (Node server only).
 */
export const ResponseApiSchema = z.strictObject({
  enabled: z._default(z.boolean(), false),
  store_backend: z._default(z.enum(['memory', 'redis']), 'memory'),
  /** How long a stored response can be continued, seconds. */
  ttl_seconds: z._default(z.int().check(z.gte(1)), 86_400),
  /** Most responses kept by the memory store (least recently stored go first). */
  max_responses: z._default(z.int().check(z.gte(1)), 10_000),
  redis: z.prefault(z.strictObject(redisConnection('semroute:response:')), {}),
});

/** What happens to the part of a prompt beyond `global.screening.max_chars`. */
export const BEYOND_CAP_ACTIONS = Object.freeze(['block', 'flag', 'allow'] as const);

/**
 * semroute: how much of a prompt the classifier screens. Jailbreak and PII look at every window of the classified text
 * (jailbreak: the highest score of any window; PII: spans from all windows) up to `max_chars` UTF-16 code units; the
 * rest is not classified and `beyond_cap` decides: `block` answers with `message`, `flag` forwards with the response
 * header `x-semroute-screened: partial` and a trace note, `allow` forwards with that header only. The cost of screening
 * is linear in `max_chars` (one 128-token PII window per 94 tokens, one 32-token jailbreak window per sentence).
 */
const ScreeningSchema = z.strictObject({
  // 64,000 characters: ~18,500 tokens of chat prose, ~730 windows (PII + jailbreak), a few seconds on an idle 2-core CPU
  // (packages/core/README.md, "Limits": bench/linear.bench.ts).
  max_chars: z._default(z.int().check(z.gte(1), z.lte(16 * 1024 * 1024)), 64_000),
  beyond_cap: z._default(z.enum(BEYOND_CAP_ACTIONS), 'flag'),
  message: z._default(z.string().check(z.minLength(1)), 'This request is longer than this router can screen; shorten it and try again.'),
});

/**
 * semroute: admission control and the routing deadline (work per request is bounded by the server's body limit and
 * the screened-character cap). See the README, "Limits".
 */
const LimitsSchema = z.strictObject({
  /** Requests being classified at once (waiting or running); one more is refused (HTTP 429 + Retry-After). */
  max_queued_requests: z._default(z.int().check(z.gte(1), z.lte(1_000_000)), 64),
  /**
   * Characters being classified at once, summed over those requests: bounds the classifier's memory. A request is
   * always admitted when nothing else is queued, however long.
   */
  max_queued_characters: z._default(z.int().check(z.gte(1), z.lte(1_000_000_000)), 16_000_000),
  /** Longest time routing (classification) may take, ms; 0 = no deadline. */
  routing_deadline_ms: z._default(z.int().check(z.gte(0), z.lte(3_600_000)), 15_000),
  /**
   * When the deadline passes: `block` (default) answers 503 `routing_deadline_exceeded` with Retry-After and forwards
   * nothing, so a slow-to-screen prompt never reaches a model unscreened; `default_model` sends it to
   * `providers.defaults.default_model` without the guards' verdict (the trace and `x-semroute-deadline` say so).
   */
  on_deadline: z._default(z.enum(['block', 'default_model']), 'block'),
});

export const GlobalSchema = z.strictObject({
  /** Optional services (vSR `global.services`): the Responses API. */
  services: z.prefault(z.strictObject({ response_api: z.prefault(ResponseApiSchema, {}) }), {}),
  /** Stores (vSR `global.stores`): the semantic response cache. */
  stores: z.prefault(StoresSchema, {}),
  classifier: z.prefault(ClassifierSchema, {}),
  /** semroute: how much of each prompt the classifier screens, and what happens beyond that (see ScreeningSchema). */
  screening: z.prefault(ScreeningSchema, {}),
  prompt_guard: z.prefault(PromptGuardSchema, {}),
  conversation: z.prefault(z.strictObject({ max_prior_user_turns: z._default(z.int().check(z.gte(0), z.lte(32)), 2) }), {}),
  /**
   * semroute: honour the vSR `x-vsr-skip-processing: true` request header (forward untouched, no classification,
   * no jailbreak / PII guards). Off by default: any client could otherwise skip the guards.
   */
  allow_skip_processing: z._default(z.boolean(), false),
  /** semroute: requests naming a concrete model (not one of `auto_model_names`) pass through untouched. */
  passthrough: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      auto_model_names: z._default(z.array(name), ['auto', 'MoM']),
      enforce_blocks: z._default(z.boolean(), true),
    }), {}),
  /** semroute: how blocked / fast_response requests are answered. */
  blocked_response: z.prefault(
    z.strictObject({
      status: z._default(z.union([z.literal(200), z.literal(403)]), 200),
      finish_reason: z._default(z.enum(['content_filter', 'stop']), 'content_filter'),
      jailbreak_message: z._default(z.string().check(z.minLength(1)), 'I cannot process this request.'),
      pii_message: z._default(z.string().check(z.minLength(1)), 'This request contains personal information that this route does not accept.'),
    }), {}),
  limits: z.prefault(LimitsSchema, {}),
});

export const RouterConfigSchema = z.strictObject({
  version: z.optional(z.union([z.string(), z.number()])),
  providers: ProvidersSchema,
  routing: z.prefault(RoutingSchema, {}),
  global: z.prefault(GlobalSchema, {}),
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
