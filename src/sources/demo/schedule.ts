/**
 * When the demo's incidents and traffic surges happen: deterministic from the seed, and computable for any
 * time without generating what came before. Time is cut into epochs (a UTC day, or longer when incidents
 * are rare); each epoch's events are drawn from a generator keyed by (seed, epoch), so the events around
 * any `t` are found by generating one or two epochs. Events never cross an epoch boundary.
 *
 * With `startedAt` (when the demo first started on this database), the schedule also holds a **first
 * incident** 30–45 min after it (offset, category — a login or sending outage — factor and channels from
 * the seed): one that always shows in the service metrics first (`metricsFirst`, see metrics.ts), so a new
 * user sees cross-signal evidence in the first hour (never the category of the incident just before or
 * after it, while the other is free). The scheduled incidents it would overlap (from 10 min
 * before it, where its errors may lead, to 5 min after) are left out; every other incident is unchanged.
 */
import type { Channel } from '../../domain/message.js';
import type { DemoCategory } from './phrase-bank.js';
import { keyedRand, pick, uniform, weightedIndex } from './prng.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, MOSCOW_OFFSET_MS } from './traffic.js';

export interface DemoIncident {
  /** `demo:<seed>:incident:<start>`. */
  readonly id: string;
  readonly category: DemoCategory;
  /** First affected bucket start (epoch ms, a multiple of the step). */
  readonly start: number;
  /** End, exclusive (epoch ms, a multiple of the step). */
  readonly end: number;
  /** The category's rate is multiplied by this while the incident lasts (4–10). */
  readonly factor: number;
  /**
   * Where the extra complaints arrive: one channel (all of them), two (70/30), or all three (the usual
   * 55/35/10 mix).
   */
  readonly channels: Channel[];
  /** The demo's first incident (see `startedAt`): always visible in the service metrics first. */
  readonly metricsFirst?: boolean;
}

export interface DemoSurge {
  /** Start and end (exclusive), epoch ms. */
  readonly start: number;
  readonly end: number;
  /** Traffic multiplier at full strength (1.5–2.5). */
  readonly factor: number;
}

const SALT_INCIDENTS = 21;
const SALT_SURGES = 22;
const SALT_FIRST = 23;

/** The first incident starts this long after the demo started (drawn from the seed), ... */
const FIRST_AFTER_MS: readonly [number, number] = [30 * MINUTE_MS, 45 * MINUTE_MS];
/** ... and is one of these (service outages that also drop a product metric). */
const FIRST_CATEGORIES: readonly DemoCategory[] = ['login', 'send_fail'];
/** Scheduled incidents this close to the first one are left out (its errors lead it by up to 7 min). */
const FIRST_CLEAR_BEFORE_MS = 10 * MINUTE_MS;
const FIRST_CLEAR_AFTER_MS = 5 * MINUTE_MS;

/** How likely each category is to have an incident (login and sending outages are the usual ones). */
const INCIDENT_WEIGHTS: Readonly<Record<DemoCategory, number>> = {
  login: 0.18,
  slow: 0.16,
  send_fail: 0.14,
  delivery: 0.14,
  attachments: 0.1,
  antivirus: 0.06,
  spam: 0.1,
  app_crash: 0.08,
  ui_bug: 0.04,
};
const INCIDENT_CATEGORIES = Object.keys(INCIDENT_WEIGHTS) as DemoCategory[];
const INCIDENT_WEIGHT_LIST = INCIDENT_CATEGORIES.map((c) => INCIDENT_WEIGHTS[c]);

const CHANNEL_SETS: readonly Channel[][] = [['twitter'], ['twitter', 'email'], ['email'], ['twitter', 'email', 'beta_form']];
const CHANNEL_SET_WEIGHTS = [0.45, 0.25, 0.15, 0.15];
const APP_CHANNEL_SETS: readonly Channel[][] = [['beta_form', 'twitter'], ['twitter'], ['twitter', 'email', 'beta_form']];

/** Share of an incident's extra complaints per listed channel. */
export function incidentChannelShares(channels: readonly Channel[]): number[] {
  if (channels.length === 1) return [1];
  if (channels.length === 2) return [0.7, 0.3];
  return channels.map((c) => (c === 'twitter' ? 0.55 : c === 'email' ? 0.35 : 0.1));
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly stepMs: number;
  readonly incidentEveryMs: number;
  readonly incidentLengthMs: number;
  /** When the demo first started (epoch ms): adds the first incident (see the file comment). */
  readonly startedAt?: number;
}

function alignUp(t: number, step: number): number {
  return Math.ceil(t / step) * step;
}

/** Mean of `length × 2^u`, u uniform in [−1, 1]: lengths vary 0.5–2× around the configured one. */
const LENGTH_SPREAD_MEAN = 1.5 / Math.log(4);

export class DemoSchedule {
  private readonly epochMs: number;
  private readonly incidentCache = new Map<number, readonly DemoIncident[]>();
  private readonly surgeCache = new Map<number, readonly DemoSurge[]>();
  /** The first incident (with `startedAt`), or null. */
  readonly first: DemoIncident | null;

  constructor(private readonly options: ScheduleOptions) {
    // Long enough for a few incidents per epoch, a whole number of days.
    this.epochMs = DAY_MS * Math.max(1, Math.ceil((8 * options.incidentEveryMs) / DAY_MS));
    this.first = options.startedAt === undefined ? null : this.firstIncident(options.startedAt);
  }

  private firstIncident(startedAt: number): DemoIncident {
    const { seed, stepMs, incidentLengthMs } = this.options;
    const rand = keyedRand(seed, SALT_FIRST);
    const length = Math.max(stepMs, Math.round(incidentLengthMs / stepMs) * stepMs);
    let start = alignUp(startedAt + uniform(rand, FIRST_AFTER_MS[0], FIRST_AFTER_MS[1]), stepMs);
    // Events never cross an epoch boundary: one that would ends at it instead.
    const epochEnd = (Math.floor(start / this.epochMs) + 1) * this.epochMs;
    if (start + length > epochEnd) start = epochEnd - length;
    // Never the category of the incident just before or after it (as the schedule never repeats one).
    const neighbours = new Set(
      [Math.floor((start - DAY_MS) / this.epochMs), Math.floor(start / this.epochMs), Math.floor((start + DAY_MS) / this.epochMs)]
        .filter((e, i, all) => all.indexOf(e) === i)
        .flatMap((e) => this.scheduledOfEpoch(e))
        .filter((i) => i.end <= start - FIRST_CLEAR_BEFORE_MS || i.start >= start + length + FIRST_CLEAR_AFTER_MS)
        .sort((a, b) => a.start - b.start)
        .filter((i, k, all) => (i.end <= start && (all[k + 1]?.end ?? Infinity) > start) || (i.start >= start && (all[k - 1]?.start ?? -Infinity) < start))
        .map((i) => i.category),
    );
    const preferred = pick(rand, FIRST_CATEGORIES);
    const category = neighbours.has(preferred) ? (FIRST_CATEGORIES.find((c) => !neighbours.has(c)) ?? preferred) : preferred;
    const factor = Math.round(uniform(rand, 6, 10) * 10) / 10;
    const channels = [...(CHANNEL_SETS[weightedIndex(rand, CHANNEL_SET_WEIGHTS)] ?? ['twitter'])];
    return { id: `demo:${seed}:incident:${start}`, category, start, end: start + length, factor, channels, metricsFirst: true };
  }

  /** The epoch's scheduled incidents, with the first incident in place of those it would overlap. */
  private incidentsOfEpoch(epoch: number): readonly DemoIncident[] {
    const first = this.first;
    const scheduled = this.scheduledOfEpoch(epoch);
    if (first === null) return scheduled;
    const epochStart = epoch * this.epochMs;
    const clearFrom = first.start - FIRST_CLEAR_BEFORE_MS;
    const clearTo = first.end + FIRST_CLEAR_AFTER_MS;
    if (clearTo <= epochStart || clearFrom >= epochStart + this.epochMs) return scheduled;
    const kept = scheduled.filter((i) => i.end <= clearFrom || i.start >= clearTo);
    if (first.start >= epochStart && first.start < epochStart + this.epochMs) kept.push(first);
    return kept.sort((a, b) => a.start - b.start);
  }

  private scheduledOfEpoch(epoch: number): readonly DemoIncident[] {
    const hit = this.incidentCache.get(epoch);
    if (hit) return hit;
    const { seed, stepMs, incidentEveryMs, incidentLengthMs } = this.options;
    const rand = keyedRand(seed, SALT_INCIDENTS, epoch);
    const epochStart = epoch * this.epochMs;
    const epochEnd = epochStart + this.epochMs;
    const meanGap = Math.max(stepMs, incidentEveryMs - incidentLengthMs * LENGTH_SPREAD_MEAN);
    const list: DemoIncident[] = [];
    let cursor = alignUp(epochStart + rand() * incidentEveryMs, stepMs);
    let previous: DemoCategory | null = null;
    for (;;) {
      const length = Math.max(stepMs, Math.round((incidentLengthMs * 2 ** uniform(rand, -1, 1)) / stepMs) * stepMs);
      const start = cursor;
      const end = start + length;
      if (end > epochEnd) break;
      let category = INCIDENT_CATEGORIES[weightedIndex(rand, INCIDENT_WEIGHT_LIST)] ?? 'login';
      while (category === previous) category = INCIDENT_CATEGORIES[weightedIndex(rand, INCIDENT_WEIGHT_LIST)] ?? 'login';
      previous = category;
      const factor = Math.round(uniform(rand, 4, 10) * 10) / 10;
      const channels = [...(category === 'app_crash' || category === 'ui_bug' ? pick(rand, APP_CHANNEL_SETS) : (CHANNEL_SETS[weightedIndex(rand, CHANNEL_SET_WEIGHTS)] ?? ['twitter']))];
      list.push({ id: `demo:${seed}:incident:${start}`, category, start, end, factor, channels });
      const gap = Math.max(stepMs, Math.round((meanGap * uniform(rand, 0.3, 1.7)) / stepMs) * stepMs);
      cursor = end + gap;
    }
    this.remember(this.incidentCache, epoch, list);
    return list;
  }

  private surgesOfDay(day: number): readonly DemoSurge[] {
    const hit = this.surgeCache.get(day);
    if (hit) return hit;
    const rand = keyedRand(this.options.seed, SALT_SURGES, day);
    const dayStart = day * DAY_MS - MOSCOW_OFFSET_MS; // Moscow midnight
    const list: DemoSurge[] = [];
    // Newsletters go out in working hours: a few slots a day, each used now and then.
    for (const slotHour of [10.5, 13, 16.5, 19.5]) {
      const used = rand() < 0.3;
      const jitter = uniform(rand, -0.6, 0.6);
      const minutes = Math.round(uniform(rand, 20, 60));
      const factor = Math.round(uniform(rand, 1.5, 2.5) * 100) / 100;
      if (!used) continue;
      const start = alignUp(dayStart + (slotHour + jitter) * HOUR_MS, MINUTE_MS);
      list.push({ start, end: start + minutes * MINUTE_MS, factor });
    }
    this.remember(this.surgeCache, day, list);
    return list;
  }

  private remember<T>(cache: Map<number, T>, key: number, value: T): void {
    if (cache.size >= 64) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, value);
  }

  /** Incidents overlapping [from, to), oldest first. */
  incidentsBetween(from: number, to: number): DemoIncident[] {
    const out: DemoIncident[] = [];
    if (!(to > from)) return out;
    const first = Math.floor(from / this.epochMs);
    const last = Math.floor((to - 1) / this.epochMs);
    for (let e = first; e <= last; e++) {
      for (const inc of this.incidentsOfEpoch(e)) if (inc.end > from && inc.start < to) out.push(inc);
    }
    return out;
  }

  /** The incident covering `t`, if any (incidents never overlap). */
  incidentAt(t: number): DemoIncident | null {
    const list = this.incidentsOfEpoch(Math.floor(t / this.epochMs));
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const inc = list[mid];
      if (!inc) break;
      if (t < inc.start) hi = mid - 1;
      else if (t >= inc.end) lo = mid + 1;
      else return inc;
    }
    return null;
  }

  /** Surges overlapping [from, to), oldest first. */
  surgesBetween(from: number, to: number): DemoSurge[] {
    const out: DemoSurge[] = [];
    if (!(to > from)) return out;
    const first = Math.floor((from + MOSCOW_OFFSET_MS) / DAY_MS);
    const last = Math.floor((to - 1 + MOSCOW_OFFSET_MS) / DAY_MS);
    for (let d = first; d <= last; d++) {
      for (const s of this.surgesOfDay(d)) if (s.end > from && s.start < to) out.push(s);
    }
    return out;
  }

  /** Traffic multiplier at `t` from surges: a fast rise (4 min), a plateau, a slow fade over the last 40%. */
  surgeFactor(t: number): number {
    const day = Math.floor((t + MOSCOW_OFFSET_MS) / DAY_MS);
    let factor = 1;
    for (const s of this.surgesOfDay(day)) {
      if (t < s.start || t >= s.end) continue;
      const len = s.end - s.start;
      const into = t - s.start;
      const rise = Math.min(1, (into + MINUTE_MS) / (4 * MINUTE_MS));
      const fadeFrom = 0.6 * len;
      const fade = into < fadeFrom ? 1 : Math.max(0, 1 - (into - fadeFrom) / (len - fadeFrom));
      factor *= 1 + (s.factor - 1) * Math.min(rise, fade);
    }
    return factor;
  }
}
