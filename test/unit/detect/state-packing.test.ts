import { describe, expect, it } from 'vitest';
import { createDetector, detectSeries, restoreDetector } from '../../../src/detect/detector.js';
import type { DetectorOptions } from '../../../src/detect/options.js';
import { isPackedState, packState, unpackState } from '../../../src/detect/state-packing.js';
import { initialState, type DetectorState } from '../../../src/detect/state.js';

const T0 = Date.UTC(2026, 0, 5);
const DAY = 1440;
/** A daily curve with noise, at a 1-minute step (continuous), or small counts. */
const daily = (n: number, counts: boolean) =>
  Array.from({ length: n }, (_, i) => {
    const v = 100 + 30 * Math.sin((2 * Math.PI * (i % DAY)) / DAY) + ((i * 7919) % 13) / 3;
    return { t: T0 + i * 60_000, v: counts ? Math.round(v / 20) : v };
  });
/** Through JSON, as the store keeps it. */
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('a packed detector state', () => {
  it.each([
    ['continuous, a daily curve', { model: 'continuous' } as DetectorOptions, false],
    ['counts', { model: 'counts' } as DetectorOptions, true],
    ['auto', {} as DetectorOptions, false],
  ] as const)('unpacks to the state it packed, and the detector continues exactly (%s)', (_name, options, counts) => {
    const points = daily(4 * DAY, counts);
    const whole = detectSeries(points, null, options);
    const first = createDetector(options);
    for (const p of points.slice(0, 3 * DAY)) first.update(p.t, p.v);
    const snapshot = first.snapshot();
    const packed = stored(packState(snapshot));
    expect(isPackedState(packed)).toBe(true);
    expect(unpackState(packed)).toEqual(stored(snapshot));
    const restored = restoreDetector(options, unpackState(packed), true);
    expect(points.slice(3 * DAY).map((p) => restored.update(p.t, p.v))).toEqual(whole.slice(3 * DAY));
  });

  it('keeps every array of numbers bit for bit: −0, NaN, infinities, integers past 32 bits, fractions', () => {
    const state = { ...initialState(), day: [-0, Number.NaN, Infinity, -Infinity, 2 ** 40, 0.1 + 0.2, 1e-300], dayDen: [0, 1, -7, 2 ** 31 - 1, -(2 ** 31)] };
    const back = unpackState(stored(packState(state)));
    expect(Object.is(back.day[0], -0)).toBe(true);
    expect(back.day).toEqual(state.day);
    expect(back.dayDen).toEqual(state.dayDen);
    const kind = (path: string) => packState(state).arrays.find(([p]) => p === path)?.slice(1, 4);
    expect(kind('day')).toEqual([0, 7, 0]); // 64-bit floats
    expect(kind('dayDen')).toEqual([1, 5, 0]); // 32-bit integers
  });

  it('stores each array in the narrowest exact kind: bytes, integers, decimals (six significant digits), floats', () => {
    const state = { ...initialState(), day: [102.262, -0.5, 3, 99999.9], dayDen: [0, 7, 255], week: [0.1 + 0.2], weekDen: [256, 0] };
    const packed = packState(state);
    const kind = (path: string) => packed.arrays.find(([p]) => p === path)?.slice(1, 4);
    expect(kind('day')).toEqual([2, 4, 3]); // decimals over 10^3
    expect(kind('dayDen')).toEqual([3, 3, 0]); // bytes
    expect(kind('week')).toEqual([0, 1, 0]); // 0.30000000000000004 is no short decimal
    expect(kind('weekDen')).toEqual([1, 2, 0]);
    const back = unpackState(stored(packed));
    expect([back.day, back.dayDen, back.week, back.weekDen]).toEqual([state.day, state.dayDen, state.week, state.weekDen]);
    // A −0 among decimals: no 32-bit integer holds it, so the array stays floats.
    const signed = unpackState(stored(packState({ ...initialState(), day: [0.5, -0] })));
    expect(Object.is(signed.day[1], -0)).toBe(true);
  });

  it('packs the arrays of a nested part (the seasonal median) and keeps what is not an array of numbers as JSON', () => {
    const d = createDetector({ model: 'continuous' });
    for (const p of daily(4 * DAY, false)) d.update(p.t, p.v);
    const snapshot = d.snapshot();
    expect(snapshot.median).not.toBeNull();
    const packed = packState({ ...snapshot, odd: [1, null, 'x'] } as unknown as DetectorState);
    expect(packed.arrays.map(([path]) => path)).toContain('median.values');
    expect(packed.rest.median).not.toHaveProperty('values');
    expect(packed.rest.odd).toEqual([1, null, 'x']);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(snapshot).length);
  });

  it('hands out fresh arrays: changing an unpacked state leaves the packed one as it was', () => {
    const packed = stored(packState(initialState()));
    const a = unpackState(packed);
    a.ringX[0] = 42;
    (a.corrLong as number[]).push(1);
    expect(unpackState(packed).ringX[0]).toBe(0);
    expect(unpackState(packed).corrLong).toHaveLength(5);
  });

  it('refuses damaged data, and tells a plain (older) state from a packed one', () => {
    const packed = stored(packState(initialState()));
    expect(() => unpackState({ ...packed, data: packed.data.slice(0, 40) })).toThrow(/does not match/);
    expect(isPackedState(stored(initialState()))).toBe(false);
    expect(isPackedState(null)).toBe(false);
  });
});
