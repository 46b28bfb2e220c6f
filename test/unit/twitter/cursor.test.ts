import { describe, expect, it } from 'vitest';
import { nextCursor, parseCursor, searchWindow, SEARCH_HORIZON_MS } from '../../../src/sources/twitter/cursor.js';
import { compareIds, idFromTime, idTime, maxId, minId } from '../../../src/sources/twitter/snowflake.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const MIN = 60_000;

describe('snowflake ids', () => {
  it.each([
    ['999', '1000', -1],
    ['1000', '999', 1],
    ['1858000000000000000', '1858000000000000000', 0],
    ['18580000000000000001', '1858000000000000000', 1],
  ])('compareIds(%s, %s) = %i', (a, b, expected) => {
    expect(compareIds(a, b)).toBe(expected);
  });

  it('turns times into ids and back', () => {
    expect(idTime(idFromTime(NOW))).toBe(NOW);
    expect(idTime('0')).toBe(1288834974657);
    expect(idTime(String(1n << 22n))).toBe(1288834974658);
    expect(idFromTime(1288834974658)).toBe(String(1n << 22n));
    expect(maxId('999', '1000')).toBe('1000');
    expect(minId('999', '1000')).toBe('999');
    expect(maxId(null, '5')).toBe('5');
  });
});

describe('parseCursor', () => {
  it.each([
    [null, null],
    ['123', { sinceId: '123' }],
    [{ sinceId: '123' }, { sinceId: '123' }],
    [{ sinceId: '1', untilId: '50', newestId: '90' }, { sinceId: '1', untilId: '50', newestId: '90' }],
    [{ sinceId: '1', untilId: '50' }, { sinceId: '1' }],
    [{ sinceId: 'abc' }, null],
    [42, null],
  ])('%j → %j', (stored, expected) => {
    expect(parseCursor(stored)).toEqual(expected);
  });
});

describe('searchWindow', () => {
  const recent = idFromTime(NOW - 5 * MIN);
  it.each([
    ['first run: look-back only', null, 15 * MIN, { startTime: new Date(NOW - 15 * MIN).toISOString(), clamped: false }],
    ['first run: look-back capped at 7 days', null, 30 * 24 * 60 * MIN, { startTime: new Date(NOW - SEARCH_HORIZON_MS).toISOString(), clamped: false }],
    ['from the cursor', { sinceId: recent }, 15 * MIN, { sinceId: recent, clamped: false }],
    ['a backlog', { sinceId: recent, untilId: idFromTime(NOW - 2 * MIN), newestId: idFromTime(NOW - MIN) }, 15 * MIN, { sinceId: recent, untilId: idFromTime(NOW - 2 * MIN), newestId: idFromTime(NOW - MIN), clamped: false }],
    ['a cursor older than 7 days moves up', { sinceId: idFromTime(NOW - 8 * 24 * 60 * MIN) }, 15 * MIN, { sinceId: idFromTime(NOW - SEARCH_HORIZON_MS), clamped: true }],
  ])('%s', (_name, cursor, lookback, expected) => {
    expect(searchWindow(cursor, NOW, lookback)).toEqual(expected);
  });
});

describe('nextCursor', () => {
  it.each([
    ['complete: newest fetched', { sinceId: '100', clamped: false }, { newest: '150', oldest: '101', complete: true }, { sinceId: '150' }],
    ['complete: nothing new keeps the cursor', { sinceId: '100', clamped: false }, { newest: null, oldest: null, complete: true }, { sinceId: '100' }],
    ['first run, nothing found: no cursor', { startTime: new Date(NOW).toISOString(), clamped: false }, { newest: null, oldest: null, complete: true }, null],
    ['stopped early: backlog below the oldest fetched', { sinceId: '100', clamped: false }, { newest: '150', oldest: '120', complete: false }, { sinceId: '100', untilId: '120', newestId: '150' }],
    ['first run stopped early: backlog from the start time', { startTime: new Date(NOW).toISOString(), clamped: false }, { newest: idFromTime(NOW + 2 * MIN), oldest: idFromTime(NOW + MIN), complete: false }, { sinceId: idFromTime(NOW), untilId: idFromTime(NOW + MIN), newestId: idFromTime(NOW + 2 * MIN) }],
    ['backlog drained: move to its newest', { sinceId: '100', untilId: '120', newestId: '150', clamped: false }, { newest: '119', oldest: '101', complete: true }, { sinceId: '150' }],
    ['backlog continues', { sinceId: '100', untilId: '120', newestId: '150', clamped: false }, { newest: '119', oldest: '110', complete: false }, { sinceId: '100', untilId: '110', newestId: '150' }],
    ['backlog, nothing fetched, stopped', { sinceId: '100', untilId: '120', newestId: '150', clamped: false }, { newest: null, oldest: null, complete: false }, { sinceId: '100', untilId: '120', newestId: '150' }],
  ])('%s', (_name, window, fetched, expected) => {
    expect(nextCursor(window, fetched)).toEqual(expected);
  });
});
