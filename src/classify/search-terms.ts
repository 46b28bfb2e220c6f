import { sharedStemCache } from './stem.js';

/** Characters that are not part of a word for search: everything but letters and digits. */
const SEPARATOR = /[^\p{L}\p{N}]+/u;

/**
 * PURE: the stemmed words of a text for full-text search, each once, in order of first appearance.
 * One function for both sides: the store indexes the stems of every message with it, and stems a
 * search query with it, so "пароля" finds "пароль" and "crashing" finds "crash" on SQLite and
 * PostgreSQL alike. NFKC, lower case and ё → е first; words are runs of letters and digits (anything
 * else separates words, so a stem never holds a character a full-text engine gives meaning to).
 *
 * @example searchTerms('Не могу войти: пароля нет!') // → ['не', 'мог', 'войт', 'парол', 'нет']
 */
export function searchTerms(text: string): string[] {
  const seen = new Set<string>();
  for (const word of text.normalize('NFKC').toLowerCase().replace(/ё/g, 'е').split(SEPARATOR)) {
    if (word === '') continue;
    seen.add(sharedStemCache.stem(word));
  }
  return [...seen];
}
