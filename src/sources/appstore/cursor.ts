/**
 * PURE: where the next poll of a store's reviews starts. `now` is an argument.
 *
 * Both APIs list reviews newest first (Google by last modification, Apple by creation) and neither
 * takes a "since": a poll reads from the newest page down until it reaches reviews it has already
 * covered. The cursor is the instant of the newest review covered (`t`, epoch ms) and the ids seen at
 * exactly that instant, so a review written in the same millisecond as the cursor is neither skipped
 * nor doubled. A poll that stops before reaching the covered part (page cap, shutdown) keeps a
 * `backlog`: the page to go on from and the newest instant seen, which becomes the cursor once the
 * backlog is drained. Google moves `lastModified` when a review is edited, so an edit comes back
 * above the cursor and is read again.
 */
export interface Instant {
  readonly t: number;
  /** Review ids at exactly `t` (sorted). */
  readonly ids: readonly string[];
}

export interface ReviewCursor extends Instant {
  readonly backlog?: { readonly next: string; readonly newest: Instant };
}

const instant = (v: unknown): Instant | null => {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  if (typeof c.t !== 'number' || !Number.isSafeInteger(c.t) || c.t < 0) return null;
  if (!Array.isArray(c.ids) || !c.ids.every((id) => typeof id === 'string')) return null;
  return { t: c.t, ids: [...(c.ids as string[])].sort() };
};

export function parseReviewCursor(value: unknown): ReviewCursor | null {
  const base = instant(value);
  if (base === null) return null;
  const b = (value as { backlog?: unknown }).backlog;
  if (typeof b === 'object' && b !== null) {
    const next = (b as { next?: unknown }).next;
    const newest = instant((b as { newest?: unknown }).newest);
    if (typeof next === 'string' && next !== '' && newest !== null) return { ...base, backlog: { next, newest } };
  }
  return base;
}

/** The cursor of a first poll: reviews from `lookbackMs` ago on. */
export function startCursor(now: number, lookbackMs: number): ReviewCursor {
  return { t: Math.max(0, now - lookbackMs), ids: [] };
}

/** Was the review at `t` with `id` already covered by `cursor`? */
export function covered(cursor: Instant, t: number, id: string): boolean {
  return t < cursor.t || (t === cursor.t && cursor.ids.includes(id));
}

/** The newer of two instants; at the same instant, the ids of both. */
export function newerInstant(a: Instant, b: Instant): Instant {
  if (a.t !== b.t) return a.t > b.t ? a : b;
  return { t: a.t, ids: [...new Set([...a.ids, ...b.ids])].sort() };
}

/**
 * The cursor after a poll that started from `cursor` and saw reviews up to `newest`: `complete` when it
 * reached covered reviews or the last page; otherwise `next` is where it stopped.
 */
export function nextReviewCursor(cursor: ReviewCursor, newest: Instant, outcome: { readonly complete: true } | { readonly complete: false; readonly next: string }): ReviewCursor {
  const top = newerInstant(cursor.backlog?.newest ?? cursor, newest);
  if (outcome.complete) return newerInstant({ t: cursor.t, ids: cursor.ids }, top);
  return { t: cursor.t, ids: cursor.ids, backlog: { next: outcome.next, newest: top } };
}

export function sameCursor(a: ReviewCursor | null, b: ReviewCursor | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
