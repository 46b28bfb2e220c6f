/**
 * The durable cursor of a Bluesky search. searchPosts pages backwards in time (newest first) and filters
 * by `sortAt` (the earlier of a post's createdAt and indexedAt) with `since` (inclusive) and `until`
 * (exclusive); its own `cursor` only lives for one walk. So the durable cursor is a time, like the X
 * source's id: `since` (every post with an earlier sortAt is read) with the posts read at exactly that
 * time (`sinceUris`), and while a poll stopped early a backlog: read below `until` first (the posts at
 * exactly `until` already read are `untilUris`), then move to `newest`. Pure: no IO, no clock.
 */

export interface Instant {
  /** Epoch ms. */
  readonly at: number;
  /** at-uris already read at exactly `at` (few: posts at the same millisecond). */
  readonly uris: readonly string[];
}

export interface BlueskyCursor {
  readonly since: Instant;
  readonly until?: Instant;
  readonly newest?: Instant;
}

const MAX_URIS = 200;

function parseInstant(value: unknown): Instant | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { at?: unknown; uris?: unknown };
  if (typeof v.at !== 'number' || !Number.isFinite(v.at)) return null;
  const uris = Array.isArray(v.uris) ? v.uris.filter((u): u is string => typeof u === 'string').slice(0, MAX_URIS) : [];
  return { at: v.at, uris };
}

export function parseBlueskyCursor(value: unknown): BlueskyCursor | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { since?: unknown; until?: unknown; newest?: unknown };
  const since = parseInstant(v.since);
  if (since === null) return null;
  const until = parseInstant(v.until);
  const newest = parseInstant(v.newest);
  if (until !== null && newest !== null && until.at > since.at) return { since, until, newest };
  if (until !== null && newest !== null) return { since: later(since, newest) }; // the backlog is empty
  return { since };
}

/** The later instant; at the same time, the uris of both. */
export function later(a: Instant, b: Instant | null | undefined): Instant {
  if (!b) return a;
  if (a.at !== b.at) return a.at > b.at ? a : b;
  return { at: a.at, uris: [...new Set([...a.uris, ...b.uris])].slice(0, MAX_URIS) };
}

/** The earlier instant; at the same time, the uris of both. */
export function earlier(a: Instant, b: Instant | null | undefined): Instant {
  if (!b) return a;
  if (a.at !== b.at) return a.at < b.at ? a : b;
  return { at: a.at, uris: [...new Set([...a.uris, ...b.uris])].slice(0, MAX_URIS) };
}

/** The window of one poll: the stored cursor, or the look-back on a first poll. */
export function blueskyWindow(cursor: BlueskyCursor | null, lookbackStart: number): BlueskyCursor {
  return cursor ?? { since: { at: lookbackStart, uris: [] } };
}

/** Whether a post (sortAt `at`, `uri`) is inside the window and not read yet. */
export function unread(window: BlueskyCursor, at: number, uri: string): boolean {
  if (at < window.since.at || (at === window.since.at && window.since.uris.includes(uri))) return false;
  if (window.until && (at > window.until.at || (at === window.until.at && window.until.uris.includes(uri)))) return false;
  return true;
}

/**
 * The cursor after a poll of `window` that read posts from `newest` down to `oldest` (null when none)
 * and either reached the end of the window (`complete`) or stopped early.
 */
export function nextBlueskyCursor(window: BlueskyCursor, read: { readonly newest: Instant | null; readonly oldest: Instant | null; readonly complete: boolean }): BlueskyCursor {
  const newest = read.newest === null ? (window.newest ?? null) : later(read.newest, window.newest);
  if (read.complete) return { since: later(window.since, newest) };
  if (read.oldest === null) return window;
  const until = window.until && window.until.at === read.oldest.at ? earlier(read.oldest, window.until) : read.oldest;
  return { since: window.since, until, newest: newest ?? read.oldest };
}
