/**
 * The tarballs themselves: what each ships (LICENSE, README or card, CHANGELOG, every `exports` target and `files`
 * entry; no tests, no fp32 graph or reference data in the model), and publint + arethetypeswrong on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PUBLISHED, ROOT, run, tarEntries } from './shared.js';

const tarballs = inject('tarballs');

/** Every file an `exports` map points at (conditions flattened; subpath patterns are not used here). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

/** Entry points attw cannot type (non-JS assets exported for bundlers and tools). */
const ASSET_ENTRYPOINTS: Readonly<Record<string, readonly string[]>> = {
  '@semroute/core': ['config/default.yaml'],
  '@semroute/model-mini': ['onnx/model_quantized.onnx', 'ner/ner.bin'],
  '@semroute/model-plus': ['onnx/model_quantized.onnx', 'towers/use-lite/onnx/model.onnx', 'ner/ner.bin'],
};

describe.each(Object.entries(PUBLISHED))('%s tarball', (dir, name) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { exports: unknown; files: string[]; bin?: Record<string, string> };
  const entries = (): string[] => tarEntries(tarballs[name]!);

  it('ships LICENSE, CHANGELOG.md, a README or card, and no tests', () => {
    const e = entries();
    expect(e).toContain('LICENSE');
    expect(e).toContain('CHANGELOG.md');
    expect(e.some((f) => f === 'README.md' || f === 'CARD.md')).toBe(true);
    expect(e.filter((f) => /\.test\.[cm]?[jt]s$|(^|\/)test\//.test(f))).toEqual([]);
  });

  it('ships every exports target, bin and listed file', () => {
    const e = new Set(entries());
    const wanted = [...exportTargets(pkg.exports), ...Object.values(pkg.bin ?? {})].map((t) => t.replace(/^\.\//, ''));
    expect(wanted.filter((t) => !e.has(t))).toEqual([]);
    const listed = pkg.files.filter((f) => !f.startsWith('!'));
    expect(listed.filter((f) => ![...e].some((x) => x === f || x.startsWith(`${f}/`)))).toEqual([]);
  });

  it('is publint-clean (strict, suggestions included)', async () => {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const buf = readFileSync(tarballs[name]!);
    const tarball = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const { messages, pkg: packed } = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, packed) ?? m.code}`)).toEqual([]);
  });

  it('has types that resolve for ESM consumers (arethetypeswrong, esm-only profile)', () => {
    const exclude = ASSET_ENTRYPOINTS[name] ?? [];
    // attw exits non-zero on any problem; its table is the error message then.
    run(process.execPath, [join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarballs[name]!, '--profile', 'esm-only', '--format', 'table-flipped', ...(exclude.length ? ['--exclude-entrypoints', ...exclude] : [])], ROOT, process.env);
  });
});

describe('@semroute/model-mini', () => {
  it('ships what the runtimes load and nothing else of the model folder (no fp32 graph, no reference data)', () => {
    const e = tarEntries(tarballs['@semroute/model-mini']!);
    for (const f of ['config.json', 'heads.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx', 'ner/ner.bin', 'CARD.md', 'index.js', 'index.d.ts']) expect(e).toContain(f);
    expect(e.filter((f) => f === 'onnx/model.onnx' || f.startsWith('reference/') || f.startsWith('eval'))).toEqual([]);
  });
});

describe('@semroute/model-plus', () => {
  it('ships the shared encoder and the domain tower the runtimes load', () => {
    const e = tarEntries(tarballs['@semroute/model-plus']!);
    for (const f of ['config.json', 'heads.json', 'tokenizer.json', 'onnx/model_quantized.onnx', 'ner/ner.bin', 'towers/use-lite/config.json', 'towers/use-lite/tokenizer.json', 'towers/use-lite/onnx/model.onnx', 'CARD.md']) expect(e).toContain(f);
    expect(e.filter((f) => f === 'onnx/model.onnx' || f.startsWith('reference/'))).toEqual([]);
  });
});

describe('@semroute/core', () => {
  it('does not depend on onnxruntime-node', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/core/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) expect(Object.keys(pkg[field] ?? {})).not.toContain('onnxruntime-node');
  });
});
