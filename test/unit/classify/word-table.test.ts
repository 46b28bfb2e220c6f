/**
 * The analyser's word lookup by position (word-table.ts) and the scanner it shares with `tokenise`:
 * the same words as `tokenise` cuts, each looked up without a substring; a full table empties itself;
 * hash collisions still find the right word. The memo slots a model fills stay its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Analyser } from '../../../src/classify/analyse.js';
import { compileKeywords, createClassifier, normaliseText, stemWord, tokenise, trainLearned } from '../../../src/classify/index.js';
import { hashOf, WordTable } from '../../../src/classify/word-table.js';
import { loadKeywords } from '../../../src/config/keywords.js';

const FIXTURES = new URL('../../fixtures/labelled/', import.meta.url);
const texts = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) => readFileSync(new URL(f, FIXTURES), 'utf8').split('\n').filter((l) => l.trim() !== ''))
  .map((l) => (JSON.parse(l) as { text: string }).text);

describe('WordTable', () => {
  it('finds a word by its position in a longer text, and only that word', () => {
    const table = new WordTable<number>(10);
    table.set('mail', hashOf('mail', 0, 4), 1);
    const text = 'my mail mailbox';
    expect(table.get(text, 3, 7, hashOf(text, 3, 7))).toBe(1);
    expect(table.get(text, 8, 15, hashOf(text, 8, 15))).toBeUndefined();
    expect(table.get(text, 8, 12, hashOf(text, 8, 12))).toBe(1); // "mail" inside "mailbox", by position
  });

  it('tells words with the same hash apart', () => {
    const table = new WordTable<string>(10);
    // Forced collisions: the same hash for different words must compare the characters.
    table.set('alpha', 7, 'a');
    table.set('omega', 7, 'o');
    table.set('omeg', 7, 'short');
    expect(table.get('omega', 0, 5, 7)).toBe('o');
    expect(table.get('alpha', 0, 5, 7)).toBe('a');
    expect(table.get('omeg', 0, 4, 7)).toBe('short');
    expect(table.get('delta', 0, 5, 7)).toBeUndefined();
  });

  it('empties itself when full and refills', () => {
    const table = new WordTable<number>(3);
    for (const [i, w] of ['a', 'b', 'c'].entries()) table.set(w, hashOf(w, 0, 1), i);
    expect(table.size).toBe(3);
    table.set('d', hashOf('d', 0, 1), 3);
    expect(table.size).toBe(1);
    expect(table.get('a', 0, 1, hashOf('a', 0, 1))).toBeUndefined();
    expect(table.get('d', 0, 1, hashOf('d', 0, 1))).toBe(3);
  });
});

describe('Analyser (word lookup by position)', () => {
  it('stems exactly the words tokenise cuts, on every fixture text, with a small table that empties often', () => {
    const analyser = new Analyser({ vocabulary: [], negators: [], contrast: [], negationWindow: 0, typoMinLength: 1_000, maxCachedWords: 50 });
    for (const text of texts) {
      const expected = tokenise(normaliseText(text)).words.map((w) => (/^[0-9]+$/.test(w) ? '0' : stemWord(w)));
      expect(analyser.analyse(text).stems, text).toEqual(expected);
      expect(analyser.analyse(text).stems, text).toEqual(expected); // again, from the table
    }
  });

  it('a classifier scores the same whichever model filled the words’ memo slots last', () => {
    const keywords = compileKeywords(loadKeywords());
    const sample = texts.slice(0, 300);
    const train = (flip: number) => trainLearned(sample.map((text, i) => ({ text, complaint: i % flip === 0, category: null })), { keywords });
    const learnedA = train(2);
    const learnedB = train(3);
    // References: each model on its own compiled keywords (its own analyser, its own words' slots).
    const alone = (learned: typeof learnedA) => {
      const c = createClassifier({ keywords: compileKeywords(loadKeywords()), learned });
      return sample.map((t) => c.classify(t).score);
    };
    const scoresA = alone(learnedA);
    const scoresB = alone(learnedB);
    expect(scoresA).not.toEqual(scoresB);
    // Both on one analyser (the same words' slots), interleaved: each still scores as alone.
    const a = createClassifier({ keywords, learned: learnedA });
    const b = createClassifier({ keywords, learned: learnedB });
    const interleaved = sample.map((t) => [a.classify(t).score, b.classify(t).score]);
    expect(interleaved.map((x) => x[0])).toEqual(scoresA);
    expect(interleaved.map((x) => x[1])).toEqual(scoresB);
  });
});
