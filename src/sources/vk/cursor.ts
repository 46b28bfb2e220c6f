/**
 * Where the next poll of a VK source starts. Pure. One cursor per source, in three parts:
 *
 * - `search`: `newsfeed.search` pages newest first by time (unix seconds). `since` is the newest second
 *   whose posts are all fetched, `seen` the posts of that very second already fetched (the next poll asks
 *   from `since` inclusive, so posts of the same second arriving later are not lost, and skips `seen`).
 *   A poll stopped early (page cap, shutdown) leaves a backlog: posts in `since..until` are still to come
 *   (`until` inclusive), `top`/`topSeen` is where to move once it is drained.
 * - `wall`: the highest wall post id whose predecessors are all read (post ids grow on a wall).
 * - `comments`: per recent post, the highest comment id read; `checkedAt` is when the comments were last
 *   read (a post new to the list has its comments read from then on, or from the look-back at first).
 */
export interface VkSearchCursor {
  readonly since: number;
  readonly seen: readonly string[];
  readonly until?: number;
  readonly top?: number;
  readonly topSeen?: readonly string[];
}

export interface VkCursor {
  readonly search?: VkSearchCursor;
  readonly wall?: { readonly last: number };
  readonly comments?: { readonly checkedAt: number; readonly posts: Readonly<Record<string, number>> };
}

const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const keys = (v: unknown): v is string[] => Array.isArray(v) && v.every((k) => typeof k === 'string' && /^-?\d+_\d+$/.test(k));

/** A stored cursor, or null when unreadable; parts that are unreadable are dropped (they start from the look-back). */
export function parseVkCursor(value: unknown): VkCursor | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const out: { search?: VkSearchCursor; wall?: { last: number }; comments?: VkCursor['comments'] } = {};
  const s = c.search as Record<string, unknown> | undefined;
  if (s && int(s.since) && keys(s.seen)) {
    out.search = int(s.until) && int(s.top) && keys(s.topSeen) ? { since: s.since, seen: s.seen, until: s.until, top: s.top, topSeen: s.topSeen } : { since: s.since, seen: s.seen };
  }
  const w = c.wall as Record<string, unknown> | undefined;
  if (w && int(w.last)) out.wall = { last: w.last };
  const m = c.comments as Record<string, unknown> | undefined;
  if (m && int(m.checkedAt) && typeof m.posts === 'object' && m.posts !== null) {
    const posts: Record<string, number> = {};
    for (const [k, v] of Object.entries(m.posts)) if (/^\d+$/.test(k) && int(v)) posts[k] = v;
    out.comments = { checkedAt: m.checkedAt, posts };
  }
  return out;
}

/** The search window of one poll. */
export interface VkSearchWindow {
  readonly since: number;
  readonly seen: ReadonlySet<string>;
  readonly until?: number;
}

export function vkSearchWindow(cursor: VkSearchCursor | undefined, nowS: number, lookbackS: number): VkSearchWindow {
  if (cursor === undefined) return { since: nowS - lookbackS, seen: new Set() };
  if (cursor.until !== undefined) return { since: cursor.since, seen: new Set(cursor.seen), until: cursor.until };
  return { since: cursor.since, seen: new Set(cursor.seen) };
}

/** The posts fetched by one poll: the newest second and the keys fetched at it, the oldest second. */
export interface VkFetched {
  newest: number | null;
  newestKeys: string[];
  oldest: number | null;
  complete: boolean;
}

export function noteFetched(f: VkFetched, date: number, key: string): void {
  if (f.newest === null || date > f.newest) {
    f.newest = date;
    f.newestKeys = [key];
  } else if (date === f.newest) f.newestKeys.push(key);
  if (f.oldest === null || date < f.oldest) f.oldest = date;
}

function merge(a: { at: number; keys: readonly string[] } | null, b: { at: number; keys: readonly string[] } | null): { at: number; keys: string[] } | null {
  if (a === null) return b === null ? null : { at: b.at, keys: [...b.keys] };
  if (b === null || a.at > b.at) return { at: a.at, keys: [...a.keys] };
  if (b.at > a.at) return { at: b.at, keys: [...b.keys] };
  return { at: a.at, keys: [...new Set([...a.keys, ...b.keys])] };
}

/** The search cursor after a poll of `window` (from `before`) that fetched `f`. */
export function nextVkSearchCursor(before: VkSearchCursor | undefined, window: VkSearchWindow, f: VkFetched): VkSearchCursor {
  const base = { at: window.since, keys: [...window.seen] };
  const pendingTop = before?.until !== undefined && before.top !== undefined ? { at: before.top, keys: before.topSeen ?? [] } : null;
  const fetched = f.newest === null ? null : { at: f.newest, keys: f.newestKeys };
  if (f.complete) {
    const top = merge(merge(base, pendingTop), fetched) ?? base;
    return { since: top.at, seen: top.keys.slice(-1000) };
  }
  if (f.oldest === null) return before ?? { since: window.since, seen: [...window.seen] };
  const top = merge(pendingTop, fetched) ?? base;
  return { since: window.since, seen: [...window.seen], until: f.oldest, top: top.at, topSeen: top.keys.slice(-1000) };
}
