/**
 * Russian typed in Latin letters ("ne mogu zayti v pochtu", "appka vyletaet"), as people write on a
 * phone without a Cyrillic layout. A message with no Cyrillic letter and at least two Russian function
 * words in their usual Latin spelling is read back into Cyrillic by the common transliteration
 * (digraphs first, "y" as "й" after a vowel and "ы" elsewhere), so the Russian stems, word forms and
 * terms apply to it. English never uses these words, so an English message is left as it is. The
 * Latin words of the keyword config's `target` section (the service's names, competitors and other
 * services as written in Latin: "skymail", "gmail", "netflix") stay as written, so "skymail opyat ne
 * rabotaet" is still about us.
 *
 * @example fromTranslit('ne mogu zayti v pochtu') // → 'не могу зайти в почту'
 */
import { isCyrillic } from './language.js';

/** Russian function and everyday words in Latin letters; two distinct ones mark a message as Russian. */
const MARKERS: ReadonlySet<string> = new Set([
  'ne', 'ni', 'chto', 'uzhe', 'eto', 'pochemu', 'opyat', 'menya', 'mne', 'nichego', 'kak', 'tozhe', 'seychas', 'voobshe', 'voobshche',
  'vsyo', 'vse', 'ya', 'nikak', 'pochta', 'pochtu', 'pochty', 'pochte', 'pismo', 'pisma', 'pisem', 'ochen', 'postoyanno', 'rabotaet', 'mogu',
]);
/** A Latin word: a run of letters and apostrophes (the soft sign, "pis'mo"). */
const WORD = /[a-z']+/g;
/**
 * The markers as whole words, any case, in one pattern: most messages hold none, and a native regex scan
 * finds that without lower-casing the message or cutting it into words (this runs on every message).
 */
const MARKER_WORD = new RegExp(`(?<![a-z'])(?:${[...MARKERS].join('|')})(?![a-z'])`, 'gi');

/** True when `text` is Russian written in Latin letters (no Cyrillic, two distinct marker words). */
export function isTranslit(text: string): boolean {
  if (isCyrillic(text)) return false;
  let first: string | null = null;
  for (const m of text.matchAll(MARKER_WORD)) {
    const word = m[0].toLowerCase();
    if (first === null) first = word;
    else if (word !== first) return true;
  }
  return false;
}

/** The Latin words of `text`, lower-cased. */
export function latinWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

const DIGRAPHS: ReadonlyArray<readonly [string, string]> = [
  ['shch', 'щ'], ['sch', 'щ'], ['zh', 'ж'], ['kh', 'х'], ['ch', 'ч'], ['sh', 'ш'], ['ts', 'ц'], ['yu', 'ю'], ['ya', 'я'], ['yo', 'ё'], ['ju', 'ю'], ['ja', 'я'],
];
const LETTERS: Readonly<Record<string, string>> = {
  a: 'а', b: 'б', v: 'в', g: 'г', d: 'д', e: 'е', z: 'з', i: 'и', j: 'й', k: 'к', l: 'л', m: 'м', n: 'н', o: 'о', p: 'п', r: 'р', s: 'с', t: 'т',
  u: 'у', f: 'ф', h: 'х', c: 'ц', w: 'в', x: 'кс', q: 'к', "'": 'ь',
};
const VOWELS = 'aeiouy';

/** One lower-case Latin word in Cyrillic letters. */
function wordFromTranslit(word: string): string {
  let out = '';
  let i = 0;
  outer: while (i < word.length) {
    for (const [latin, cyrillic] of DIGRAPHS) {
      if (word.startsWith(latin, i)) {
        out += cyrillic;
        i += latin.length;
        continue outer;
      }
    }
    const ch = word[i] as string;
    if (ch === 'y') out += i > 0 && VOWELS.includes(word[i - 1] as string) ? 'й' : 'ы';
    else out += LETTERS[ch] ?? ch;
    i++;
  }
  return out;
}

/**
 * `text` with every Latin word read as transliterated Russian (the rest kept), but for the words in
 * `keep`: names that are written in Latin letters in Russian too ("skymail", "netflix").
 */
export function fromTranslit(text: string, keep: ReadonlySet<string> = NO_WORDS): string {
  return text.toLowerCase().replace(WORD, (word) => (keep.has(word) ? word : wordFromTranslit(word)));
}

const NO_WORDS: ReadonlySet<string> = new Set();
