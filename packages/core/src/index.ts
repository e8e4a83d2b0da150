/**
 * @semroute/core: the pure, runtime-agnostic semantic router core: config, signals, decision, selection,
 * OpenAI request rewriting. No runtime imports; the ONNX classifier lives behind the `Classifier` interface
 * (`@semroute/core/browser`, `@semroute/core/edge`; on Node, `@semroute/node-adapter`).
 * @module @semroute/core
 */

// config
export { parseConfig, loadConfigOrThrow } from './config/parse.js';
export type { ConfigResult, ParseConfigOptions } from './config/parse.js';
export { formatConfigIssues } from './config/issues.js';
export type { ConfigIssue } from './config/issues.js';
export { DEFAULT_CONFIG_YAML, defaultConfig } from './config/default-config.js';
export {
  BUILTIN_REASONING_FAMILIES,
  CACHE_BACKENDS,
  CACHE_DEFAULT_PII_ALLOWED,
  CACHE_EVICTION_POLICIES,
  KEYWORD_OPERATORS,
  PLUGIN_TYPES,
  REASONING_EFFORTS,
  REASONING_FAMILY_TYPES,
  RULE_OPERATORS,
  SELECTION_ALGORITHMS,
  SESSION_MODES,
  SIGNAL_TYPES,
} from './config/schema.js';
export type {
  BackendRef,
  ConditionRule,
  DecisionConfig,
  ExemplarSignalConfig,
  ResponseCacheConfig,
  GroupRule,
  KeywordSignalConfig,
  ModelConfig,
  ModelRef,
  PluginConfig,
  ReasoningEffort,
  ReasoningFamily,
  RouterConfig,
  RuleNode,
  SignalsConfig,
  SignalType,
  SessionConfig,
  ResponseApiConfig,
  ApiFormat,
} from './config/schema.js';

// signals
export { extractClassifiedText, extractClassifiedTextDetailed } from './signals/extract.js';
export type { ClassifiedText, TextSegment } from './signals/extract.js';
export { matchKeywords, matchKeywordsDetailed } from './signals/keywords.js';
export type { KeywordMatch } from './signals/keywords.js';
export { buildSignals } from './signals/build.js';
export type { ExemplarEmbeddings, Vector } from './signals/build.js';
// The PII recognizer registry (model head, span rules, pattern recognizers) the classifier runs; the single steps are not exported.
export {
  BUILTIN_PII_RECOGNIZER_NAMES,
  BUILTIN_PII_RECOGNIZERS,
  MODEL_FILE_PII_RECOGNIZER_NAMES,
  MODEL_RECOGNIZER,
  NATURAL_NER_RECOGNIZER,
  PII_RECOGNIZER_KINDS,
  PiiRecognizerError,
  RecognizerRegistry,
} from './signals/pii-recognizers.js';
export { customPatternRecognizer, registryFromSettings } from './signals/pii-custom-recognizers.js';
export { NER_FORMAT, NER_MAGIC, NER_MERGE_MODES, NER_VERSION, NerModel, naturalNerRecognizer, parseNerFile } from './signals/pii-ner.js';
export type { NerHeader, NerMergeMode, NerSpan } from './signals/pii-ner.js';
export type {
  ContextRuleRecognizer,
  CustomPiiPattern,
  CustomPiiRecognizerConfig,
  ModelRecognizer,
  PatternRecognizer,
  PiiRecognizer,
  PiiRecognizerKind,
  PiiRecognizerSettings,
} from './signals/pii-recognizers.js';
export type { Classifier, ClassifierSignals, ClassifierTimings, ClassifyOptions, DomainSource, JailbreakSource, PiiSpan, ScoreSources, Signals, TopLabel } from './signals/types.js';

// decision
export { decide } from './decision/engine.js';
export { explainDecision } from './decision/explain.js';
export { retargetDecision } from './decision/retarget.js';
// The session policy (anchors, the session marker's encoding, replay) runs inside Router.route; not exported.
export type { SessionAnchor, SessionSource } from './decision/session.js';
export type {
  AppliedPlugin,
  BlockInfo,
  CategorySource,
  CategorySourceTrace,
  CategoryTrace,
  Decision,
  DecisionEvaluation,
  DecisionTrace,
  PiiOutcome,
  RuleTrace,
  SelectionTrace,
  SessionRoute,
  SessionTrace,
  SignalEvaluation,
} from './decision/types.js';

// selection: the strategy registry is internal; a decision's trace (`selection`) says what it chose and why.

// openai
export { rewrite, redactMessages } from './openai/rewrite.js';
export type { RewriteOptions, RewriteResult } from './openai/rewrite.js';
export { blockedResponse } from './openai/blocked.js';
export type { BlockedResponse } from './openai/blocked.js';
export { redact } from './openai/redact.js';
export { validateChatRequest } from './openai/types.js';
// The Responses API ⇄ chat.completions translation is the HTTP layer's (`handleResponses` in `@semroute/core/http`).
export type { ResponseItem, ResponseObject, ResponsesRequest } from './openai/responses.js';
export type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatTextPart } from './openai/types.js';

// headers, errors, router
export { HEADERS, CLIENT_RESPONSE_HEADERS, REQUEST_HEADERS } from './headers.js';
export type { HeaderName, ResponsePath } from './headers.js';
export { SemrouteError, ConfigError, ClassifierError, NoRouteError, RequestError, OverloadedError, DeadlineError } from './errors.js';
export type { SemrouteErrorCode } from './errors.js';
export { Router } from './router.js';
export type { RouteOptions, RouteResult, RouteTimings, RouterClassifyOptions, RouterOptions, RouterQueue } from './router.js';
export { parseClientHint, knownCategories, TRUST_CLIENT_HINTS } from './client-hint.js';
export type { ClientHint, ParsedClientHint, TrustClientHints } from './client-hint.js';

// semantic response cache: the cache, its memory backend and the backend contract. The vector scan, prompt
// signatures and the lexical guard are internal (the guard and vector helpers are in `@semroute/core/runtime-kit`).
export { ResponseCache, MemoryCacheStore, cacheLimits, createResponseCache } from './cache/index.js';
export type {
  CacheBackend,
  CacheBypassReason,
  CacheCandidate,
  CachedChoice,
  CachedCompletion,
  CacheEntryData,
  CacheLimits,
  CacheObserver,
  CacheProbe,
  CacheRequest,
  CacheSize,
  CacheStats,
  MemoryStoreOptions,
  NotCacheableReason,
  PromptSignature,
  QuantizedVector,
  ResponseCacheOptions,
} from './cache/index.js';
