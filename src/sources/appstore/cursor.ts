/**
 * PURE: where the next poll of a store's reviews starts. `now` is an argument.
 *
 * Both APIs list reviews newest first (Google by last modification, Apple by creation) and neither
 * takes a "since": a poll reads from the newest page down until it reaches reviews it has already
 * covered. The cursor is the instant of the newest review covered (`t`, epoch ms) and the ids seen at
 * exactly that instant, so a review written in the same millisecond as the cursor is neither skipped
 * nor doubled. A poll that stops before reaching the covered part (page cap, shutdown) keeps a
 * `backlog`: the page to go on from, the newest instant enqueued (the cursor once the backlog is
 * drained) and the oldest (`below`). Page tokens count positions, so a review arriving on top shifts
 * the rest down a place: whatever a backlog page shows at or above `below` was enqueued already and is
 * skipped (and a review newer than `newest` is left for the next poll from the top). Google moves `lastModified` when a review is edited, so an edit comes back
 * above the cursor and is read again.
 */
export interface Instant {
  readonly t: number;
  /** Review ids at exactly `t` (sorted). */
  readonly ids: readonly string[];
}

export interface ReviewCursor extends Instant {
  readonly backlog?: { readonly next: string; readonly newest: Instant; readonly below: Instant };
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
    const below = instant((b as { below?: unknown }).below);
    if (typeof next === 'string' && next !== '' && newest !== null && below !== null) return { ...base, backlog: { next, newest, below } };
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

/** Is the review at `t` with `id` at or above `mark` (already enqueued by this run of pages)? */
export function atOrAbove(mark: Instant, t: number, id: string): boolean {
  return t > mark.t || (t === mark.t && mark.ids.includes(id));
}

/** The older of two instants; at the same instant, the ids of both. */
export function olderInstant(a: Instant, b: Instant): Instant {
  if (a.t !== b.t) return a.t < b.t ? a : b;
  return { t: a.t, ids: [...new Set([...a.ids, ...b.ids])].sort() };
}

/** The newer of two instants; at the same instant, the ids of both. */
export function newerInstant(a: Instant, b: Instant): Instant {
  if (a.t !== b.t) return a.t > b.t ? a : b;
  return { t: a.t, ids: [...new Set([...a.ids, ...b.ids])].sort() };
}

/**
 * The cursor after a poll that started from `cursor` and enqueued reviews from `newest` down to
 * `below` (null: none): `complete` when it reached covered reviews or the last page; otherwise `next`
 * is the page where it stopped.
 */
export function nextReviewCursor(
  cursor: ReviewCursor,
  run: { readonly newest: Instant; readonly below: Instant | null },
  outcome: { readonly complete: true } | { readonly complete: false; readonly next: string },
): ReviewCursor {
  const floor: Instant = { t: cursor.t, ids: cursor.ids };
  const top = newerInstant(cursor.backlog?.newest ?? floor, run.newest);
  if (outcome.complete) return newerInstant(floor, top);
  const below = run.below ?? cursor.backlog?.below ?? top;
  return { t: cursor.t, ids: cursor.ids, backlog: { next: outcome.next, newest: top, below } };
}

export function sameCursor(a: ReviewCursor | null, b: ReviewCursor | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
