import { LineCounter, parseDocument, isNode, type Node as YamlNode } from 'yaml';
import { parseConfig, type ConfigIssue, type RouterConfig } from '@semroute/core';
import type { ConfigCheck } from './ui/config-editor.js';
import type { ConfigIssueView } from './types.js';

export type { RouterConfig };

/** Validates YAML with @semroute/core's parseConfig and locates each issue's path in the text. */
export function checkConfig(text: string): ConfigCheck<RouterConfig> {
  const r = parseConfig(text, { format: 'yaml' });
  const locate = locator(text);
  if (r.ok) return { ok: true, config: r.config, warnings: r.warnings.map((w) => view(w, locate, 'warning')) };
  return { ok: false, issues: [...r.errors.map((e) => view(e, locate, 'error')), ...(r.warnings ?? []).map((w) => view(w, locate, 'warning'))] };
}

function view(i: ConfigIssue, locate: (path: string) => number | undefined, severity: 'error' | 'warning'): ConfigIssueView {
  let message = i.message;
  if (i.expected && !message.includes(i.expected)) message += ` (expected ${i.expected}${i.received ? `, received ${i.received}` : ''})`;
  else if (i.received && !message.includes(i.received)) message += ` (received ${i.received})`;
  if (i.suggestion) message += ` — did you mean \`${i.suggestion}\`?`;
  const fromMessage = /\bline (\d+)\b/.exec(i.message);
  const line = fromMessage ? Number(fromMessage[1]) : i.path ? locate(i.path) : undefined;
  return { path: i.path, message, line, severity };
}

/** `a.b[2]["c d"]` → ['a', 'b', 2, 'c d']. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}

/** Maps a config path to the 1-based line of the deepest node of that path that exists in the YAML text. */
function locator(text: string): (path: string) => number | undefined {
  let doc: ReturnType<typeof parseDocument> | undefined;
  const lc = new LineCounter();
  try {
    doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false });
  } catch {
    return () => undefined;
  }
  return (path) => {
    if (!doc) return undefined;
    const segs = splitPath(path);
    for (let n = segs.length; n > 0; n--) {
      const prefix = segs.slice(0, n);
      // The key node of the last segment points at the right line even for `key:` with a nested value.
      const parent = n > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      const key = prefix[n - 1];
      const keyLine = keyLineOf(parent, key, lc);
      if (keyLine !== undefined) return keyLine;
      const node = doc.getIn(prefix, true) as YamlNode | undefined;
      if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

function keyLineOf(parent: unknown, key: string | number | undefined, lc: LineCounter): number | undefined {
  if (!parent || typeof parent !== 'object' || !('items' in parent)) return undefined;
  const items = (parent as { items: unknown[] }).items;
  if (typeof key === 'number') {
    const item = items[key];
    if (isNode(item) && item.range) return lc.linePos(item.range[0]).line;
    return undefined;
  }
  for (const it of items) {
    const pair = it as { key?: unknown };
    const k = pair.key;
    if (isNode(k) && 'value' in k && String((k as { value: unknown }).value) === key && k.range) return lc.linePos(k.range[0]).line;
  }
  return undefined;
}
