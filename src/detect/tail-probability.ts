/**
 * Tail probabilities on a log10 scale, cheap enough to call on every point. Pure functions.
 * Log scale because scores are built from −log10(p) and p can be 1e-30.
 */

const LN10 = Math.LN10;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log10 of the upper normal tail Q(z) = P(Z ≥ z); NaN gives 0.
 * @example log10NormalTail(3) // ≈ -2.87
 */
export function log10NormalTail(z: number): number {
  if (!(z > 0)) return z < 0 ? Math.log10(1 - 0.5 * erfcc(-z / Math.SQRT2)) : z === 0 ? -Math.log10(2) : 0;
  if (z < 6) return Math.log10(0.5 * erfcc(z / Math.SQRT2));
  // Asymptotic expansion of Mills' ratio.
  const z2 = z * z;
  return (-0.5 * z2 - Math.log(z) - LOG_SQRT_2PI + Math.log(1 - 1 / z2 + 3 / (z2 * z2))) / LN10;
}

/** The grid of {@link log10NormalTailBound}: z from BOUND_MIN to BOUND_MAX in steps of BOUND_STEP. */
const BOUND_MIN = -8;
const BOUND_MAX = 5.5;
const BOUND_STEP = 1 / 32;
/** Below the computed tail's own wiggle: erfcc's 1.2e-7 relative error is 5e-8 in log10, and 0 is where two branches meet. */
const BOUND_SLACK = 1e-6;
let boundTable: Float64Array | null = null;

function bounds(): Float64Array {
  if (boundTable === null) {
    const n = Math.round((BOUND_MAX - BOUND_MIN) / BOUND_STEP) + 1;
    boundTable = new Float64Array(n);
    for (let i = 0; i < n; i++) boundTable[i] = log10NormalTail(BOUND_MIN + i * BOUND_STEP) - BOUND_SLACK;
  }
  return boundTable;
}

/**
 * A lower bound of {@link log10NormalTail}(z) from a table (no logarithm, no exponential): the tail at the grid point
 * at or above z (the tail falls with z), less a slack; −Infinity from BOUND_MAX on (where the switch to the
 * asymptotic series breaks the ordering by ~1e-4) and for NaN. A caller that needs the tail only when it is below
 * some value skips it when the bound is already above.
 *
 * @example log10NormalTailBound(1) // log10NormalTail(1) − 1e-6 (1 is on the grid)
 */
export function log10NormalTailBound(z: number): number {
  if (!(z < BOUND_MAX)) return Number.NEGATIVE_INFINITY;
  const table = bounds();
  if (z <= BOUND_MIN) return table[0] as number;
  return table[Math.ceil((z - BOUND_MIN) / BOUND_STEP)] as number;
}

/** Complementary error function (Numerical Recipes erfcc, fractional error < 1.2e-7). */
function erfcc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const LOG_FACT: number[] = [0];
for (let i = 1; i < 64; i++) LOG_FACT.push((LOG_FACT[i - 1] ?? 0) + Math.log(i));

/** ln Γ(x + 1) for real x ≥ 0: a table for small integers, Stirling's series otherwise. */
export function logFactorial(x: number): number {
  if (Number.isInteger(x) && x < 64) return LOG_FACT[x] ?? 0;
  const y = x + 1;
  if (y < 8) {
    // Shift up with the recurrence to where Stirling is accurate.
    let shift = 0;
    let v = y;
    while (v < 8) {
      shift += Math.log(v);
      v += 1;
    }
    return stirling(v) - shift;
  }
  return stirling(y);
}

/** ln Γ(y) by Stirling's series, accurate to ~1e-10 for y ≥ 8. */
function stirling(y: number): number {
  const inv = 1 / y;
  const inv2 = inv * inv;
  return (y - 0.5) * Math.log(y) - y + LOG_SQRT_2PI + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
}

/**
 * log10 P(X ≥ x) for X ~ Poisson(mu), x a real ≥ 0 (quasi-Poisson callers pass x/φ, mu/φ). 0 when x ≤ mu.
 * @example log10PoissonUpper(10, 2) // ≈ -4.33
 */
export function log10PoissonUpper(x: number, mu: number): number {
  if (!(x > mu) || mu <= 0) return mu <= 0 && x > 0 ? -30 : 0;
  const logTerm = x * Math.log(mu) - mu - logFactorial(x);
  let term = 1;
  let sum = 1;
  for (let k = x + 1; k < x + 400; k += 1) {
    term *= mu / k;
    sum += term;
    if (term < 1e-10 * sum) break;
  }
  return Math.min(0, (logTerm + Math.log(sum)) / LN10);
}

/**
 * log10 P(X ≤ x) for X ~ Poisson(mu); 0 when x ≥ mu.
 * @example log10PoissonLower(0, 5) // ≈ -2.17
 */
export function log10PoissonLower(x: number, mu: number): number {
  if (!(x < mu)) return 0;
  if (x < 0) return -30;
  const logTerm = x * Math.log(mu) - mu - logFactorial(x);
  let term = 1;
  let sum = 1;
  for (let k = x; k >= 1; k -= 1) {
    term *= k / mu;
    sum += term;
    if (term < 1e-10 * sum) break;
  }
  return Math.min(0, (logTerm + Math.log(sum)) / LN10);
}
