import { describe, expect, it } from 'vitest';
import { atOrAbove, covered, nextReviewCursor, parseReviewCursor, startCursor } from '../../../src/sources/appstore/cursor.js';

describe('review cursor', () => {
  it('covers what is older, and at the same instant only the ids it names', () => {
    const c = { t: 1000, ids: ['a'] };
    expect(covered(c, 999, 'z')).toBe(true);
    expect(covered(c, 1000, 'a')).toBe(true);
    expect(covered(c, 1000, 'b')).toBe(false);
    expect(covered(c, 1001, 'a')).toBe(false); // an edit moves the time: read again
  });

  it('a complete run moves to the newest instant, merging ids at the same instant', () => {
    const start = { t: 1000, ids: ['a'] };
    expect(nextReviewCursor(start, { newest: { t: 1000, ids: ['b'] }, below: { t: 1000, ids: ['b'] } }, { complete: true })).toEqual({ t: 1000, ids: ['a', 'b'] });
    expect(nextReviewCursor(start, { newest: { t: 2000, ids: ['c'] }, below: { t: 1500, ids: ['d'] } }, { complete: true })).toEqual({ t: 2000, ids: ['c'] });
    expect(nextReviewCursor(start, { newest: start, below: null }, { complete: true })).toEqual(start);
  });

  it('an early stop keeps the floor and records the backlog; draining it moves to the newest seen', () => {
    const start = { t: 1000, ids: [] };
    const first = nextReviewCursor(start, { newest: { t: 5000, ids: ['e'] }, below: { t: 4000, ids: ['d'] } }, { complete: false, next: 'tok2' });
    expect(first).toEqual({ t: 1000, ids: [], backlog: { next: 'tok2', newest: { t: 5000, ids: ['e'] }, below: { t: 4000, ids: ['d'] } } });
    expect(parseReviewCursor(JSON.parse(JSON.stringify(first)))).toEqual(first);
    const second = nextReviewCursor(first, { newest: { t: 3000, ids: ['c'] }, below: { t: 2000, ids: ['b'] } }, { complete: true });
    expect(second).toEqual({ t: 5000, ids: ['e'] });
    expect(atOrAbove({ t: 4000, ids: ['d'] }, 4000, 'd')).toBe(true);
    expect(atOrAbove({ t: 4000, ids: ['d'] }, 4000, 'x')).toBe(false);
  });

  it('reads nothing it cannot trust', () => {
    expect(parseReviewCursor(null)).toBeNull();
    expect(parseReviewCursor({ t: 'x', ids: [] })).toBeNull();
    expect(parseReviewCursor({ t: 5, ids: [1] })).toBeNull();
    expect(parseReviewCursor({ t: 5, ids: [], backlog: { next: '' } })).toEqual({ t: 5, ids: [] });
    expect(startCursor(10_000, 4000)).toEqual({ t: 6000, ids: [] });
  });
});
