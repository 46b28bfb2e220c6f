/**
 * Made-up authors for the demo: a hashed-looking author id (`h:` + 24 hex, like `hashAuthor` makes) and,
 * for tweets, a plausible handle and status link. Authors are drawn from a large pool with a skew, so a
 * few people write more than once, as in life.
 */
import { fmix32, hashKey, type Rand } from './prng.js';

const SALT_AUTHOR = 31;
const POOL = 2_000_000;
/** Twitter's snowflake epoch (2010-11-04). */
const TWITTER_EPOCH = 1288834974657n;

const FIRST = ['anna', 'dima', 'olga', 'mike', 'kate', 'alex', 'sergey', 'masha', 'john', 'emma', 'ivan', 'nastya', 'pavel', 'lena', 'tom', 'sara', 'max', 'yulia', 'artem', 'nick', 'vika', 'dan', 'irina', 'liz', 'oleg', 'sam', 'katya', 'ben', 'zhenya', 'amy'];
const SECOND = ['k', 'petrova', 'smith', 'dev', 'ivanov', 'lee', 'm', 'design', 'sokolova', 'brown', 'v', 'photo', 'kuz', 'jones', 'travel', 'z', 'orlov', 'g', 'music', 'w'];

function hex8(n: number): string {
  return ((n >>> 0) + 0x100000000).toString(16).slice(1);
}

/** One author (pool index) for a message. */
export function drawAuthor(rand: Rand): number {
  const u = rand();
  return Math.floor(POOL * u * u);
}

/** `h:` + 24 hex characters, stable for (seed, author). */
export function authorId(seed: number, author: number): string {
  const a = hashKey(seed, SALT_AUTHOR, author);
  const b = fmix32(a ^ 0x5bd1e995);
  const c = fmix32(b + 0x27d4eb2f);
  return `h:${hex8(a)}${hex8(b)}${hex8(c)}`;
}

/** A made-up Twitter handle, stable for (seed, author). */
export function authorHandle(seed: number, author: number): string {
  const h = hashKey(seed, SALT_AUTHOR, author, 4);
  const first = FIRST[h % FIRST.length] ?? 'user';
  const second = SECOND[(h >>> 8) % SECOND.length] ?? 'x';
  const digits = (h >>> 16) % 4 === 0 ? '' : String((h >>> 18) % 100);
  const sep = (h >>> 24) % 2 === 0 ? '_' : '';
  return `${first}${sep}${second}`.slice(0, 15 - digits.length) + digits; // handles are at most 15 characters
}

/** A snowflake-style status id for a tweet written at `createdMs` (the low bits from `salt`). */
export function tweetStatusId(createdMs: number, salt: number): string {
  return ((BigInt(createdMs) - TWITTER_EPOCH) * 4194304n + BigInt(salt & 0x3fffff)).toString();
}

export function tweetLink(handle: string, statusId: string): string {
  return `https://x.com/${handle}/status/${statusId}`;
}
