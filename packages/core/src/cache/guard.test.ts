import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardVerdict, promptSignature, stem } from './guard.js';

const verdict = (a: string, b: string) => guardVerdict(promptSignature(a), promptSignature(b));

describe('lexical guard', () => {
  it.each([
    ['What is the capital of France?', 'What is the capital of Germany?', 'word_swapped'],
    ['How do I reverse a list in Python?', 'How do I reverse a string in Python?', 'word_swapped'],
    ['What is 17 times 23?', 'What is 17 times 24?', 'numbers_differ'],
    ['When did World War II end?', 'When did World War I end?', 'numbers_differ'],
    ['How do I convert a string to an integer?', 'How do I convert an integer to a string?', 'word_swapped'],
    ['How do I make an HTTP GET request?', 'How do I make an HTTP POST request?', 'word_swapped'],
    ['How do I sort a list in Python?', 'How do I sort a list in descending order in Python?', 'too_many_extra_words'],
    ['What is the capital of France?', 'What is the population of the capital of France?', 'too_many_extra_words'],
    ['What is the largest city in France?', 'What is the largest country in Europe?', 'word_swapped'],
  ])('near-miss %j / %j → %s', (a, b, why) => expect(verdict(a, b)).toBe(why));

  it.each([
    ['What is the capital of France?', 'Which city is the capital of France?'],
    ['How do I reverse a list in Python?', 'In Python, how can I reverse a list?'],
    ['What is the largest planet?', 'Which planet is the biggest?'],
    ['How many days are in 3 weeks?', 'How many days are there in three weeks?'],
    ['What is 17 times 23?', 'Calculate 17 multiplied by 23.'],
    ['How do I convert a string to an integer?', 'How can I turn a string into an integer?'],
  ])('paraphrase %j / %j passes', (a, b) => expect(verdict(a, b)).toBeUndefined());

  it('is symmetric, and every text passes against itself and its upper-case copy', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 }), (a, b) => {
        expect(verdict(a, b)).toBe(verdict(b, a));
        expect(verdict(a, a)).toBeUndefined();
        expect(verdict(a, a.toUpperCase())).toBeUndefined();
      }),
    );
  });

  it('signatures hold hashes only, sorted and unique', () => {
    const s = promptSignature('Reverse reversing REVERSED list lists 3 three');
    expect(s.words.length).toBe(2);
    expect(s.numbers.length).toBe(1);
    expect(JSON.stringify(s)).not.toMatch(/revers|list/);
  });

  it('stems plural and verb endings', () => {
    expect(stem('dictionaries')).toBe(stem('dictionary'));
    expect(stem('reversing')).toBe(stem('reverse'));
    expect(stem('boxes')).toBe(stem('box'));
  });
});
