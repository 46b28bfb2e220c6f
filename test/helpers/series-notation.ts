/**
 * Prometheus' expanding series notation for test series (promql/promqltest): space-separated terms,
 * `a+bxn` = a, a+b, …, a+n·b (n+1 values), `a-bxn` likewise downwards, `axn` = a repeated n+1 times... as in
 * Prometheus, and `_` = a missing point, `_xn` = n missing points, a plain number = one value.
 * @example parseSeries('0+5x3 80x1 _') // [0, 5, 10, 15, 80, 80, null]
 */
export function parseSeries(text: string): Array<number | null> {
  const out: Array<number | null> = [];
  for (const term of text.trim().split(/\s+/)) {
    if (term === '') continue;
    const m = /^(_|-?\d+(?:\.\d+)?(?:e-?\d+)?)(?:([+-])(\d+(?:\.\d+)?))?(?:x(\d+))?$/.exec(term);
    if (!m) throw new Error(`bad series term "${term}"`);
    const times = m[4] === undefined ? 0 : Number(m[4]);
    if (m[1] === '_') {
      if (m[2] !== undefined) throw new Error(`bad series term "${term}"`);
      for (let i = 0; i < Math.max(1, times); i++) out.push(null);
      continue;
    }
    const start = Number(m[1]);
    const delta = m[2] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * Number(m[3]);
    for (let i = 0; i <= times; i++) out.push(start + i * delta);
  }
  return out;
}

/** Points at a fixed step from t0 (default 2026-01-05 00:00 UTC, one minute apart). */
export function seriesPoints(text: string, step = 60_000, t0 = Date.UTC(2026, 0, 5)): Array<{ t: number; v: number | null }> {
  return parseSeries(text).map((v, i) => ({ t: t0 + i * step, v }));
}
