/**
 * Seeded randomness for the demo source. Everything the demo makes is a function of (seed, time), so
 * every draw starts from a generator keyed by a hash of the seed, a salt and a time index: the same
 * key always gives the same stream, whatever was generated before.
 */

/** A stream of uniform numbers in [0, 1). */
export type Rand = () => number;

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash of one 32-bit integer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes a list of numbers (each any safe integer, e.g. an epoch-ms time) into 32 bits.
 *
 * @example hashKey(42, 1, 1767225600000) // the same three numbers always give the same key
 */
export function hashKey(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 4294967296) >>> 0;
    h = fmix32(h ^ lo) + 0x7f4a7c15;
    h = fmix32(h ^ hi) + 0x165667b1;
  }
  return fmix32(h);
}

/** mulberry32: a small, fast generator of 32-bit state. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator keyed by the given numbers (seed, salt, time index...). */
export function keyedRand(...parts: readonly number[]): Rand {
  return mulberry32(hashKey(...parts));
}

/** One uniform number in [0, 1) for the given key, without building a generator. */
export function hashUnit(...parts: readonly number[]): number {
  return hashKey(...parts) / 4294967296;
}

/** Uniform in [lo, hi). */
export function uniform(rand: Rand, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** An integer in [0, n). */
export function randInt(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

/** One element of a non-empty list, uniformly. */
export function pick<T>(rand: Rand, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** An index drawn with the given (non-negative, not all zero) weights. */
export function weightedIndex(rand: Rand, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

/** Standard normal draw (Box–Muller). */
export function normal(rand: Rand): number {
  const u = Math.max(1e-12, rand());
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Poisson draw: Knuth's product method for small means, a rounded normal for large ones.
 *
 * @example poisson(0, rand) // 0
 */
export function poisson(mean: number, rand: Rand): number {
  if (!(mean > 0)) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k += 1;
    p *= rand();
  }
  return k;
}
