import type { Point } from '../domain/point.js';

/**
 * PURE: divides a series by its reference per bucket (complaints per `per` visits). Buckets where the
 * reference is missing or zero are left out: a rate there means nothing.
 */
export function rate(series: readonly Point[], reference: readonly Point[], per = 1_000_000): Point[] {
  const ref = new Map<number, number>();
  for (const p of reference) ref.set(p.t, p.v);
  const out: Point[] = [];
  for (const p of series) {
    const r = ref.get(p.t);
    if (r !== undefined && r > 0) out.push({ t: p.t, v: (p.v / r) * per });
  }
  return out;
}

/** PURE: fills absent buckets in [from, to) with `fill` (counters: absence means zero). */
export function fillGaps(points: readonly Point[], from: number, to: number, step: number, fill = 0): Point[] {
  const byT = new Map<number, number>();
  for (const p of points) byT.set(p.t, p.v);
  const out: Point[] = [];
  for (let t = Math.ceil(from / step) * step; t < to; t += step) out.push({ t, v: byT.get(t) ?? fill });
  return out;
}
