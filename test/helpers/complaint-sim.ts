/**
 * Seeded simulator of per-minute complaint streams for developing and judging the detector: daily and weekly
 * cycles, Poisson counts (0.3–8 per minute at peak), a traffic series, traffic surges (which must not alert),
 * incidents (spikes, plateaus, ramps) on the complaint rate, and drops of a service metric while traffic is
 * normal. Also the yardstick: an optimal CUSUM that knows the true rate and the true incident size.
 */
import { mulberry32 } from '../../src/sources/demo/prng.js';

export type IncidentKind = 'spike' | 'plateau' | 'ramp' | 'drop';

export interface Incident {
  readonly kind: IncidentKind;
  /** Index of the first affected minute and one past the last. */
  readonly start: number;
  readonly end: number;
  /** Rate multiplier at full strength (> 1 for rises, < 1 for drops). */
  readonly factor: number;
}

export interface SimSeries {
  readonly t0: number;
  readonly step: number;
  /** Traffic (visits per minute). */
  readonly traffic: number[];
  /** Complaints per minute (Poisson) and their true mean. */
  readonly complaints: number[];
  readonly complaintMean: number[];
  /** Complaints' true mean without incidents (the yardstick's baseline). */
  readonly complaintBase: number[];
  /** A service metric that follows traffic (e.g. letters sent), its true mean and baseline. */
  readonly metric: number[];
  readonly metricMean: number[];
  readonly metricBase: number[];
  readonly incidents: readonly Incident[];
  /** Traffic surges: [start, end) minute ranges. */
  readonly surges: ReadonlyArray<readonly [number, number]>;
  /** Complaints per minute at the daily peak (before incidents). */
  readonly peakRate: number;
}

export interface SimOptions {
  readonly seed: number;
  readonly days?: number;
  /** Days before the first incident or surge (warm-up). */
  readonly quietDays?: number;
  readonly incidents?: number;
  readonly surges?: number;
  /** Peak complaint rate per minute; random in [0.3, 8] when absent. */
  readonly peakRate?: number;
}

/** mulberry32, the same seeded PRNG the demo source uses. */
export const rng = mulberry32;

/** Poisson draw (Knuth for small means, normal approximation for large). */
export function poisson(mean: number, rand: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 60) {
    const u = Math.max(1e-12, rand());
    const v = rand();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k += 1;
    p *= rand();
  } while (p > l);
  return k - 1;
}

const MINUTE = 60_000;
const DAY_MIN = 1440;

/** Daily shape in [0.08, 1]: quiet at night, a peak in the afternoon, a small evening shoulder. */
function dailyShape(minuteOfDay: number): number {
  const h = minuteOfDay / 60;
  const main = Math.exp(-((h - 14) ** 2) / (2 * 3.5 ** 2));
  const evening = 0.5 * Math.exp(-((h - 20.5) ** 2) / (2 * 1.5 ** 2));
  return 0.08 + 0.92 * Math.min(1, main + evening);
}

export function simulate(options: SimOptions): SimSeries {
  const rand = rng(options.seed);
  const days = options.days ?? 28;
  const quiet = options.quietDays ?? 7;
  const n = days * DAY_MIN;
  const t0 = Date.UTC(2026, 0, 5); // a Monday
  const peakRate = options.peakRate ?? 0.3 + rand() * 7.7;
  const peakTraffic = 2000 + rand() * 8000;
  const metricShare = 0.2 + rand() * 0.3;

  // Surges and incidents, kept apart from each other.
  const taken: Array<[number, number]> = [];
  const place = (len: number): number | null => {
    for (let tries = 0; tries < 200; tries++) {
      const s = Math.floor(quiet * DAY_MIN + rand() * (n - quiet * DAY_MIN - len - 120));
      if (taken.every(([a, b]) => s + len + 180 < a || s > b + 180)) {
        taken.push([s, s + len]);
        return s;
      }
    }
    return null;
  };
  const surges: Array<[number, number]> = [];
  for (let i = 0; i < (options.surges ?? 4); i++) {
    const len = 30 + Math.floor(rand() * 150);
    const s = place(len);
    if (s !== null) surges.push([s, s + len]);
  }
  const incidents: Incident[] = [];
  const kinds: IncidentKind[] = ['spike', 'plateau', 'ramp', 'drop'];
  for (let i = 0; i < (options.incidents ?? 8); i++) {
    const kind = kinds[i % kinds.length] as IncidentKind;
    const len = kind === 'spike' ? 5 + Math.floor(rand() * 10) : kind === 'drop' ? 30 + Math.floor(rand() * 90) : 90 + Math.floor(rand() * 150);
    const factor = kind === 'spike' ? 3 + rand() * 3 : kind === 'drop' ? 0.2 + rand() * 0.4 : 1.6 + rand() * 1.4;
    const s = place(len);
    if (s !== null) incidents.push({ kind, start: s, end: s + len, factor });
  }
  incidents.sort((a, b) => a.start - b.start);

  const traffic: number[] = [];
  const complaints: number[] = [];
  const complaintMean: number[] = [];
  const complaintBase: number[] = [];
  const metric: number[] = [];
  const metricMean: number[] = [];
  const metricBase: number[] = [];
  const ratePerVisit = peakRate / peakTraffic;
  for (let i = 0; i < n; i++) {
    const dow = Math.floor(i / DAY_MIN) % 7;
    const weekly = dow >= 5 ? 0.7 : 1;
    let surge = 1;
    for (const [a, b] of surges) if (i >= a && i < b) surge = 2.5;
    const visitsMean = peakTraffic * dailyShape(i % DAY_MIN) * weekly * surge;
    const visits = poisson(visitsMean, rand);
    traffic.push(visits);
    let rise = 1;
    let drop = 1;
    for (const inc of incidents) {
      if (i < inc.start || i >= inc.end) continue;
      if (inc.kind === 'drop') drop = inc.factor;
      else if (inc.kind === 'ramp') rise = 1 + (inc.factor - 1) * Math.min(1, (i - inc.start + 1) / ((inc.end - inc.start) * 0.6));
      else rise = inc.factor;
    }
    // Complaints follow the visits actually made (a surge raises them in proportion).
    const base = ratePerVisit * visits;
    complaintBase.push(base);
    complaintMean.push(base * rise);
    complaints.push(poisson(base * rise, rand));
    const mBase = metricShare * visits;
    metricBase.push(mBase);
    metricMean.push(mBase * drop);
    metric.push(poisson(mBase * drop, rand));
  }
  return { t0, step: MINUTE, traffic, complaints, complaintMean, complaintBase, metric, metricMean, metricBase, incidents, surges, peakRate };
}

/**
 * The yardstick: a Poisson CUSUM that knows the true baseline mean μ_t and the true shift ratio ρ of the incident
 * it watches for (LLR x ln ρ − (ρ − 1) μ per step). Returns the indices where it alarms (it restarts after an
 * alarm). `h` = ln(ARL₀) gives at most one false alarm per ARL₀ steps (Lorden's bound).
 */
export function oracleCusum(x: ArrayLike<number>, mu: ArrayLike<number>, rho: number, h: number, from = 0, to = x.length): number[] {
  const alarms: number[] = [];
  const lr = Math.log(rho);
  let s = 0;
  for (let i = from; i < to; i++) {
    s = Math.max(0, s + (x[i] ?? 0) * lr - (rho - 1) * (mu[i] ?? 0));
    if (s >= h) {
      alarms.push(i);
      s = 0;
    }
  }
  return alarms;
}
