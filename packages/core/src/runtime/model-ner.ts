/**
 * The model folder's natural-text NER file (heads.json pii head `"ner": {"file": "ner/ner.bin"}`): located and read
 * through the runtime's own model-file reader (Node folder or URL, browser base URL or bundler file map, edge reader),
 * the way the domain `tower` is (byo.ts), and registered as the `natural_ner` PII recognizer.
 * @module
 */
import { ClassifierError } from '../errors.js';
import { naturalNerRecognizer, parseNerFile } from '../signals/pii-ner.js';
import { NATURAL_NER_RECOGNIZER, RecognizerRegistry } from '../signals/pii-recognizers.js';
import { headJson, isObj, type ModelSpec } from './artifacts.js';
import type { EngineOptions } from './classifier.js';

/** A relative file path inside the model folder (no `..`, no leading `/`). */
const RELATIVE_FILE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*$/;

/** The NER file heads.json's pii head names (checked: a clear {@link ClassifierError} says what is wrong), or undefined. */
export function nerFileOf(spec: ModelSpec): string | undefined {
  const ner = isObj(spec.raw.heads) ? headJson(spec.raw.heads, 'pii')?.ner : undefined;
  if (ner === undefined) return undefined;
  const file = isObj(ner) ? ner.file : undefined;
  if (typeof file !== 'string' || !RELATIVE_FILE.test(file) || file.split('/').includes('..')) {
    throw new ClassifierError(`heads.json: pii 'ner' needs "file": a path relative to the model folder such as "ner/ner.bin" (got ${JSON.stringify(ner)})`);
  }
  return file;
}

/**
 * `options` with the model's `natural_ner` recognizer added to its PII registry (a copy of `options.piiRecognizers`,
 * default the built-ins; one that already has a `natural_ner` is kept as it is) when heads.json names an NER file;
 * `options` unchanged otherwise. `read(file)` reads a model file by its relative path. A file that cannot be read or
 * parsed is a {@link ClassifierError} naming it.
 */
export async function withModelNer<O extends EngineOptions>(options: O, spec: ModelSpec, read: (file: string) => Promise<Uint8Array>): Promise<O> {
  const file = nerFileOf(spec);
  if (file === undefined) return options;
  let bytes: Uint8Array;
  try {
    bytes = await read(file);
  } catch (cause) {
    throw new ClassifierError(`could not read the model's NER file ${file} (named by heads.json pii "ner"): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const model = parseNerFile(bytes, `model file ${file} (heads.json pii "ner")`);
  const registry = options.piiRecognizers?.clone() ?? RecognizerRegistry.withBuiltins();
  if (!registry.has(NATURAL_NER_RECOGNIZER)) registry.add(naturalNerRecognizer(model));
  return { ...options, piiRecognizers: registry };
}
