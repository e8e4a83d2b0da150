/**
 * The semroute error hierarchy. Core code throws only these; adapters (the proxy) map them to HTTP statuses
 * and OpenAI error bodies. Every class has a static `isError()` guard that works across realms and bundles
 * (it checks a brand, not `instanceof`).
 * @module
 */
import type { ConfigIssue } from './config/issues.js';

const BRAND = Symbol.for('semroute.error');

/** Stable machine-readable error codes. */
export type SemrouteErrorCode =
  | 'CONFIG_INVALID'
  | 'CLASSIFIER_FAILED'
  | 'NO_ROUTE'
  | 'REQUEST_INVALID'
  | 'OVERLOADED'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL';

/** Base class of every error semroute throws on purpose. */
export class SemrouteError extends Error {
  /** Machine-readable code, stable across versions. */
  readonly code: SemrouteErrorCode;
  readonly [BRAND] = true;

  constructor(message: string, options: { code?: SemrouteErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'INTERNAL';
  }

  /** True for any semroute error (including subclasses), even across package copies. */
  static isError(value: unknown): value is SemrouteError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** An invalid configuration. `issues` carries every problem found, each with its path. */
export class ConfigError extends SemrouteError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], message?: string, options: { cause?: unknown } = {}) {
    super(message ?? summarize(issues), { code: 'CONFIG_INVALID', cause: options.cause });
    this.issues = issues;
  }
  static override isError(value: unknown): value is ConfigError {
    return SemrouteError.isError(value) && value.code === 'CONFIG_INVALID';
  }
}

/** The classifier backend failed (model load, inference). Never contains prompt text. */
export class ClassifierError extends SemrouteError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'CLASSIFIER_FAILED', cause: options.cause });
  }
  static override isError(value: unknown): value is ClassifierError {
    return SemrouteError.isError(value) && value.code === 'CLASSIFIER_FAILED';
  }
}

/** No model could be chosen (e.g. the configured default model is missing at runtime). */
export class NoRouteError extends SemrouteError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'NO_ROUTE', cause: options.cause });
  }
  static override isError(value: unknown): value is NoRouteError {
    return SemrouteError.isError(value) && value.code === 'NO_ROUTE';
  }
}

/** A malformed chat.completions request. `path` is the JSON path of the offending value, e.g. `messages[1].content`. */
export class RequestError extends SemrouteError {
  readonly path: string;
  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super(path ? `${path}: ${message}` : message, { code: 'REQUEST_INVALID', cause: options.cause });
    this.path = path;
  }
  static override isError(value: unknown): value is RequestError {
    return SemrouteError.isError(value) && value.code === 'REQUEST_INVALID';
  }
}

function summarize(issues: readonly ConfigIssue[]): string {
  const first = issues[0];
  if (!first) return 'invalid semroute config';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `invalid semroute config: ${first.path || '(root)'}: ${first.message}${more}`;
}

/**
 * The router is at its admission limit (`global.limits.max_queued_requests` / `max_queued_characters`): the request
 * was refused before any work, so retrying after `retryAfterSeconds` is safe.
 */
export class OverloadedError extends SemrouteError {
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { code: 'OVERLOADED', cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
  static override isError(value: unknown): value is OverloadedError {
    return SemrouteError.isError(value) && value.code === 'OVERLOADED';
  }
}

/**
 * Routing took longer than `global.limits.routing_deadline_ms` and the config says to refuse such requests
 * (`on_deadline: block`): nothing was forwarded.
 */
export class DeadlineError extends SemrouteError {
  readonly deadlineMs: number;
  constructor(deadlineMs: number, options: { cause?: unknown } = {}) {
    super(
      `routing did not finish within global.limits.routing_deadline_ms (${deadlineMs} ms); the request was not forwarded ` +
        '(global.limits.on_deadline: block). Retry later, send a shorter prompt, or raise the deadline.',
      { code: 'DEADLINE_EXCEEDED', cause: options.cause },
    );
    this.deadlineMs = deadlineMs;
  }
  static override isError(value: unknown): value is DeadlineError {
    return SemrouteError.isError(value) && value.code === 'DEADLINE_EXCEEDED';
  }
}
