/**
 * Boolean rule evaluation over the signal map. AND: all children (confidence = min); OR: any child
 * (confidence = max of matched children); NOT: no child (confidence = 1 − max child confidence).
 * Rule trees are compiled once per config to signal indices; a condition naming a signal absent from the
 * config never matches.
 * @module
 */
import { signalKey, signalTable, type SignalLeaf } from './signal-map.js';
import type { RouterConfig, RuleNode } from '../config/schema.js';
import type { RuleTrace } from './types.js';

type Compiled = { readonly op: 0 | 1 | 2; readonly children: readonly Compiled[] } | { readonly op: 3; readonly leaf: number; readonly type: string; readonly name: string };
const OPS = ['AND', 'OR', 'NOT'] as const;

const compiledRules = new WeakMap<object, readonly Compiled[]>();

function compileNode(node: RuleNode, index: ReadonlyMap<string, number>): Compiled {
  if ('operator' in node) {
    return { op: node.operator === 'AND' ? 0 : node.operator === 'OR' ? 1 : 2, children: node.conditions.map((c) => compileNode(c, index)) };
  }
  return { op: 3, leaf: index.get(signalKey(node.type, node.name)) ?? -1, type: node.type, name: node.name };
}

/** The compiled rule tree of each decision (config order), cached per config. */
export function compiledDecisionRules(config: RouterConfig): readonly Compiled[] {
  let c = compiledRules.get(config);
  if (!c) {
    const { index } = signalTable(config);
    c = config.routing.decisions.map((d) => compileNode(d.rules, index));
    compiledRules.set(config, c);
  }
  return c;
}

/** Evaluates a compiled rule tree against evaluated signals, returning its trace. */
export function evaluateCompiled(node: Compiled, leaves: readonly SignalLeaf[]): RuleTrace {
  if (node.op === 3) {
    const leaf = node.leaf >= 0 ? leaves[node.leaf] : undefined;
    return (
      leaf ?? { kind: 'condition', type: node.type as SignalLeaf['type'], name: node.name, matched: false, confidence: 0, value: null, test: 'signal not defined' }
    );
  }
  const n = node.children.length;
  const children = new Array<RuleTrace>(n);
  let all = true;
  let any = false;
  let min = Infinity;
  let maxMatched = 0;
  let maxAll = 0;
  for (let i = 0; i < n; i++) {
    const ch = evaluateCompiled(node.children[i]!, leaves);
    children[i] = ch;
    if (ch.matched) {
      any = true;
      if (ch.confidence > maxMatched) maxMatched = ch.confidence;
    } else all = false;
    if (ch.confidence < min) min = ch.confidence;
    if (ch.confidence > maxAll) maxAll = ch.confidence;
  }
  let matched: boolean;
  let confidence: number;
  if (node.op === 0) {
    matched = all;
    confidence = all ? min : 0;
  } else if (node.op === 1) {
    matched = any;
    confidence = any ? maxMatched : 0;
  } else {
    matched = !any;
    confidence = matched ? Math.round((1 - maxAll) * 1e4) / 1e4 : 0;
  }
  return { kind: 'group', operator: OPS[node.op], matched, confidence, children };
}
