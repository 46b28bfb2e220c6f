/**
 * Robust seasonal baseline: the median of the same time of day over the past days (at most DAYS of them), on
 * time-of-day bins of at least 5 minutes (a bin's value is the mean of the points in it). Medians ignore a past
 * day's incident; the detector uses this as one predictor of its ensemble, chosen where it predicts best.
 * Bounded: BINS × DAYS numbers. Pure.
 */

/** Days remembered per bin. */
export const DAYS = 7;
/** The most time-of-day bins (5-minute bins); coarser steps use one bin per point. */
export const MAX_BINS = 288;
/** Bins needing this many past days before the median is used. */
export const MIN_DAYS = 3;

import { phaseOf } from './seasonal-slots.js';

const DAY = 86_400_000;

/** 10^0 … 10^22, each exact in floating point. */
const POW10: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * `Number(x.toPrecision(6))` (six significant digits, ties away from zero), without the string round trip where
 * arithmetic gives the same double: x × 10^k (k puts six digits before the point) is rounded to the nearest whole
 * n unless it lies within 1e-6 of a tie, and n / 10^k, one correctly rounded division by an exact power of ten, is
 * the double nearest the six-digit decimal, as parsing it would give. Anything else (zero, ±0, NaN, ±Infinity, very
 * small or large magnitudes, near-ties) takes the string path.
 *
 * @example
 * sixDigits(123.4567891); // 123.457
 */
export function sixDigits(x: number): number {
  const a = x < 0 ? -x : x;
  if (a > 1e-15 && a < 1e21) {
    const k = 5 - Math.floor(Math.log10(a));
    const y = k >= 0 ? a * (POW10[k] as number) : a / (POW10[-k] as number);
    const fraction = y - Math.floor(y);
    if (y >= 1e5 && y < 1e6 && (fraction < 0.5 - 1e-6 || fraction > 0.5 + 1e-6)) {
      const n = Math.round(y);
      const r = k >= 0 ? n / (POW10[k] as number) : n * (POW10[-k] as number);
      return x < 0 ? -r : r;
    }
  }
  return Number(x.toPrecision(6));
}

export interface SeasonalMedianState {
  /** Bins per day (0 = off: the step is too coarse for a daily cycle). */
  bins: number;
  /** DAYS values per bin, oldest overwritten first. */
  values: number[];
  /** Values held per bin, and the next write position per bin. */
  count: number[];
  pos: number[];
  /** The bin being accumulated (its index and day number) and its running sum and size. */
  accBin: number;
  accDay: number;
  accSum: number;
  accN: number;
}

export function seasonalMedianState(step: number): SeasonalMedianState {
  const bins = step <= DAY / 24 ? Math.min(MAX_BINS, Math.round(DAY / step)) : 0;
  return {
    bins,
    values: new Array<number>(bins * DAYS).fill(0),
    count: new Array<number>(bins).fill(0),
    pos: new Array<number>(bins).fill(0),
    accBin: -1,
    accDay: -1,
    accSum: 0,
    accN: 0,
  };
}

/** The last time and bin count asked for and their bin (the detector asks twice per point, for the same t). */
let lastT = Number.NaN;
let lastBins = 0;
let lastBin = 0;

function binOf(st: SeasonalMedianState, t: number): number {
  if (t === lastT && st.bins === lastBins) return lastBin;
  const phase = phaseOf(t, DAY);
  const b = Math.floor((phase / DAY) * st.bins);
  lastT = t;
  lastBins = st.bins;
  lastBin = b >= st.bins ? st.bins - 1 : b;
  return lastBin;
}

/** The values of one bin while its median is taken (at most DAYS). */
const scratch = new Float64Array(DAYS);

/**
 * Each bin's median, derived (not part of the JSON state): a bin's past days change once a day, so its median is
 * computed when first asked for after a change, not on every point. Kept per state object; a restored state
 * starts with an empty cache.
 */
interface MedianCache {
  readonly values: number[];
  readonly median: Float64Array;
  /** 1 where `median` holds the bin's current median. */
  readonly known: Uint8Array;
}

const caches = new WeakMap<SeasonalMedianState, MedianCache>();
/** The last state asked for and its cache (one detector asks with the same state point after point). */
let lastState: SeasonalMedianState | null = null;
let lastCache: MedianCache | undefined;

function cacheOf(st: SeasonalMedianState): MedianCache {
  let cache = st === lastState ? lastCache : caches.get(st);
  if (cache === undefined || cache.values !== st.values) {
    cache = { values: st.values, median: new Float64Array(st.bins), known: new Uint8Array(st.bins) };
    caches.set(st, cache);
  }
  lastState = st;
  lastCache = cache;
  return cache;
}

function medianOfBin(st: SeasonalMedianState, b: number, n: number): number {
  for (let i = 0; i < n; i++) scratch[i] = st.values[b * DAYS + i] as number;
  // Insertion sort: at most 7 values.
  for (let i = 1; i < n; i++) {
    const v = scratch[i] as number;
    let j = i - 1;
    while (j >= 0 && (scratch[j] as number) > v) {
      scratch[j + 1] = scratch[j] as number;
      j -= 1;
    }
    scratch[j + 1] = v;
  }
  return n % 2 === 1 ? (scratch[n >> 1] as number) : ((scratch[(n >> 1) - 1] as number) + (scratch[n >> 1] as number)) / 2;
}

/** Median of the bin's past days at time t, or null when it has fewer than MIN_DAYS of them. */
export function seasonalMedian(st: SeasonalMedianState, t: number): number | null {
  if (st.bins === 0) return null;
  const b = binOf(st, t);
  const n = st.count[b] as number;
  if (n < MIN_DAYS) return null;
  const cache = cacheOf(st);
  if (cache.known[b] === 1) return cache.median[b] as number;
  const median = medianOfBin(st, b, n);
  cache.median[b] = median;
  cache.known[b] = 1;
  return median;
}

/** Adds the value at t: accumulated into its bin; a finished bin's mean joins that bin's past days. */
export function learnSeasonalMedian(st: SeasonalMedianState, t: number, x: number): void {
  if (st.bins === 0) return;
  const b = binOf(st, t);
  const day = Math.floor(t / DAY);
  if (b !== st.accBin || day !== st.accDay) startBin(st, b, day);
  st.accSum += x;
  st.accN += 1;
}

/** A new bin (or day) begins: the finished bin's mean joins its past days. Apart, so the per-point part stays small. */
function startBin(st: SeasonalMedianState, b: number, day: number): void {
  if (st.accN > 0 && st.accBin >= 0) {
    const p = st.pos[st.accBin] as number;
    // Six significant digits are plenty for a median and keep the JSON state small.
    st.values[st.accBin * DAYS + p] = sixDigits(st.accSum / st.accN);
    st.pos[st.accBin] = (p + 1) % DAYS;
    const cache = st === lastState ? lastCache : caches.get(st);
    if (cache !== undefined) cache.known[st.accBin] = 0;
    if ((st.count[st.accBin] as number) < DAYS) st.count[st.accBin] = (st.count[st.accBin] as number) + 1;
  }
  st.accBin = b;
  st.accDay = day;
  st.accSum = 0;
  st.accN = 0;
}
