/**
 * The message every notifier renders: built (pure) from an intent, the alert, its evidence and the
 * on-call config. Notifiers format it for their channel; the plain-text `summary` reads like
 * "Login complaints: 46 in the last 15 min, 6.1× normal for Thursday 14:00, since 14:03; 31 tweets,
 * 15 e-mails; rising words: 'password', 'код не приходит'; examples: …; owner: Anna (on call); ack: <link>".
 * In the deployment's language (`alerting.language`): every phrase from the dashboard's catalogue through
 * the translator the caller hands in, numbers and weekdays for the locale (see notification-words.ts).
 */
import type { Alert, NotificationKind } from '../domain/alert.js';
import type { NotificationIntent } from './evaluate.js';
import type { Evidence } from './evidence.js';
import type { CompiledOncall, Person } from './oncall.js';
import { ackUrl, signAckToken } from './ack-token.js';
import { wordsFor, type NotificationLang, type NotificationWords } from './notification-words.js';
import type { Translate } from './series-name.js';
import type { WorseDetail } from './worse.js';

export interface Notification {
  readonly key: string;
  readonly kind: NotificationKind;
  readonly at: number;
  readonly alert: Alert;
  /** One line: "[FIRING] Login complaints: 6.1× normal". */
  readonly title: string;
  /** The whole story in one paragraph of plain text. */
  readonly summary: string;
  readonly evidence: Evidence | null;
  /** `worse` only: the series that got worse, its peak now and the one last paged. */
  readonly worse?: WorseDetail;
  readonly owner: Person | null;
  /** Why this person: on call, override, escalated from … */
  readonly ownerRole: string;
  readonly ackUrl: string | null;
  readonly dashboardUrl: string | null;
  readonly timezone: string;
  /**
   * The language it was decided in (`alerting.language`): notifiers word their own lines in it, so a
   * notification queued (outbox, retries) before a restart or a config change reads the same. Absent in
   * notifications queued before it existed: English.
   */
  readonly lang?: NotificationLang;
  /**
   * The configured names (`evidence.labels`) of the series this notification names, so every notifier
   * words the "Also:" and "worse" lines as the summary does; absent when none is configured.
   */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AckLinkOptions {
  readonly secret: string;
  readonly ttlMs: number;
  /** Public base URL of the API (links become `<base>/ack/<token>`). */
  readonly baseUrl: string;
}

export interface BuildNotificationInput {
  readonly intent: Pick<NotificationIntent, 'key' | 'kind' | 'at' | 'owner' | 'worse' | 'by'>;
  readonly alert: Alert;
  readonly evidence: Evidence | null;
  readonly oncall: CompiledOncall;
  /** Null: no signed link (no secret configured). */
  readonly ack: AckLinkOptions | null;
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The language (`alerting.language`) and its translator from the dashboard's catalogue
   * (`src/dashboard/i18n.ts` `translator(lang)`); English without it.
   */
  readonly language?: { readonly lang: NotificationLang; readonly t: Translate };
}

const ENGLISH = wordsFor();

/** "31 tweets", "1 e-mail" (`words`: the notification's language; ru "Twitter: 31"). */
export function channelPhrase(channel: string, count: number, words: NotificationWords = ENGLISH): string {
  return words.channelCount(channel, count);
}

/** "[FIRING]", "[RESOLVED]", … in the notification's language. */
export function kindTag(kind: NotificationKind, { t }: Pick<NotificationWords, 't'> = ENGLISH): string {
  switch (kind) {
    case 'firing':
      return t('FIRING');
    case 'updated':
      return t('FIRING, UPDATED');
    case 'worse':
      return t('FIRING, WORSE');
    case 'repeat':
      return t('STILL FIRING');
    case 'escalated':
      return t('ESCALATED');
    case 'handed_over':
      return t('HANDED OVER');
    case 'resolved':
      return t('RESOLVED');
    case 'test':
      return t('TEST');
  }
}

/** The words a notification's notifiers use: its own language (English for one queued before languages existed). */
export function wordsOf(n: Pick<Notification, 'lang'>, translatorFor: (lang: NotificationLang) => Translate): NotificationWords {
  const lang = n.lang ?? 'en';
  return lang === 'en' ? ENGLISH : wordsFor({ lang, t: translatorFor(lang) });
}

export function buildNotification(input: BuildNotificationInput): Notification {
  const { alert, evidence, oncall, intent } = input;
  const w = wordsFor(input.language);
  const { t, num } = w;
  const tz = oncall.timezone;
  const ownerId = intent.owner ?? alert.owner;
  const owner = ownerId === null ? null : (oncall.people.get(ownerId) ?? { id: ownerId, name: ownerId });
  const lastEscalation = alert.escalations.at(-1);
  const ownerRole =
    intent.kind === 'handed_over'
      ? t('handed over by {who}', { who: oncall.people.get(intent.by ?? '')?.name ?? intent.by ?? t('someone') })
      : lastEscalation !== undefined && lastEscalation.to === ownerId
      ? t('escalated from {who}', { who: oncall.people.get(lastEscalation.from ?? '')?.name ?? lastEscalation.from ?? t('nobody') })
      : t('on call');
  const token =
    input.ack !== null && input.ack.secret !== '' && intent.kind !== 'resolved'
      ? signAckToken(alert.id, intent.at + input.ack.ttlMs, input.ack.secret)
      : null;
  // The ack page opens in the notification's language (it reads `?lang=`); English links stay as they were.
  const link = token === null || input.ack === null ? null : `${ackUrl(input.ack.baseUrl, token)}${w.lang === 'en' ? '' : `?lang=${w.lang}`}`;
  const label = w.label(evidence?.series ?? alert.members[0]?.series ?? alert.groupKey, input.labels, evidence?.label);
  const headline =
    intent.kind === 'resolved'
      ? t('back to normal after {duration}', { duration: w.duration((alert.endedAt ?? intent.at) - alert.startsAt) })
      : evidence?.ratio != null
        ? t('{ratio}× normal', { ratio: num(evidence.ratio) })
        : t('anomaly');
  const title = `[${kindTag(intent.kind, w)}] ${t('{label}: {text}', { label, text: headline })}`;

  const parts: string[] = [];
  if (evidence !== null) {
    let first = t('{count} in the last {minutes} min', { count: num(evidence.count), minutes: num(evidence.window.minutes) });
    if (evidence.ratio !== null) first += `, ${t('{ratio}× normal for {when}', { ratio: num(evidence.ratio), when: w.weekdayTime(evidence.window.from, tz) })}`;
    else if (evidence.expected !== null) first += ` (${t('expected {n}', { n: num(evidence.expected) })})`;
    first += `, ${t('since {time}', { time: w.clock(evidence.since, tz) })}`;
    parts.push(t('{label}: {text}', { label, text: first }));
    if (evidence.channels.length > 0) parts.push(evidence.channels.map((c) => w.channelCount(c.channel, c.count)).join(', '));
    if (evidence.risingTerms.length > 0) parts.push(t('rising words: {words}', { words: evidence.risingTerms.map((r) => `'${r.term}'`).join(', ') }));
    const moved = correlatedPhrase(evidence, w);
    if (moved !== null) parts.push(t('at the same time {list}', { list: moved }));
    if (evidence.examples.length > 0) parts.push(t('examples: {list}', { list: evidence.examples.map((e) => `"${e.text}" (${w.channel(e.channel)})`).join('; ') }));
  } else {
    parts.push(t('{label}: {text}', { label, text: t('anomalous since {time}', { time: w.clock(alert.startsAt, tz) }) }));
  }
  if (intent.worse !== undefined) parts.push(worseText(intent.worse, tz, input.labels, w));
  const others = otherSeriesNames(alert, evidence, w, input.labels);
  if (others !== null) parts.push(t('also: {list}', { list: others }));
  if (intent.kind === 'resolved') parts.push(t('resolved at {time}', { time: w.clock(alert.endedAt ?? intent.at, tz) }));
  if (owner !== null) parts.push(t('owner: {owner}', { owner: `${owner.name} (${ownerRole})` }));
  if (alert.acknowledgedBy !== null) parts.push(t('acknowledged by {who}', { who: oncall.people.get(alert.acknowledgedBy)?.name ?? alert.acknowledgedBy }));
  if (link !== null && alert.acknowledgedAt === null) parts.push(t('ack: {link}', { link }));
  if (evidence?.dashboardUrl) parts.push(t('dashboard: {url}', { url: evidence.dashboardUrl }));

  return {
    key: intent.key,
    kind: intent.kind,
    at: intent.at,
    alert,
    title,
    summary: parts.join('; '),
    evidence,
    ...(intent.worse !== undefined ? { worse: intent.worse } : {}),
    owner,
    ownerRole,
    ackUrl: alert.acknowledgedAt === null ? link : null,
    dashboardUrl: evidence?.dashboardUrl ?? null,
    timezone: tz,
    lang: w.lang,
    ...labelsNamed(input.labels, [...alert.members.map((m) => m.series), ...(intent.worse !== undefined ? [intent.worse.series] : [])]),
  };
}

/** `{ labels }` holding the configured names of `series` (none configured: nothing). */
function labelsNamed(labels: Readonly<Record<string, string>> | undefined, series: readonly string[]): { labels?: Record<string, string> } {
  if (labels === undefined) return {};
  const named = Object.fromEntries(series.filter((s) => Object.hasOwn(labels, s)).map((s) => [s, labels[s] as string]));
  return Object.keys(named).length === 0 ? {} : { labels: named };
}

/**
 * The alert's series besides the headline's, named as the headline is ("Complaints via Twitter", ru
 * "Жалобы, канал: Twitter"), not by their keys; null when there are none.
 */
export function otherSeriesNames(
  alert: Pick<Alert, 'members'>,
  evidence: Pick<Evidence, 'series'> | null,
  words: NotificationWords = ENGLISH,
  labels?: Readonly<Record<string, string>>,
): string | null {
  const headline = evidence?.series ?? alert.members[0]?.series;
  const others = alert.members.map((m) => m.series).filter((s) => s !== headline);
  return others.length === 0 ? null : others.map((s) => words.label(s, labels)).join(', ');
}

/**
 * "worse: Login complaints peaked at 29 at 14:07 (expected 1), 28× further from normal than the 2 (expected 1) paged at 14:01".
 */
export function worseText(w: WorseDetail, timezone: string, labels?: Readonly<Record<string, string>>, words: NotificationWords = ENGLISH): string {
  const { t, num } = words;
  const up = w.peak.value >= w.peak.expected;
  const dev = (p: WorseDetail['peak']) => (up ? p.value - p.expected : p.expected - p.value);
  const base = dev(w.paged);
  const times =
    base > 0 ? t('{ratio}× further from normal than', { ratio: num(Math.round((dev(w.peak) / base) * 10) / 10) }) : t('further from normal than');
  const vars = {
    label: words.label(w.series, labels),
    value: num(w.peak.value),
    time: words.clock(w.peak.t, timezone),
    expected: num(w.peak.expected),
    times,
    paged: num(w.paged.value),
    pagedExpected: num(w.paged.expected),
    pagedTime: words.clock(w.paged.t, timezone),
  };
  return up
    ? t('worse: {label} peaked at {value} at {time} (expected {expected}), {times} the {paged} (expected {pagedExpected}) paged at {pagedTime}', vars)
    : t('worse: {label} fell at {value} at {time} (expected {expected}), {times} the {paged} (expected {pagedExpected}) paged at {pagedTime}', vars);
}

/**
 * The series that moved with the alert, in words: "errors.auth ×9 (started 3 min earlier), logins −40%";
 * null when none did (or the evidence predates correlation).
 */
export function correlatedPhrase(evidence: Pick<Evidence, 'correlated'>, words: NotificationWords = ENGLISH): string | null {
  const list = evidence.correlated ?? [];
  if (list.length === 0) return null;
  return list
    .map((c) => `${words.label(c.series, {}, c.label)} ${words.size(c)}${Math.round(c.leadMs / 60_000) === 0 ? '' : ` (${words.lead(c.leadMs)})`}`)
    .join(', ');
}

/** "1 h 5 min", "12 min", "40 s". */
export function durationText(ms: number, words: NotificationWords = ENGLISH): string {
  return words.duration(ms);
}
