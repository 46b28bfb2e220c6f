import { describe, expect, it } from 'vitest';
import { repeatedQueryKey } from '../../../src/api/query-keys.js';
import { timeInput } from '../../../src/api/schemas.js';
import { MIN_CREATED_AT, messageSchema, timeProblem } from '../../../src/queues/message-schema.js';
import { decodeMessageCursor } from '../../../src/store/message-store.js';

const NOW = Date.UTC(2026, 2, 2, 10, 0);
const SKEW = 10 * 60_000;

describe('timeProblem', () => {
  it.each([
    [NOW, null],
    [NOW + SKEW, null],
    [MIN_CREATED_AT, null],
    [NOW + SKEW + 1, /more than 10 min in the future/],
    [MIN_CREATED_AT - 1, /before 2000-01-01T00:00:00.000Z/],
    [-1e15, /before 2000/],
    [1e20, /out of range/],
    [Number.NaN, /out of range/],
    [Number.POSITIVE_INFINITY, /out of range/],
  ])('%d → %s', (ms, problem) => {
    const got = timeProblem(ms, NOW, SKEW);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toMatch(problem);
  });
});

describe('timeInput (query and body times)', () => {
  it.each([
    [1e20, false],
    [-1e20, false],
    ['100000000000000000000', false],
    ['+275760-09-13T00:00:00.001Z', false],
    [8.64e15, true],
    [0, true],
    ['2026-03-02T10:00:00Z', true],
    [String(NOW), true],
  ])('%s valid: %s', (input, ok) => {
    expect(timeInput.safeParse(input).success).toBe(ok);
  });
});

describe('messageSchema createdAt (what every source builds)', () => {
  const base = { id: 'x:1', channel: 'email', source: 's', author: null, text: 't', lang: null, link: null };
  it.each([
    ['2026-03-02T10:00:00.000Z', true],
    ['2000-01-01T00:00:00.000Z', true],
    ['1999-12-31T23:59:59.999Z', false],
    ['1900-01-01T00:00:00Z', false],
    ['-029719-04-05T22:13:20.000Z', false],
  ])('%s valid: %s', (createdAt, ok) => {
    expect(messageSchema.safeParse({ ...base, createdAt }).success).toBe(ok);
  });
});

describe('repeatedQueryKey', () => {
  it.each([
    ['/api/series/x', null],
    ['/api/series/x?from=1&to=2', null],
    ['/api/series/x?from=1&from=2', 'from'],
    ['/api/messages?limit=1&cursor=a&limit=1', 'limit'],
    ['/x?a=1&b=2&b', 'b'],
    ['/x?a%20b=1&a+b=2', 'a b'],
    ['/x?', null],
  ])('%s → %s', (url, key) => {
    expect(repeatedQueryKey(url)).toBe(key);
  });
});

describe('decodeMessageCursor', () => {
  const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  it.each([
    [cursor([NOW, 'api:1']), [NOW, 'api:1']],
    ['garbage', null],
    ['W10', null],
    [cursor([NOW]), null],
    [cursor([1.5, 'x']), null],
    [cursor(['1', 'x']), null],
    [cursor([NOW, '']), null],
    [cursor([NOW, 'x', 1]), null],
    ['a.b', null],
  ])('%s → %j', (c, decoded) => {
    expect(decodeMessageCursor(c)).toEqual(decoded);
  });
});
