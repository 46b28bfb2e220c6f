import { describe, expect, it } from 'vitest';
import { seriesGroup } from '../../../src/series/group.js';

describe('seriesGroup', () => {
  it.each([
    ['complaints', 1, 0],
    ['', 16, 0x811c9dc5 % 16],
    ['a', 2 ** 31, 0xe40c292c % 2 ** 31],
  ])('%j of %i groups is %i (FNV-1a 32 bit)', (key, groups, expected) => {
    expect(seriesGroup(key, groups)).toBe(expected);
  });

  it('is stable and in range, and spreads many keys evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const g = seriesGroup(`svc.${i}`, 16);
      expect(seriesGroup(`svc.${i}`, 16)).toBe(g);
      counts[g] = (counts[g] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(800);
    for (const c of counts) expect(c).toBeLessThan(1200);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s groups', (groups) => {
    expect(() => seriesGroup('complaints', groups)).toThrow(/positive integer/);
  });
});
