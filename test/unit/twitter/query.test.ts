import { describe, expect, it } from 'vitest';
import { buildQuery } from '../../../src/sources/twitter/query.js';

describe('buildQuery', () => {
  it.each([
    [{ query: '"mail.ru" down', excludeRetweets: true }, '"mail.ru" down -is:retweet'],
    [{ query: '"mail.ru" (не работает OR упала OR down) -is:retweet', excludeRetweets: true }, '"mail.ru" (не работает OR упала OR down) -is:retweet'],
    [{ query: 'mail down', excludeRetweets: false }, 'mail down'],
    [{ query: 'a OR b', excludeRetweets: true }, '(a OR b) -is:retweet'],
    [{ query: '"a OR b" c', excludeRetweets: true }, '"a OR b" c -is:retweet'],
    [{ query: 'mail -IS:RETWEET', excludeRetweets: true }, 'mail -IS:RETWEET'],
    [{ query: 'mail', excludeRetweets: true, languages: ['en', 'ru'] }, 'mail -is:retweet (lang:en OR lang:ru)'],
    [{ query: 'mail', excludeRetweets: false, languages: ['ru'] }, 'mail lang:ru'],
    [{ query: 'mail lang:ru', excludeRetweets: false, languages: ['en'] }, 'mail lang:ru'],
  ])('%j → %s', (config, expected) => {
    expect(buildQuery(config)).toBe(expected);
  });
});
