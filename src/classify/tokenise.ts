/**
 * Splits normalised text into words and emoji, and marks clause boundaries (sentence punctuation,
 * commas, brackets, new lines, a dash between words: "не приходили — сегодня всё пришло") which end a
 * negation's scope and which phrases never cross. Hyphens
 * and apostrophes separate words ("e-mail" → "e", "mail"), both in messages and in config phrases.
 * A hand-written scanner (ASCII, Latin-1, Cyrillic fast paths; `\p{L}` only for other scripts).
 */

export interface Tokens {
  /** Words (lower case, unstemmed) and emoji, in order. */
  readonly words: string[];
  /** `clauseStart[i]` is true when a boundary precedes `words[i]`. */
  readonly clauseStart: boolean[];
}

const OTHER_LETTER = /[\p{L}\p{N}]/u;

function isWordChar(c: number, ch: string): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
  if (c >= 0x400 && c <= 0x4ff) return true;
  if (c >= 0xc0 && c <= 0x24f) return c !== 0xd7 && c !== 0xf7;
  if (c >= 0x2000 && c <= 0x2bff) return false;
  return OTHER_LETTER.test(ch);
}

function isBoundary(c: number): boolean {
  return c === 0x2e || c === 0x21 || c === 0x3f || c === 0x3b || c === 0x3a || c === 0x2c || c === 0x28 || c === 0x29 || c === 0x0a || c === 0x2026;
}

/**
 * A dash set apart by spaces ("письма не приходят — сегодня всё пришло", "down all day - back now")
 * joins two clauses, as a comma does; a dash or hyphen inside a word ("e-mail", "что-то") does not.
 */
function isDashBetweenWords(text: string, i: number, c: number): boolean {
  if (c !== 0x2014 && c !== 0x2013 && c !== 0x2d) return false;
  return text.charCodeAt(i - 1) === 0x20 && text.charCodeAt(i + 1) === 0x20;
}

/** Emoji and pictographs (Extended_Pictographic ranges, approximately). */
function isPictograph(cp: number): boolean {
  return (cp >= 0x1f000 && cp <= 0x1faff && !(cp >= 0x1f3fb && cp <= 0x1f3ff)) || (cp >= 0x2600 && cp <= 0x27bf) || (cp >= 0x2b00 && cp <= 0x2bff) || cp === 0x2764;
}

/** What `scanTokens` reports, in order. */
export interface TokenVisitor {
  /** A word: `normalised.slice(start, end)` (not sliced here: a visitor that looks words up need not). */
  word(normalised: string, start: number, end: number, clauseStart: boolean): void;
  /** An emoji token. */
  emoji(token: string, clauseStart: boolean): void;
  /** A boundary character (sentence punctuation, comma, bracket, new line), by its code. */
  boundary?(c: number): void;
}

/** The scanner behind `tokenise`: reports each word (by position) and emoji, with its clause start. */
export function scanTokens(normalised: string, visitor: TokenVisitor): void {
  let boundary = true;
  const n = normalised.length;
  let i = 0;
  while (i < n) {
    const c = normalised.charCodeAt(i);
    if (isWordChar(c, normalised[i] as string)) {
      const start = i;
      i++;
      while (i < n) {
        const d = normalised.charCodeAt(i);
        if (!isWordChar(d, normalised[i] as string)) break;
        i++;
      }
      visitor.word(normalised, start, i, boundary);
      boundary = false;
      continue;
    }
    if (isBoundary(c) || isDashBetweenWords(normalised, i, c)) {
      boundary = true;
      visitor.boundary?.(c);
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const cp = normalised.codePointAt(i) as number;
      if (isPictograph(cp)) {
        visitor.emoji(String.fromCodePoint(cp), boundary);
        boundary = false;
      }
      i += 2;
      continue;
    }
    if (c >= 0x2600 && isPictograph(c)) {
      visitor.emoji(normalised[i] as string, boundary);
      boundary = false;
    }
    i++;
  }
}

export function tokenise(normalised: string): Tokens {
  const words: string[] = [];
  const clauseStart: boolean[] = [];
  scanTokens(normalised, {
    word(text, start, end, boundary) {
      words.push(text.slice(start, end));
      clauseStart.push(boundary);
    },
    emoji(token, boundary) {
      words.push(token);
      clauseStart.push(boundary);
    },
  });
  return { words, clauseStart };
}

/** True for a single emoji token (as produced by `tokenise`). */
export function isEmoji(word: string): boolean {
  const cp = word.codePointAt(0) ?? 0;
  return isPictograph(cp);
}
