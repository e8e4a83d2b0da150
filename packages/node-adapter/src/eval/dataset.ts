/**
 * MMLU-Pro questions: locating and loading the JSONL splits, the zero-shot multiple-choice prompt
 * (options lettered A–J, as in the paper's set-up) and robust answer extraction.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The 14 MMLU-Pro categories (the domain labels). */
export const MMLU_PRO_CATEGORIES = Object.freeze([
  'biology', 'business', 'chemistry', 'computer science', 'economics', 'engineering', 'health',
  'history', 'law', 'math', 'other', 'philosophy', 'physics', 'psychology',
] as const);

export const LETTERS = 'ABCDEFGHIJ';

export interface McQuestion {
  readonly question_id: string;
  readonly question: string;
  readonly options: readonly string[];
  /** Gold letter A–J. */
  readonly answer: string;
  readonly category: string;
  readonly src?: string;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

const SPLITS = ['train', 'val', 'test'] as const;

/** Repo root = four levels above this file (packages/node-adapter/src/eval). */
function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
}

/**
 * Where MMLU-Pro lives: `--data-dir`, then `SEMROUTE_DATA_DIR`, then `../shared/data/mmlu-pro` next to the repo root.
 * Throws a {@link DatasetError} that names every place tried.
 */
export function resolveMmluProDir(dataDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  const candidates: [string, string][] = [];
  if (dataDir) candidates.push([dataDir, '--data-dir']);
  if (env.SEMROUTE_DATA_DIR) candidates.push([env.SEMROUTE_DATA_DIR, 'SEMROUTE_DATA_DIR']);
  candidates.push([resolve(repoRoot(), '../shared/data/mmlu-pro'), 'default']);
  for (const [dir, how] of candidates) {
    // Accept either the mmlu-pro folder itself or a data folder that contains it.
    for (const d of [dir, resolve(dir, 'mmlu-pro')]) {
      if (existsSync(resolve(d, 'test.jsonl'))) return resolve(d);
    }
    tried.push(`${dir} (${how})`);
  }
  throw new DatasetError(
    `MMLU-Pro not found: no test.jsonl in ${tried.join(', ')}. ` +
      'Pass --data-dir DIR (a folder with train/val/test.jsonl in the MMLU-Pro schema), set SEMROUTE_DATA_DIR, ' +
      'or pass --dataset FILE.jsonl.',
  );
}

function parseQuestion(line: string, where: string): McQuestion {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw new DatasetError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const r = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (r.question_id === undefined || r.question_id === null) problems.push('question_id');
  if (typeof r.question !== 'string') problems.push('question (string)');
  if (!Array.isArray(r.options) || r.options.length < 1 || r.options.length > 10 || !r.options.every((o) => typeof o === 'string')) {
    problems.push('options (1–10 strings)');
  }
  if (typeof r.category !== 'string') problems.push('category (string)');
  let answer = typeof r.answer === 'string' ? r.answer.trim().toUpperCase() : undefined;
  if (answer === undefined && typeof r.answer_index === 'number') answer = LETTERS[r.answer_index];
  if (!answer || answer.length !== 1 || !LETTERS.includes(answer)) problems.push('answer (letter A–J)');
  else if (Array.isArray(r.options) && LETTERS.indexOf(answer) >= r.options.length) problems.push('answer within options');
  if (problems.length) throw new DatasetError(`${where}: missing or invalid ${problems.join(', ')} (expected the MMLU-Pro schema: question_id, question, options[], answer, category)`);
  return {
    question_id: String(r.question_id),
    question: r.question as string,
    options: r.options as string[],
    answer: answer as string,
    category: r.category as string,
    ...(typeof r.src === 'string' ? { src: r.src } : {}),
  };
}

export function loadJsonl(file: string): McQuestion[] {
  if (!existsSync(file)) throw new DatasetError(`dataset file not found: ${file}`);
  const out: McQuestion[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim()) out.push(parseQuestion(line, `${file}:${i + 1}`));
  });
  if (out.length === 0) throw new DatasetError(`dataset file is empty: ${file}`);
  return out;
}

/**
 * Load a dataset spec: `mmlu-pro` (= test split), `mmlu-pro:train|val|test|all`, or a path to a JSONL file in the MMLU-Pro schema.
 */
export function loadDataset(spec: string, dataDir?: string, env: NodeJS.ProcessEnv = process.env): { name: string; questions: McQuestion[] } {
  const m = /^mmlu-pro(?::(\w+))?$/.exec(spec);
  if (!m) return { name: spec, questions: loadJsonl(resolve(spec)) };
  const split = m[1] ?? 'test';
  const dir = resolveMmluProDir(dataDir, env);
  if (split === 'all') return { name: 'mmlu-pro:all', questions: SPLITS.flatMap((s) => loadJsonl(resolve(dir, `${s}.jsonl`))) };
  if (!(SPLITS as readonly string[]).includes(split)) throw new DatasetError(`unknown MMLU-Pro split "${split}"; expected one of ${[...SPLITS, 'all'].join(', ')}`);
  return { name: `mmlu-pro:${split}`, questions: loadJsonl(resolve(dir, `${split}.jsonl`)) };
}

/** Instruction of the zero-shot chain-of-thought MMLU-Pro prompt (the category is deliberately not named: the router must infer it). */
export const PROMPT_INSTRUCTION =
  'The following is a multiple choice question. Think step by step and then finish your answer with "The answer is (X)" where X is the correct letter choice.';

/** The user message for one question: instruction, question, options lettered A–J. */
export function buildPrompt(q: McQuestion): string {
  const opts = q.options.map((o, i) => `${LETTERS[i]}. ${o}`).join('\n');
  return `${PROMPT_INSTRUCTION}\n\nQuestion: ${q.question}\nOptions:\n${opts}\n`;
}

/** Recover the question text from a prompt built by {@link buildPrompt} (used by the simulated model). */
export function questionFromPrompt(prompt: string): string | undefined {
  const m = /Question: ([\s\S]*?)\nOptions:\n/.exec(prompt);
  return m?.[1];
}

export type ExtractionMethod = 'pattern' | 'bare' | 'fallback' | 'failed';

export interface Extraction {
  readonly letter: string | null;
  readonly method: ExtractionMethod;
}

/**
 * Extract the chosen letter from a model answer. In order:
 * 1. `pattern`: the last "answer is (X)" / "answer: X" / "\boxed{X}" phrase;
 * 2. `bare`: the whole answer is one letter, e.g. `B`, `(B)`, `B.`;
 * 3. `fallback`: the last standalone capital letter in range (parenthesised letters preferred);
 * otherwise `failed` (letter null). Letters outside the question's options are never returned.
 */
export function extractAnswer(text: string | null | undefined, optionCount = 10): Extraction {
  if (!text) return { letter: null, method: 'failed' };
  const valid = LETTERS.slice(0, Math.max(1, Math.min(10, optionCount)));
  const ok = (l: string | undefined): l is string => !!l && valid.includes(l);
  const cleaned = text.replace(/\*\*/g, '').replace(/<think>[\s\S]*?<\/think>/g, '');
  const patterns = [
    /answer\s+is\s*:?\s*\(?\s*([A-J])\s*\)?(?![a-zA-Z])/gi,
    /answer\s*:\s*\(?\s*([A-J])\s*\)?(?![a-zA-Z])/gi,
    /\\boxed\{\s*\(?([A-J])\)?\s*\}/g,
  ];
  let best: { index: number; letter: string } | undefined;
  for (const re of patterns) {
    for (const m of cleaned.matchAll(re)) {
      const letter = m[1]?.toUpperCase();
      if (ok(letter) && (!best || m.index > best.index)) best = { index: m.index, letter };
    }
  }
  if (best) return { letter: best.letter, method: 'pattern' };
  const bare = /^\s*\(?\s*([A-J])\s*\)?\s*[.:]?\s*$/i.exec(cleaned)?.[1]?.toUpperCase();
  if (ok(bare)) return { letter: bare, method: 'bare' };
  const paren = [...cleaned.matchAll(/\(([A-J])\)/g)].map((m) => m[1]).filter(ok);
  if (paren.length) return { letter: paren[paren.length - 1] as string, method: 'fallback' };
  const tail = /(?<![A-Za-z'’])([A-J])\s*[.)]?\s*$/.exec(cleaned);
  if (ok(tail?.[1])) return { letter: tail[1], method: 'fallback' };
  const standalone = [...cleaned.matchAll(/(?<![A-Za-z'’])([A-J])(?![A-Za-z'’])/g)].map((m) => m[1]).filter(ok);
  // "A" and "I" are English words; only accept them as a fallback when something else is not available and they are not sentence-initial prose.
  const filtered = standalone.filter((l) => l !== 'A' && l !== 'I');
  const pick = filtered.length ? filtered[filtered.length - 1] : undefined;
  if (pick) return { letter: pick, method: 'fallback' };
  return { letter: null, method: 'failed' };
}
