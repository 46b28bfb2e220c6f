import { describe, expect, it } from 'vitest';
import { parseSeriesCsv, parseTimestamp, scoreSeriesCsv } from '../../../src/detect/csv.js';

describe('parseTimestamp', () => {
  it.each([
    ['2015-02-26 21:42:53', Date.UTC(2015, 1, 26, 21, 42, 53)],
    ['2015-02-26T21:42:53', Date.UTC(2015, 1, 26, 21, 42, 53)],
    ['2015-02-26T21:42:53Z', Date.UTC(2015, 1, 26, 21, 42, 53)],
    ['2015-02-26T23:42:53+02:00', Date.UTC(2015, 1, 26, 21, 42, 53)],
    ['1424986973', Date.UTC(2015, 1, 26, 21, 42, 53)],
    ['1424986973000', Date.UTC(2015, 1, 26, 21, 42, 53)],
  ])('%s', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms);
  });
  it('is NaN for nonsense', () => expect(parseTimestamp('soon')).toBeNaN());
});

describe('parseSeriesCsv', () => {
  it('skips the header, keeps raw timestamps, reads missing values as null', () => {
    expect(parseSeriesCsv('timestamp,value\n2015-01-01 00:00:00,1.5\r\n2015-01-01 00:05:00,\n\n')).toEqual([
      { raw: '2015-01-01 00:00:00', t: Date.UTC(2015, 0, 1), v: 1.5 },
      { raw: '2015-01-01 00:05:00', t: Date.UTC(2015, 0, 1, 0, 5), v: null },
    ]);
  });
  it('names the line of a bad value', () => {
    expect(() => parseSeriesCsv('timestamp,value\n2015-01-01 00:00:00,abc')).toThrow(/line 2: bad value/);
  });
});

describe('scoreSeriesCsv', () => {
  it('returns a header and one line per row', () => {
    const text = Array.from({ length: 50 }, (_, i) => `${1_700_000_000 + i * 60},${i % 3}`).join('\n');
    const out = scoreSeriesCsv(text, null, {}, 7).trim().split('\n');
    expect(out).toHaveLength(51);
    expect(out[1]).toMatch(/^1700000000,0,0,0,/);
  });
});
