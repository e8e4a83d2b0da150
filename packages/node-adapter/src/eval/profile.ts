/**
 * Simulated-model profiles: per-category accuracy and token figures with reasoning off and on, plus latency
 * parameters. Loaded from YAML (see `packages/node-adapter/profiles/`).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export interface ModeFigures {
  /** Probability of a correct (extractable) answer. */
  readonly accuracy: number;
  /** Mean completion tokens (reasoning included). */
  readonly tokens: number;
  /** Probability of an answer with no extractable letter; part of the 1 − accuracy wrong answers. */
  readonly unanswered: number;
}

export interface CategoryFigures {
  readonly off: ModeFigures;
  readonly on: ModeFigures;
}

export interface EffortScale {
  /** Multiplies the reasoning-on accuracy gain over reasoning off. */
  readonly gain: number;
  /** Multiplies the reasoning-on tokens. */
  readonly tokens: number;
}

export interface SimProfile {
  readonly name: string;
  readonly model: string;
  readonly family: string;
  readonly latency: { readonly ttft_ms: number; readonly prefill_tokens_per_second: number; readonly decode_tokens_per_second: number };
  readonly correlation: number;
  readonly tokens_cv: number;
  readonly reasoning_share: number;
  readonly efforts: Readonly<Record<string, EffortScale>>;
  readonly categories: Readonly<Record<string, CategoryFigures>>;
}

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

/** Folder of the profiles shipped with the package. */
export const PROFILES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../profiles');
/** `owned_by` prefix of the simulated model's `/models` entries (then the profile name): how eval recognises one behind --endpoint. */
export const SIMULATED_OWNER_PREFIX = 'semroute-sim:';
/** The profile shipped by default: a plausible reading of the paper's charts, not its data. */
export const DEFAULT_PROFILE = 'qwen3-30b-a3b-paper';

const num = (v: unknown, path: string, min: number, max: number, fallback?: number): number => {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ProfileError(`${path}: expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
};

function modeFigures(v: unknown, path: string): ModeFigures {
  if (!v || typeof v !== 'object') throw new ProfileError(`${path}: expected {accuracy, tokens, unanswered?}`);
  const o = v as Record<string, unknown>;
  const accuracy = num(o.accuracy, `${path}.accuracy`, 0, 1);
  const unanswered = num(o.unanswered, `${path}.unanswered`, 0, 1, 0);
  if (accuracy + unanswered > 1) throw new ProfileError(`${path}: accuracy + unanswered must be ≤ 1`);
  return { accuracy, tokens: num(o.tokens, `${path}.tokens`, 1, 1e6), unanswered };
}

/** Validate a parsed profile object. */
export function validateProfile(raw: unknown, where = 'profile'): SimProfile {
  if (!raw || typeof raw !== 'object') throw new ProfileError(`${where}: expected a mapping`);
  const o = raw as Record<string, unknown>;
  const lat = (o.latency ?? {}) as Record<string, unknown>;
  const cats = o.categories as Record<string, unknown> | undefined;
  if (!cats || typeof cats !== 'object' || Object.keys(cats).length === 0) throw new ProfileError(`${where}.categories: expected a mapping category → {off, on}`);
  const categories: Record<string, CategoryFigures> = {};
  for (const [c, v] of Object.entries(cats)) {
    const cv = (v ?? {}) as Record<string, unknown>;
    categories[c] = { off: modeFigures(cv.off, `${where}.categories.${c}.off`), on: modeFigures(cv.on, `${where}.categories.${c}.on`) };
  }
  const efforts: Record<string, EffortScale> = { medium: { gain: 1, tokens: 1 } };
  for (const [e, v] of Object.entries((o.efforts ?? {}) as Record<string, unknown>)) {
    const ev = (v ?? {}) as Record<string, unknown>;
    efforts[e] = { gain: num(ev.gain, `${where}.efforts.${e}.gain`, 0, 10), tokens: num(ev.tokens, `${where}.efforts.${e}.tokens`, 0.01, 100) };
  }
  return {
    name: typeof o.name === 'string' ? o.name : 'unnamed',
    model: typeof o.model === 'string' ? o.model : 'simulated',
    family: typeof o.family === 'string' ? o.family : 'qwen3',
    latency: {
      ttft_ms: num(lat.ttft_ms, `${where}.latency.ttft_ms`, 0, 1e6, 150),
      prefill_tokens_per_second: num(lat.prefill_tokens_per_second, `${where}.latency.prefill_tokens_per_second`, 1, 1e9, 3000),
      decode_tokens_per_second: num(lat.decode_tokens_per_second, `${where}.latency.decode_tokens_per_second`, 0.1, 1e9, 70),
    },
    correlation: num(o.correlation, `${where}.correlation`, 0, 1, 0.5),
    tokens_cv: num(o.tokens_cv, `${where}.tokens_cv`, 0, 10, 0.5),
    reasoning_share: num(o.reasoning_share, `${where}.reasoning_share`, 0, 1, 0.85),
    efforts,
    categories,
  };
}

/** Load a profile by shipped name (e.g. `qwen3-30b-a3b-paper`) or path to a YAML file. */
export function loadProfile(nameOrPath: string = DEFAULT_PROFILE): SimProfile {
  const candidates = [nameOrPath, resolve(PROFILES_DIR, nameOrPath), resolve(PROFILES_DIR, `${nameOrPath}.yaml`)];
  const file = candidates.find((c) => existsSync(c) && c.match(/\.ya?ml$/));
  if (!file) throw new ProfileError(`simulated-model profile not found: ${nameOrPath} (tried a path and ${PROFILES_DIR}/${nameOrPath}.yaml)`);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ProfileError(`${file}: invalid YAML (${(err as Error).message})`);
  }
  return validateProfile(raw, file);
}

/** Expected figures of one category under a reasoning setting (effort applies only to effort families). */
export function expectedFigures(profile: SimProfile, category: string, reasoning: boolean, effort?: string): ModeFigures {
  const c = profile.categories[category] ?? profile.categories.other ?? Object.values(profile.categories)[0]!;
  if (!reasoning) return c.off;
  if (!effort) return c.on;
  const s = profile.efforts[effort] ?? { gain: 1, tokens: 1 };
  const accuracy = Math.min(1, Math.max(0, c.off.accuracy + (c.on.accuracy - c.off.accuracy) * s.gain));
  return { accuracy, tokens: c.on.tokens * s.tokens, unanswered: Math.min(c.on.unanswered, 1 - accuracy) };
}
