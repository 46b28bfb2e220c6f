/**
 * Full-text search over message text, one shape on both databases: the stems of `searchTerms` are
 * indexed (SQLite: the FTS5 table `messages_fts`, rowid = the message's rowid; PostgreSQL: the tsvector
 * column `messages.search` under a GIN index, the stems taken as lexemes (`searchVectorSql`, `::tsquery`) so the
 * database adds no parsing or stemming of its own), and a query is stemmed by the same function. The query text is
 * attacker-controlled: it never reaches the engine's syntax. Each stem is a run of letters and digits,
 * quoted as a string anyway; a message matches when it holds every stem of the query (words AND-ed).
 * Whole stems, not prefixes: a prefix of a frequent stem makes the engine merge every term under it on
 * each lookup (SQLite: 5 ms per message checked at 100,000 messages, against 10 µs for a whole stem).
 */
import { sql, type RawBuilder } from 'kysely';
import { searchTerms } from '../classify/search-terms.js';

/** At most this many words of a query are used (a query is at most 200 characters). */
export const MAX_QUERY_TERMS = 16;

/** What the index holds for a text: its stems, space-separated ('' for an empty or blanked text). */
export function indexedStems(text: string): string {
  return searchTerms(text).join(' ');
}

/** PostgreSQL's limit on one lexeme, in bytes: to_tsvector skipped longer words; a cast refuses them. */
const MAX_LEXEME_BYTES = 2046;

/**
 * PostgreSQL: what `messages.search` holds for a text, as the stems space-separated (made a tsvector by
 * `searchVectorSql`: no parser, no dictionary, no positions: a search ANDs whole stems), or null for an
 * empty or blanked text. Each stem is a run of letters and digits (searchTerms), which is also what
 * tsvector input (`::tsvector`) takes as one lexeme. A lexeme too long for PostgreSQL is left out, as
 * to_tsvector left it out (a tsvector cannot hold it: the whole row would be refused).
 */
export function searchVector(text: string): string | null {
  if (text === '') return null;
  const stems = searchTerms(text);
  for (const stem of stems) if (stem.length * 3 > MAX_LEXEME_BYTES) return stems.filter((s) => Buffer.byteLength(s, 'utf8') <= MAX_LEXEME_BYTES).join(' ');
  return stems.join(' ');
}

/**
 * PostgreSQL: the tsvector of a `searchVector` value (a parameter or a column): split at its spaces
 * into lexemes taken as they are (`array_to_tsvector`). The same tsvector as the `::tsvector` cast of
 * it, for less than half the server's CPU: tsvector input looks at every character (its length and
 * whether it is a space, by a wide-character conversion for each Cyrillic one), the split only for the
 * spaces. Both cost a fraction of what `to_tsvector('simple', …)` of the same stems did.
 */
export function searchVectorSql(value: string | null | RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`array_to_tsvector(string_to_array(${value}, ' '))`;
}

/** A lexeme inside single quotes (tsquery input): backslashes and quotes escaped. */
function quoteLexeme(stem: string): string {
  return stem.includes('\\') || stem.includes("'") ? stem.replace(/\\/g, '\\\\').replace(/'/g, "''") : stem;
}

function queryTerms(q: string): string[] {
  return searchTerms(q).slice(0, MAX_QUERY_TERMS);
}

/**
 * Is a search with `matches` matches among `rows` messages frequent, so that checking message by message
 * while walking newest first fills a page of `limit` sooner than looking every match up? The walk checks
 * about (limit + 1) × rows / matches messages (~10 µs each on SQLite), the look-up fetches every match
 * (~3 µs each) and sorts them: frequent when matches² > 3 × (limit + 1) × rows.
 */
export function isFrequentSearch(matches: number, rows: number, limit: number): boolean {
  return matches * matches > 3 * (limit + 1) * rows;
}

/** The count of matches at which a search becomes frequent (12,370 at 1,000,000 rows and a page of 50): counting further decides nothing. */
export function frequentAt(rows: number, limit: number): number {
  return Math.floor(Math.sqrt(3 * (limit + 1) * rows)) + 1;
}

/** PostgreSQL's statistics of `messages.search` (pg_stats): the rows of the table and the most common stems' frequencies (0–1). */
export interface SearchStats {
  readonly rows: number;
  readonly frequencies: ReadonlyMap<string, number>;
}

/**
 * How many messages a search is expected to match from PostgreSQL's statistics, as its planner reckons
 * an AND: rows × the product of the stems' frequencies. A stem not among the most common ones is rarer
 * than all of them (ANALYZE keeps up to 1,000 stems of its sample): 0, look it up. Null when `q` holds no word.
 */
export function expectedMatches(stats: SearchStats, q: string): number | null {
  const terms = queryTerms(q);
  if (terms.length === 0) return null;
  let share = 1;
  for (const t of terms) share *= stats.frequencies.get(t) ?? 0;
  return stats.rows * share;
}

/** An FTS5 MATCH expression for `q` (`"stem" AND …`), or null when `q` holds no word. */
export function ftsMatch(q: string): string | null {
  const terms = queryTerms(q);
  if (terms.length === 0) return null;
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
}

/** A tsquery text for `::tsquery` (`'stem' & …`: the same lexemes `searchVector` stores), or null when `q` holds no word. */
export function tsQuery(q: string): string | null {
  const terms = queryTerms(q);
  if (terms.length === 0) return null;
  return terms.map((t) => `'${quoteLexeme(t)}'`).join(' & ');
}
