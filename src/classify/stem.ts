import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import PorterStemmerRu from 'natural/lib/natural/stemmers/porter_stemmer_ru.js';
import { isCyrillic } from './language.js';

/**
 * Stems the Russian stemmer cuts longer words down to that are themselves very common words of another
 * kind: "какой", "такой", "самый" would stem to the adverbs and pronoun "как", "так", "сам" and match every
 * one of them. A longer word with such a stem gets the stem with "~" ("как~": every form of "какой", never
 * "как").
 */
const FUNCTION_WORD_STEMS: ReadonlySet<string> = new Set(['как', 'так', 'сам', 'вот', 'там', 'тут', 'где', 'кто', 'что', 'чем']);
/**
 * Russian words that never change form but that the stemmer cuts to a noun's stem: the adverb "почти"
 * ("almost") would stem to "почт" and read as "почта" (mail). They are kept whole.
 */
const UNCHANGING_WORDS: ReadonlySet<string> = new Set(['почти']);

/**
 * Stems one lower-case word with the stemmer of its script (Cyrillic → PorterStemmerRu, otherwise
 * PorterStemmer), so mixed en/ru messages get both. Words shorter than 3 letters, numbers and emoji
 * are kept as they are, and so are English "-ly" adverbs the stemmer would fold into another word.
 *
 * @example stemWord('тормозит') // → 'тормоз'
 */
export function stemWord(word: string): string {
  if (word.length < 3) return word;
  const first = word.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return word;
  if (!isCyrillic(word)) {
    const stem = PorterStemmer.stem(word);
    // An adverb the stemmer cuts back to another word ("lately" → "late", "likely" → "like", "lovely" →
    // "love") keeps its "-ly": "spam has been fine lately" says nothing of mail arriving late.
    return word.length === stem.length + 2 && word.endsWith('ly') && word.startsWith(stem) ? word : stem;
  }
  if (UNCHANGING_WORDS.has(word)) return word;
  const stem = PorterStemmerRu.stem(word);
  return stem !== word && FUNCTION_WORD_STEMS.has(stem) ? `${stem}~` : stem;
}

/**
 * The engine's one copy of a string (property names are interned): stems looked up in maps over and
 * over (the learned layer's weights) then hash and compare as one object, not character by character.
 * Same value; only lookups get cheaper.
 */
export function intern(s: string): string {
  const holder: Record<string, 0> = { [s]: 0 };
  for (const key in holder) return key;
  return s;
}

/**
 * A bounded memo of `stemWord`: word frequencies are Zipfian, so a few thousand entries catch most
 * words. When full it is emptied and refilled (cheaper than LRU bookkeeping, same hit rate in practice).
 */
export class StemCache {
  private readonly map = new Map<string, string>();
  constructor(readonly maxSize = 50_000) {}

  stem(word: string): string {
    let stem = this.map.get(word);
    if (stem === undefined) {
      stem = intern(stemWord(word));
      if (this.map.size >= this.maxSize) this.map.clear();
      this.map.set(word, stem);
    }
    return stem;
  }

  get size(): number {
    return this.map.size;
  }
}

/** The process-wide stem cache shared by every compiled model (stems do not depend on the config). */
export const sharedStemCache = new StemCache();
