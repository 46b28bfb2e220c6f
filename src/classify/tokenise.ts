/**
 * Splits normalised text into words and emoji, and marks clause boundaries (sentence punctuation,
 * commas, new lines) which end a negation's scope and which phrases never cross. Hyphens and
 * apostrophes separate words ("e-mail" → "e", "mail"), both in messages and in config phrases.
 */

export interface Tokens {
  /** Words (lower case, unstemmed) and emoji, in order. */
  readonly words: string[];
  /** `clauseStart[i]` is true when a boundary precedes `words[i]`. */
  readonly clauseStart: boolean[];
}

const TOKEN = /[\p{L}\p{N}]+|\p{Extended_Pictographic}|[.!?;:,()\n]/gu;

export function tokenise(normalised: string): Tokens {
  const words: string[] = [];
  const clauseStart: boolean[] = [];
  let boundary = true;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(normalised); m !== null; m = TOKEN.exec(normalised)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    if (t.length === 1 && (c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3b || c === 0x3a || c === 0x2c || c === 0x28 || c === 0x29 || c === 0x0a)) {
      boundary = true;
      continue;
    }
    words.push(t);
    clauseStart.push(boundary);
    boundary = false;
  }
  return { words, clauseStart };
}

/** True for a single emoji token (as produced by `tokenise`). */
export function isEmoji(word: string): boolean {
  const c = word.codePointAt(0) ?? 0;
  return c >= 0x2190 && !(c >= 0x400 && c <= 0x4ff) && !/^[\p{L}\p{N}]/u.test(word);
}
