import { describe, expect, it } from 'vitest';
import { searchTerms } from '../../../src/classify/search-terms.js';
import { ftsMatch, indexedStems, MAX_QUERY_TERMS, tsQuery } from '../../../src/store/message-search.js';

describe('searchTerms', () => {
  it('stems Russian and English words the same way for the index and the query', () => {
    expect(searchTerms('пароля')).toEqual(searchTerms('пароль'));
    expect(searchTerms('Crashing')).toEqual(searchTerms('crash'));
    expect(searchTerms('Ёлка')).toEqual(searchTerms('елка'));
    expect(searchTerms('login не работает, login')).toEqual(['login', 'не', 'работа']);
    expect(indexedStems('The app keeps crashing')).toBe('the app keep crash');
  });

  it('keeps each stem once, in order of first appearance, in short and long texts alike', () => {
    const words = Array.from({ length: 60 }, (_, i) => `слово${i % 40} word${i % 7}`).join(', ');
    const expected = [...new Set(words.split(/[ ,]+/).map((w) => searchTerms(w)[0]))];
    expect(searchTerms(words)).toEqual(expected);
    expect(searchTerms(`${words} ${words}`)).toEqual(expected);
    // The same words again, now known to the table, inside other text.
    expect(searchTerms('x слово3, word5 слово3')).toEqual(['x', ...searchTerms('слово3'), ...searchTerms('word5')]);
  });

  it('keeps only letters and digits, so no query syntax survives', () => {
    for (const q of ['"', "'", '*', '^', '(', ')', ':', '\\', '%', '_', '&', '|', '!', '<->', '-', '{', '}', ';', '--']) expect(searchTerms(q), q).toEqual([]);
    for (const stem of searchTerms('NEAR(a b) "x"* ^y body:z \'; drop table messages; -- a&b|c:*')) expect(stem).toMatch(/^[\p{L}\p{N}]+$/u);
  });
});

describe('ftsMatch and tsQuery', () => {
  it('quote every stem and AND them; no word is no query', () => {
    expect(ftsMatch('NEAR(пароля crashing)')).toBe('"near" AND "парол" AND "crash"');
    expect(tsQuery("пароля & crashing'")).toBe("'парол' & 'crash'");
    expect(ftsMatch('"*^()"')).toBeNull();
    expect(tsQuery(' !:* ')).toBeNull();
    expect(ftsMatch('')).toBeNull();
  });

  it('use at most MAX_QUERY_TERMS words', () => {
    const q = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(ftsMatch(q)?.split(' AND ')).toHaveLength(MAX_QUERY_TERMS);
    expect(tsQuery(q)?.split(' & ')).toHaveLength(MAX_QUERY_TERMS);
  });
});
