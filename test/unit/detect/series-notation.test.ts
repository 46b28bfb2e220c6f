import { describe, expect, it } from 'vitest';
import { parseSeries, seriesPoints } from '../../helpers/series-notation.js';

describe('parseSeries (Prometheus notation)', () => {
  it.each([
    ['1 2 3', [1, 2, 3]],
    ['0+5x3', [0, 5, 10, 15]],
    ['10-2x2', [10, 8, 6]],
    ['7x2', [7, 7, 7]],
    ['0+5x2 80x1', [0, 5, 10, 80, 80]],
    ['1 _ 2', [1, null, 2]],
    ['_x3', [null, null, null]],
    ['1.5 -2', [1.5, -2]],
  ])('%s', (text, expected) => {
    expect(parseSeries(text)).toEqual(expected);
  });

  it.each(['abc', '1+', '_+1x2'])('rejects %s', (text) => {
    expect(() => parseSeries(text)).toThrow(/bad series term/);
  });

  it('spaces points one step apart', () => {
    const pts = seriesPoints('1 2', 300_000, 0);
    expect(pts).toEqual([
      { t: 0, v: 1 },
      { t: 300_000, v: 2 },
    ]);
  });
});
