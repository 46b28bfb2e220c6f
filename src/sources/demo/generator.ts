/**
 * PURE: the built-in demo source. `minute(t)` gives the traffic and the messages of one bucket as a
 * function of (seed, t) only: no IO, no clock, no Math.random. The same call always gives the same
 * messages with the same ids, so a backfill and the live stream agree and a restart re-produces ids
 * that ingest dedupes.
 *
 * Complaints arrive at `complaintsPerMillionVisits` × traffic (Poisson), split over the categories;
 * chatter (praise, questions, news, jokes, ads, "works again", complaints about other services) comes
 * at about 1.5× the complaints. Incidents multiply one category 4–10×; traffic surges (newsletters)
 * raise everything in proportion and are not incidents. Public posts are spread over X, VK, Telegram (the
 * support group), Reddit, Mastodon and Bluesky (social.ts); the rest is support mail and the beta form.
 */
import type { Channel, Lang, Message } from '../../domain/message.js';
import { authorHandle, authorId, drawAuthor, tweetLink, tweetStatusId } from './authors.js';
import { composeText, type DemoChannel, type Topic } from './compose.js';
import { CHATTER_KINDS, DEMO_CATEGORIES, type ChatterKind, type DemoCategory, type LangBank } from './phrase-bank.js';
import { EN } from './phrases-en.js';
import { RU } from './phrases-ru.js';
import { hashKey, keyedRand, poisson, weightedIndex, type Rand } from './prng.js';
import { createDemoMetrics, type DemoMetric, type DemoMetricIncident } from './metrics.js';
import { DemoSchedule, incidentChannelShares, type DemoIncident, type DemoSurge } from './schedule.js';
import { MINUTE_MS, seasonalShape, trafficNoise } from './traffic.js';
import { socialChannel, socialLink } from './social.js';

export type { DemoIncident, DemoSurge } from './schedule.js';

export interface DemoOptions {
  readonly seed: number;
  /** Visits per minute at the weekday daily peak. */
  readonly peakTrafficPerMinute: number;
  /** Complaints per million visits, outside incidents. */
  readonly complaintsPerMillionVisits: number;
  /** Mean time from one incident's start to the next. */
  readonly incidentEveryMs: number;
  /** Mean incident length (each varies 0.5–2× around it). */
  readonly incidentLengthMs: number;
  /** Bucket length; `minute(t)` takes bucket starts (multiples of it). Normally 60_000. */
  readonly stepMs: number;
  /**
   * When the demo first started (epoch ms): the schedule then holds a first incident 30–45 min later that
   * shows in the service metrics first (see schedule.ts). Absent: no such incident.
   */
  readonly startedAt?: number;
}

export interface DemoMinute {
  /** Bucket start, epoch ms. */
  readonly t: number;
  /** Visits in the bucket. */
  readonly traffic: number;
  /** Messages written in the bucket, by `createdAt`. */
  readonly messages: Message[];
  /** Incidents active in the bucket (at most one). */
  readonly incidents: DemoIncident[];
  /** The service metrics of the bucket (`errors.<service>`, `logins`, `letters.sent`; see metrics.ts). */
  readonly metrics: Record<DemoMetric, number>;
}

export interface DemoGenerator {
  minute(t: number): DemoMinute;
  /** Incidents overlapping [from, to), oldest first. */
  incidentsBetween(from: number, to: number): DemoIncident[];
  /** Traffic surges (newsletters) overlapping [from, to): complaints rise with traffic, no incident. */
  surgesBetween(from: number, to: number): DemoSurge[];
  /** Visits in the bucket at `t` (what `minute(t).traffic` gives, without generating messages). */
  trafficAt(t: number): number;
  /** The service metrics at `t` (what `minute(t).metrics` gives, without generating messages). */
  metricsAt(t: number): Record<DemoMetric, number>;
  /** How incidents show in the metrics (metrics first, complaints only, metrics only) overlapping [from, to). */
  metricIncidentsBetween(from: number, to: number): DemoMetricIncident[];
  /** The complaint categories the demo writes about. */
  readonly categories: readonly string[];
}

/** What a demo message really is, in `meta.truth`, so the classifier can be scored on the demo stream. */
export interface DemoTruth {
  readonly complaint: boolean;
  readonly category: DemoCategory | null;
  /** `complaint`, or the chatter kind (`question`, `resolved`, `other_service`...). */
  readonly kind: 'complaint' | ChatterKind;
  /** The language it is written in (the message's `lang` is often null, as from real sources). */
  readonly lang: Lang;
  /** Russian with an English insert or the other way round (such messages carry `lang: null`). */
  readonly mixed: boolean;
}

/** Share of complaints per category outside incidents. */
export const CATEGORY_SHARES: Readonly<Record<DemoCategory, number>> = {
  login: 0.22,
  slow: 0.16,
  send_fail: 0.12,
  delivery: 0.14,
  attachments: 0.09,
  antivirus: 0.04,
  spam: 0.12,
  app_crash: 0.07,
  ui_bug: 0.04,
};

/** Chatter (non-complaints) per complaint, on average. */
export const CHATTER_PER_COMPLAINT = 1.5;

const CHATTER_SHARES: Readonly<Record<ChatterKind, number>> = {
  praise: 0.15,
  question: 0.2,
  mention: 0.15,
  news: 0.06,
  joke: 0.07,
  ad: 0.07,
  resolved: 0.11,
  other_service: 0.11,
  suggestion: 0.08,
};

const CHANNELS: readonly DemoChannel[] = ['twitter', 'email', 'beta_form'];
const COMPLAINT_CHANNELS: Readonly<Record<DemoCategory, readonly number[]>> = {
  login: [0.52, 0.38, 0.1],
  slow: [0.56, 0.32, 0.12],
  send_fail: [0.46, 0.44, 0.1],
  delivery: [0.44, 0.5, 0.06],
  attachments: [0.42, 0.46, 0.12],
  antivirus: [0.36, 0.56, 0.08],
  spam: [0.46, 0.49, 0.05],
  app_crash: [0.46, 0.22, 0.32],
  ui_bug: [0.42, 0.24, 0.34],
};
const CHATTER_CHANNELS: Readonly<Record<ChatterKind, readonly number[]>> = {
  praise: [0.6, 0.3, 0.1],
  question: [0.35, 0.6, 0.05],
  mention: [1, 0, 0],
  news: [1, 0, 0],
  joke: [1, 0, 0],
  ad: [0.45, 0.55, 0],
  resolved: [0.5, 0.35, 0.15],
  other_service: [0.8, 0.2, 0],
  suggestion: [0.05, 0.35, 0.6],
};

const RU_SHARE = 0.55;
const MIXED_RATE: Readonly<Record<Lang, number>> = { ru: 0.06, en: 0.03 };
/** How often the channel itself tells the language (Twitter does; mail rarely; the form by its locale). */
const LANG_KNOWN: Readonly<Record<DemoChannel, number>> = { twitter: 0.8, email: 0.2, beta_form: 0.6 };
const BANKS: Readonly<Record<Lang, LangBank>> = { ru: RU, en: EN };

const SALT_MESSAGES = 41;

interface Draft {
  readonly topic: Topic;
  readonly channel: DemoChannel;
  readonly incident: string | null;
  readonly offset: number;
}

function validate(options: DemoOptions): void {
  const positive: Array<'peakTrafficPerMinute' | 'complaintsPerMillionVisits' | 'incidentEveryMs' | 'incidentLengthMs' | 'stepMs'> = ['peakTrafficPerMinute', 'complaintsPerMillionVisits', 'incidentEveryMs', 'incidentLengthMs', 'stepMs'];
  for (const key of positive) {
    const value = options[key];
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`demo: ${key} must be a positive number, got ${value}`);
  }
  if (!Number.isInteger(options.seed)) throw new RangeError(`demo: seed must be an integer, got ${options.seed}`);
  if (!Number.isInteger(options.stepMs)) throw new RangeError(`demo: stepMs must be whole milliseconds, got ${options.stepMs}`);
  if (options.startedAt !== undefined && !Number.isFinite(options.startedAt)) throw new RangeError(`demo: startedAt must be a time in epoch ms, got ${options.startedAt}`);
}

/**
 * The demo generator for one seed.
 *
 * @example
 * const demo = createDemoGenerator({ seed: 42, peakTrafficPerMinute: 60_000, complaintsPerMillionVisits: 40,
 *   incidentEveryMs: 360_000, incidentLengthMs: 240_000, stepMs: 60_000 });
 * demo.minute(Date.UTC(2026, 0, 5, 9, 0)).messages // the same messages on every call
 */
export function createDemoGenerator(options: DemoOptions): DemoGenerator {
  validate(options);
  const { seed, stepMs } = options;
  const schedule = new DemoSchedule(options);
  const perStep = options.peakTrafficPerMinute * (stepMs / MINUTE_MS);
  const categoryShares = DEMO_CATEGORIES.map((c) => CATEGORY_SHARES[c]);
  const chatterShares = CHATTER_KINDS.map((k) => CHATTER_SHARES[k]);

  const trafficAt = (t: number): number => Math.round(perStep * seasonalShape(t) * trafficNoise(seed, t) * schedule.surgeFactor(t));

  const metrics = createDemoMetrics({ seed, stepMs, trafficAt, incidentsBetween: (from, to) => schedule.incidentsBetween(from, to) });

  const channelOf = (rand: Rand, weights: readonly number[]): DemoChannel => CHANNELS[weightedIndex(rand, weights)] ?? 'twitter';

  const buildMessage = (t: number, n: number, draft: Draft, rand: Rand): Message => {
    const lang: Lang = rand() < RU_SHARE ? 'ru' : 'en';
    const mixed = rand() < MIXED_RATE[lang];
    const composed = composeText({ bank: BANKS[lang], channel: draft.channel, topic: draft.topic, mixed }, rand);
    const createdMs = t + draft.offset;
    const author = drawAuthor(rand);
    const knownLang = !mixed && rand() < LANG_KNOWN[draft.channel];
    const truth: DemoTruth = draft.topic.complaint
      ? { complaint: true, category: draft.topic.category, kind: 'complaint', lang, mixed }
      : { complaint: false, category: null, kind: draft.topic.kind, lang, mixed };
    const meta: Record<string, unknown> = { truth };
    if (draft.incident !== null) meta.incident = draft.incident;
    if (composed.subject !== null) meta.subject = composed.subject;
    // A public post is placed on one social network by a hash (no draw: the rest stays as it was).
    const channel: Channel = draft.channel === 'twitter' ? socialChannel(seed, t, n) : draft.channel;
    const link =
      channel === 'twitter'
        ? tweetLink(authorHandle(seed, author), tweetStatusId(createdMs, hashKey(seed, t, n)))
        : channel === 'vk' || channel === 'telegram' || channel === 'reddit' || channel === 'mastodon' || channel === 'bluesky'
          ? socialLink(channel, seed, author, t, n)
          : null;
    return {
      id: `demo:${seed}:${t}:${n}`,
      channel,
      source: 'demo',
      author: authorId(seed, author),
      text: composed.text,
      lang: knownLang ? lang : null,
      createdAt: new Date(createdMs).toISOString(),
      link,
      meta,
    };
  };

  const minute = (t: number): DemoMinute => {
    if (!Number.isSafeInteger(t) || t % stepMs !== 0) throw new RangeError(`demo: t must be a bucket start (a multiple of ${stepMs} ms), got ${t}`);
    const rand = keyedRand(seed, SALT_MESSAGES, t);
    const traffic = trafficAt(t);
    const mean = (traffic * options.complaintsPerMillionVisits) / 1_000_000;
    const incident = schedule.incidentAt(t);
    const drafts: Draft[] = [];
    const offset = (): number => Math.floor(rand() * stepMs);
    DEMO_CATEGORIES.forEach((category, i) => {
      const base = mean * (categoryShares[i] ?? 0);
      const topic: Topic = { complaint: true, category };
      for (let k = poisson(base, rand); k > 0; k--) drafts.push({ topic, channel: channelOf(rand, COMPLAINT_CHANNELS[category]), incident: null, offset: offset() });
      if (incident?.category === category) {
        const shares = incidentChannelShares(incident.channels);
        for (let k = poisson(base * (incident.factor - 1), rand); k > 0; k--) {
          const channel = (incident.channels[weightedIndex(rand, shares)] ?? 'twitter') as DemoChannel;
          drafts.push({ topic, channel, incident: incident.id, offset: offset() });
        }
      }
    });
    for (let k = poisson(mean * CHATTER_PER_COMPLAINT, rand); k > 0; k--) {
      const kind = CHATTER_KINDS[weightedIndex(rand, chatterShares)] ?? 'praise';
      drafts.push({ topic: { complaint: false, kind }, channel: channelOf(rand, CHATTER_CHANNELS[kind]), incident: null, offset: offset() });
    }
    // Ordered by time written (the sort is stable); the index in that order is the id's last part.
    drafts.sort((a, b) => a.offset - b.offset);
    const messages = drafts.map((draft, n) => buildMessage(t, n, draft, rand));
    return { t, traffic, messages, incidents: incident ? [incident] : [], metrics: metrics.valuesAt(t) };
  };

  return {
    minute,
    trafficAt,
    metricsAt: (t) => metrics.valuesAt(t),
    metricIncidentsBetween: (from, to) => metrics.incidentsBetween(from, to),
    incidentsBetween: (from, to) => schedule.incidentsBetween(from, to),
    surgesBetween: (from, to) => schedule.surgesBetween(from, to),
    categories: DEMO_CATEGORIES,
  };
}
