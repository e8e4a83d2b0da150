/**
 * Config problems: the {@link ConfigIssue} shape, path formatting, typo suggestions and human formatting.
 * @module
 */

/** One config error or warning, always with the path of the offending value. */
export interface ConfigIssue {
  /** Dotted path, e.g. `routing.decisions[2].modelRefs[0].use_reasoning`; empty for the document root. */
  path: string;
  /** What is wrong, e.g. `unknown key`. */
  message: string;
  /** What was expected, e.g. `one of: AND, OR, NOT`. */
  expected?: string;
  /** A short description of what was found (never prompt text; configs only). */
  received?: string;
  /** A likely fix for a typo, e.g. `use_reasoning`. */
  suggestion?: string;
}

const IDENT = /^[A-Za-z_$][\w$-]*$/;

/** Formats a path of keys and indices: `['a', 0, 'b c']` → `a[0]["b c"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (IDENT.test(s)) out += out ? `.${s}` : s;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** Joins a base path and a key. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (!IDENT.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}

/** Damerau–Levenshtein (optimal string alignment) distance, O(a·b); inputs are config keys, so short. */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2: number[] = new Array<number>(m + 1).fill(0);
  let prev: number[] = Array.from({ length: m + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/**
 * The closest candidate to `input` if it is close enough to be a plausible typo
 * (distance ≤ max(1, ⌊len/3⌋), case-insensitive), otherwise undefined. Ties resolve to the first candidate.
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === input) continue;
    const d = editDistance(needle, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(needle.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}

/**
 * Human text, one issue per line:
 * ``routing.decisions[2].modelRefs[0].use_reasonng: unknown key — did you mean `use_reasoning`?``
 */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => {
      let line = `${i.path || '(root)'}: ${i.message}`;
      if (i.suggestion) return `${line} — did you mean \`${i.suggestion}\`?`;
      const extra: string[] = [];
      if (i.expected && !i.message.includes(i.expected)) extra.push(`expected ${i.expected}`);
      if (i.received && !i.message.includes(i.received)) extra.push(`received ${i.received}`);
      if (extra.length) line += ` (${extra.join(', ')})`;
      return line;
    })
    .join('\n');
}

/** A short, safe description of a value for `received` (type plus a truncated rendering). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'object';
    default:
      return typeof value;
  }
}
