/**
 * PURE: the demo's service metrics, consistent with its incidents. Per bucket, as a function of (seed, t):
 *
 * - `errors.auth`, `errors.smtp`, `errors.storage`: failed requests of three back-end services, a small
 *   share of the traffic (Poisson);
 * - `logins` and `letters.sent`: successful logins and letters sent, proportional to the traffic.
 *
 * An incident of a category a service serves (login → auth; sending, delivery → smtp; attachments,
 * slowness → storage) is, most of the time, **visible in metrics first**: the service's errors rise 4–12×
 * a few minutes (2–6) before the complaints do, and a login or sending outage also drops `logins` /
 * `letters.sent` by 30–70% from the moment users notice (the incident's start). Some incidents are
 * **complaints only** (every incident of a category no service serves — spam, antivirus, app crashes, UI
 * bugs — one in six of the others: a client-side bug the back end never sees — and the rest of a
 * service's incidents in a 6-hour block). Twice a day a
 * service has a **metrics-only** incident: errors rise, nobody complains (a failover users never noticed);
 * it never comes within 20 min of a complaint incident that service serves.
 *
 * Which incident is which is drawn from a hash of (seed, incident start), not from the schedule's
 * generator: the complaint stream and the incident schedule are exactly what they were without metrics.
 */
import type { DemoCategory } from './phrase-bank.js';
import { hashUnit, keyedRand, poisson, uniform, type Rand } from './prng.js';
import type { DemoIncident } from './schedule.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './traffic.js';

export const DEMO_SERVICES = ['auth', 'smtp', 'storage'] as const;
export type DemoService = (typeof DEMO_SERVICES)[number];

/** Every metric key the demo writes (besides the traffic reference). */
export const DEMO_METRICS = ['errors.auth', 'errors.smtp', 'errors.storage', 'logins', 'letters.sent'] as const;
export type DemoMetric = (typeof DEMO_METRICS)[number];

/** Which back-end service a complaint category is about (none: users see it, the back end does not). */
export const SERVICE_OF: Readonly<Partial<Record<DemoCategory, DemoService>>> = {
  login: 'auth',
  send_fail: 'smtp',
  delivery: 'smtp',
  attachments: 'storage',
  slow: 'storage',
};

/** The product metric an outage of this category drops. */
const DROPS: Readonly<Partial<Record<DemoCategory, 'logins' | 'letters.sent'>>> = { login: 'logins', send_fail: 'letters.sent' };

/** Errors per visit of each service outside incidents. */
const ERROR_RATE: Readonly<Record<DemoService, number>> = { auth: 1 / 1000, smtp: 1 / 1200, storage: 1 / 1500 };
const LOGINS_PER_VISIT = 0.06;
const LETTERS_PER_VISIT = 0.25;

/** Share of served-category incidents whose back end never shows it (complaints only). */
const COMPLAINTS_ONLY_SHARE = 1 / 6;
/**
 * A service's errors rise for at most one incident per block of this length (the first it serves in the
 * block); the others are complaints only. An error rate that jumps every hour or two is no signal: the
 * detector would learn the jumps as normal (the complaint categories share the demo's 25-minute cadence).
 */
const SERVICE_BLOCK_MS = 6 * HOUR_MS;
/** Metrics-only incidents per day, and how far they keep from a complaint incident of their service. */
const METRIC_ONLY_PER_DAY = 2;
const METRIC_ONLY_CLEARANCE_MS = 20 * MINUTE_MS;

const SALT_VISIBILITY = 31;
const SALT_METRIC_ONLY = 32;
const SALT_METRIC_NOISE = 33;
const SALT_HIDDEN = 34;

export type MetricVisibility = 'metrics_first' | 'complaints_only' | 'metrics_only';

/** How one incident shows in the metrics. */
export interface DemoMetricIncident {
  /** The complaint incident's id, or `demo:<seed>:metric-incident:<start>` for a metrics-only one. */
  readonly id: string;
  readonly visibility: MetricVisibility;
  /** The complaint category (null: metrics only). */
  readonly category: DemoCategory | null;
  /** Span of the whole incident, in complaints and metrics: [from, to), epoch ms. */
  readonly from: number;
  readonly to: number;
  /** The service whose errors rise (null: complaints only). */
  readonly service: DemoService | null;
  /** When the errors start rising (the metric that moves first), and stop; epoch ms, whole steps. */
  readonly errorsFrom: number;
  readonly errorsTo: number;
  readonly errorFactor: number;
  /** A product metric that drops from the incident's start (complaints time), by `dropFactor` (0.3–0.7 of normal). */
  readonly drop: { readonly metric: 'logins' | 'letters.sent'; readonly from: number; readonly to: number; readonly factor: number } | null;
  /** The first metric to move (`errors.<service>`), null for complaints-only incidents. */
  readonly firstMetric: DemoMetric | null;
}

export interface DemoMetricsOptions {
  readonly seed: number;
  readonly stepMs: number;
  /** The complaint incidents overlapping [from, to) (the schedule's). */
  readonly incidentsBetween: (from: number, to: number) => readonly DemoIncident[];
  /** Visits in the bucket at t. */
  readonly trafficAt: (t: number) => number;
}

function alignDown(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

export interface DemoMetrics {
  /** How a complaint incident shows in the metrics. */
  effectOf(incident: DemoIncident): DemoMetricIncident;
  /** Every incident (complaint ones with their metric effect, and metrics-only ones) whose effect overlaps [from, to). */
  incidentsBetween(from: number, to: number): DemoMetricIncident[];
  /** The metric values of the bucket at t. */
  valuesAt(t: number): Record<DemoMetric, number>;
}

export function createDemoMetrics(options: DemoMetricsOptions): DemoMetrics {
  const { seed, stepMs } = options;

  const hiddenFromBackEnd = (incident: DemoIncident): boolean => hashUnit(seed, SALT_HIDDEN, incident.start) < COMPLAINTS_ONLY_SHARE;
  /** Does an earlier incident in the same block already show in this service's metrics? */
  const serviceBusy = (incident: DemoIncident, service: DemoService): boolean => {
    const blockStart = Math.floor(incident.start / SERVICE_BLOCK_MS) * SERVICE_BLOCK_MS;
    return options
      .incidentsBetween(blockStart, incident.start)
      .some((i) => i.start >= blockStart && i.start < incident.start && SERVICE_OF[i.category] === service && (i.metricsFirst === true || !hiddenFromBackEnd(i)));
  };

  const effectOf = (incident: DemoIncident): DemoMetricIncident => {
    const service = SERVICE_OF[incident.category] ?? null;
    const rand = keyedRand(seed, SALT_VISIBILITY, incident.start);
    // The demo's first incident always shows in the metrics (see schedule.ts `startedAt`).
    const hidden = incident.metricsFirst !== true && (hiddenFromBackEnd(incident) || (service !== null && serviceBusy(incident, service)));
    const lead = Math.max(stepMs, alignDown(uniform(rand, 2, 7) * MINUTE_MS, stepMs));
    const errorFactor = Math.round(uniform(rand, 4, 12) * 10) / 10;
    const dropFactor = Math.round(uniform(rand, 0.3, 0.7) * 100) / 100;
    if (service === null || hidden) {
      return { id: incident.id, visibility: 'complaints_only', category: incident.category, from: incident.start, to: incident.end, service: null, errorsFrom: incident.start, errorsTo: incident.start, errorFactor: 1, drop: null, firstMetric: null };
    }
    const dropMetric = DROPS[incident.category];
    return {
      id: incident.id,
      visibility: 'metrics_first',
      category: incident.category,
      from: incident.start - lead,
      to: incident.end,
      service,
      errorsFrom: incident.start - lead,
      errorsTo: incident.end - lead,
      errorFactor,
      drop: dropMetric ? { metric: dropMetric, from: incident.start, to: incident.end, factor: dropFactor } : null,
      firstMetric: `errors.${service}`,
    };
  };

  const metricOnlyCache = new Map<number, readonly DemoMetricIncident[]>();
  const metricOnlyOfDay = (day: number): readonly DemoMetricIncident[] => {
    const hit = metricOnlyCache.get(day);
    if (hit) return hit;
    const rand: Rand = keyedRand(seed, SALT_METRIC_ONLY, day);
    const list: DemoMetricIncident[] = [];
    for (let k = 0; k < METRIC_ONLY_PER_DAY; k++) {
      const start = alignDown(day * DAY_MS + rand() * (DAY_MS - HOUR_MS), stepMs);
      const length = Math.max(stepMs, alignDown(uniform(rand, 8, 20) * MINUTE_MS, stepMs));
      const service = DEMO_SERVICES[Math.floor(rand() * DEMO_SERVICES.length)] ?? 'storage';
      const errorFactor = Math.round(uniform(rand, 4, 12) * 10) / 10;
      const near = options.incidentsBetween(start - METRIC_ONLY_CLEARANCE_MS, start + length + METRIC_ONLY_CLEARANCE_MS);
      if (near.some((i) => SERVICE_OF[i.category] === service)) continue;
      if (list.some((o) => o.service === service && o.errorsFrom < start + length + METRIC_ONLY_CLEARANCE_MS && start < o.errorsTo + METRIC_ONLY_CLEARANCE_MS)) continue;
      list.push({
        id: `demo:${seed}:metric-incident:${start}`,
        visibility: 'metrics_only',
        category: null,
        from: start,
        to: start + length,
        service,
        errorsFrom: start,
        errorsTo: start + length,
        errorFactor,
        drop: null,
        firstMetric: `errors.${service}`,
      });
    }
    list.sort((a, b) => a.errorsFrom - b.errorsFrom);
    if (metricOnlyCache.size >= 64) {
      const oldest = metricOnlyCache.keys().next();
      if (!oldest.done) metricOnlyCache.delete(oldest.value);
    }
    metricOnlyCache.set(day, list);
    return list;
  };

  const incidentsBetween = (from: number, to: number): DemoMetricIncident[] => {
    const out: DemoMetricIncident[] = [];
    if (!(to > from)) return out;
    // Errors may lead an incident by up to 7 min: look a little past `to`.
    for (const inc of options.incidentsBetween(from, to + 10 * MINUTE_MS)) {
      const e = effectOf(inc);
      if (e.from < to && e.to > from) out.push(e);
    }
    for (let day = Math.floor(from / DAY_MS); day <= Math.floor((to - 1) / DAY_MS); day++) {
      for (const m of metricOnlyOfDay(day)) if (m.from < to && m.to > from) out.push(m);
    }
    return out.sort((a, b) => a.from - b.from);
  };

  const valuesAt = (t: number): Record<DemoMetric, number> => {
    const traffic = options.trafficAt(t);
    const errorFactor: Record<DemoService, number> = { auth: 1, smtp: 1, storage: 1 };
    let logins = 1;
    let letters = 1;
    for (const e of incidentsBetween(t, t + stepMs)) {
      if (e.service !== null && t >= e.errorsFrom && t < e.errorsTo) errorFactor[e.service] = Math.max(errorFactor[e.service], e.errorFactor);
      if (e.drop !== null && t >= e.drop.from && t < e.drop.to) {
        if (e.drop.metric === 'logins') logins = Math.min(logins, e.drop.factor);
        else letters = Math.min(letters, e.drop.factor);
      }
    }
    const rand = keyedRand(seed, SALT_METRIC_NOISE, t);
    return {
      'errors.auth': poisson(traffic * ERROR_RATE.auth * errorFactor.auth, rand),
      'errors.smtp': poisson(traffic * ERROR_RATE.smtp * errorFactor.smtp, rand),
      'errors.storage': poisson(traffic * ERROR_RATE.storage * errorFactor.storage, rand),
      logins: poisson(traffic * LOGINS_PER_VISIT * logins, rand),
      'letters.sent': poisson(traffic * LETTERS_PER_VISIT * letters, rand),
    };
  };

  return { effectOf, incidentsBetween, valuesAt };
}
