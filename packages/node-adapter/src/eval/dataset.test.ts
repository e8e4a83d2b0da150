import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPrompt, DatasetError, extractAnswer, loadDataset, questionFromPrompt, resolveMmluProDir } from './dataset.js';

describe('extractAnswer', () => {
  it.each([
    ['Step by step... The answer is (C).', 'C', 'pattern'],
    ['the answer is D', 'D', 'pattern'],
    ['**Answer:** (B)', 'B', 'pattern'],
    ['Answer: J', 'J', 'pattern'],
    ['I first thought the answer is (A) but the answer is (E).', 'E', 'pattern'],
    ['So the final answer is \\boxed{G}', 'G', 'pattern'],
    ['B', 'B', 'bare'],
    ['(H)', 'H', 'bare'],
    ['f.', 'F', 'bare'],
    ['so the best choice is (D) given the units', 'D', 'fallback'],
    ['after elimination we get C', 'C', 'fallback'],
    ['after elimination we are left with A.', 'A', 'fallback'],
  ])('%s → %s (%s)', (text, letter, method) => {
    expect(extractAnswer(text)).toEqual({ letter, method });
  });

  it('fails instead of guessing', () => {
    expect(extractAnswer('')).toEqual({ letter: null, method: 'failed' });
    expect(extractAnswer(null)).toEqual({ letter: null, method: 'failed' });
    expect(extractAnswer('I am not sure about this one, sorry.')).toEqual({ letter: null, method: 'failed' });
    expect(extractAnswer('Let me reconsider the remaining options once more')).toEqual({ letter: null, method: 'failed' });
  });

  it('never returns a letter outside the options', () => {
    expect(extractAnswer('The answer is (H)', 4)).toEqual({ letter: null, method: 'failed' });
    expect(extractAnswer('The answer is (H). Or maybe (B)', 4)).toEqual({ letter: 'B', method: 'fallback' });
  });

  it('ignores <think> blocks left in content', () => {
    expect(extractAnswer('<think>the answer is (A)?</think>The answer is (C)')).toEqual({ letter: 'C', method: 'pattern' });
  });
});

describe('prompt', () => {
  const q = { question_id: '1', question: 'What is 2+2?', options: ['3', '4', '5'], answer: 'B', category: 'math' };
  it('letters the options and round-trips the question', () => {
    const p = buildPrompt(q);
    expect(p).toContain('A. 3\nB. 4\nC. 5');
    expect(p).toContain('"The answer is (X)"');
    expect(p).not.toContain('math');
    expect(questionFromPrompt(p)).toBe('What is 2+2?');
  });
});

describe('loadDataset', () => {
  it('names every place tried when MMLU-Pro is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'semroute-ds-'));
    // Only the explicit dir and env are wrong here; the repo default may exist, so test the error via a split name too.
    expect(() => loadDataset('mmlu-pro:nope', empty, { SEMROUTE_DATA_DIR: empty })).toThrow(/(MMLU-Pro not found|unknown MMLU-Pro split)/);
    try {
      resolveMmluProDir(join(empty, 'missing'), { SEMROUTE_DATA_DIR: join(empty, 'also-missing') });
    } catch (err) {
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as Error).message).toMatch(/--data-dir/);
      expect((err as Error).message).toMatch(/SEMROUTE_DATA_DIR/);
    }
  });

  it('reads a FILE.jsonl and reports schema problems with file:line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'semroute-ds-'));
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `${JSON.stringify({ question_id: 7, question: 'q?', options: ['a', 'b'], answer: 'B', category: 'law', src: 'x' })}\n\n`);
    expect(loadDataset(good).questions).toEqual([{ question_id: '7', question: 'q?', options: ['a', 'b'], answer: 'B', category: 'law', src: 'x' }]);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ question_id: 7, question: 'q?', options: ['a', 'b'], answer: 'E', category: 'law' })}\n`);
    expect(() => loadDataset(bad)).toThrow(/bad\.jsonl:1: .*answer within options/);
    expect(() => loadDataset(join(dir, 'nope.jsonl'))).toThrow(/dataset file not found/);
  });
});
