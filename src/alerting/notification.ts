/**
 * The message every notifier renders: built (pure) from an intent, the alert, its evidence and the
 * on-call config. Notifiers format it for their channel; the plain-text `summary` reads like
 * "Login complaints: 46 in the last 15 min, 6.1× normal for Thursday 14:00, since 14:03; 31 tweets,
 * 15 e-mails; rising words: 'password', 'код не приходит'; examples: …; owner: Anna (on call); ack: <link>".
 */
import type { Alert, NotificationKind } from '../domain/alert.js';
import type { NotificationIntent } from './evaluate.js';
import type { Evidence } from './evidence.js';
import type { CompiledOncall, Person } from './oncall.js';
import { ackUrl, signAckToken } from './ack-token.js';
import { leadText } from './correlation.js';
import { seriesLabel } from './series-name.js';
import { formatClock, formatWeekdayTime, localParts } from './time-zone.js';
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
}

const CHANNEL_NOUNS: Readonly<Record<string, [string, string]>> = {
  twitter: ['tweet', 'tweets'],
  email: ['e-mail', 'e-mails'],
  beta_form: ['beta report', 'beta reports'],
  api: ['API report', 'API reports'],
};

export function channelPhrase(channel: string, count: number): string {
  const nouns = CHANNEL_NOUNS[channel] ?? [`${channel} message`, `${channel} messages`];
  return `${count} ${count === 1 ? nouns[0] : nouns[1]}`;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 1 : 0);
}

const KIND_TAGS: Readonly<Record<NotificationKind, string>> = {
  firing: 'FIRING',
  updated: 'FIRING, UPDATED',
  worse: 'FIRING, WORSE',
  repeat: 'STILL FIRING',
  escalated: 'ESCALATED',
  handed_over: 'HANDED OVER',
  resolved: 'RESOLVED',
  test: 'TEST',
};

export function buildNotification(input: BuildNotificationInput): Notification {
  const { alert, evidence, oncall, intent } = input;
  const tz = oncall.timezone;
  const ownerId = intent.owner ?? alert.owner;
  const owner = ownerId === null ? null : (oncall.people.get(ownerId) ?? { id: ownerId, name: ownerId });
  const lastEscalation = alert.escalations.at(-1);
  const ownerRole =
    intent.kind === 'handed_over'
      ? `handed over by ${oncall.people.get(intent.by ?? '')?.name ?? intent.by ?? 'someone'}`
      : lastEscalation !== undefined && lastEscalation.to === ownerId
      ? `escalated from ${oncall.people.get(lastEscalation.from ?? '')?.name ?? lastEscalation.from ?? 'nobody'}`
      : 'on call';
  const token =
    input.ack !== null && input.ack.secret !== '' && intent.kind !== 'resolved'
      ? signAckToken(alert.id, intent.at + input.ack.ttlMs, input.ack.secret)
      : null;
  const link = token === null || input.ack === null ? null : ackUrl(input.ack.baseUrl, token);
  const label = evidence?.label ?? seriesLabel(alert.members[0]?.series ?? alert.groupKey, input.labels);
  const headline =
    intent.kind === 'resolved'
      ? `back to normal after ${durationText((alert.endedAt ?? intent.at) - alert.startsAt)}`
      : evidence?.ratio != null
        ? `${formatNumber(evidence.ratio)}× normal`
        : 'anomaly';
  const title = `[${KIND_TAGS[intent.kind]}] ${label}: ${headline}`;

  const parts: string[] = [];
  if (evidence !== null) {
    let first = `${evidence.label}: ${formatNumber(evidence.count)} in the last ${evidence.window.minutes} min`;
    if (evidence.ratio !== null) first += `, ${formatNumber(evidence.ratio)}× normal for ${formatWeekdayTime(evidence.window.from, tz)}`;
    else if (evidence.expected !== null) first += ` (expected ${formatNumber(evidence.expected)})`;
    first += `, since ${formatClock(localParts(evidence.since, tz))}`;
    parts.push(first);
    if (evidence.channels.length > 0) parts.push(evidence.channels.map((c) => channelPhrase(c.channel, c.count)).join(', '));
    if (evidence.risingTerms.length > 0) parts.push(`rising words: ${evidence.risingTerms.map((r) => `'${r.term}'`).join(', ')}`);
    const moved = correlatedPhrase(evidence);
    if (moved !== null) parts.push(`at the same time ${moved}`);
    if (evidence.examples.length > 0) parts.push(`examples: ${evidence.examples.map((e) => `"${e.text}" (${e.channel})`).join('; ')}`);
  } else {
    parts.push(`${label}: anomalous since ${formatClock(localParts(alert.startsAt, tz))}`);
  }
  if (intent.worse !== undefined) parts.push(worseText(intent.worse, tz, input.labels));
  const headlineSeries = evidence?.series ?? alert.members[0]?.series;
  const others = alert.members.map((m) => m.series).filter((s) => s !== headlineSeries);
  if (others.length > 0) parts.push(`also: ${others.join(', ')}`);
  if (intent.kind === 'resolved') parts.push(`resolved at ${formatClock(localParts(alert.endedAt ?? intent.at, tz))}`);
  if (owner !== null) parts.push(`owner: ${owner.name} (${ownerRole})`);
  if (alert.acknowledgedBy !== null) parts.push(`acknowledged by ${oncall.people.get(alert.acknowledgedBy)?.name ?? alert.acknowledgedBy}`);
  if (link !== null && alert.acknowledgedAt === null) parts.push(`ack: ${link}`);
  if (evidence?.dashboardUrl) parts.push(`dashboard: ${evidence.dashboardUrl}`);

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
  };
}

/**
 * "worse: Login complaints peaked at 29 at 14:07 (expected 1), 28× further from normal than the 2 (expected 1) paged at 14:01".
 */
export function worseText(w: WorseDetail, timezone: string, labels?: Readonly<Record<string, string>>): string {
  const up = w.peak.value >= w.peak.expected;
  const dev = (p: WorseDetail['peak']) => (up ? p.value - p.expected : p.expected - p.value);
  const base = dev(w.paged);
  const times = base > 0 ? `${formatNumber(Math.round((dev(w.peak) / base) * 10) / 10)}× further from normal than` : 'further from normal than';
  return (
    `worse: ${seriesLabel(w.series, labels)} ${up ? 'peaked' : 'fell'} at ${formatNumber(w.peak.value)} at ${formatClock(localParts(w.peak.t, timezone))} ` +
    `(expected ${formatNumber(w.peak.expected)}), ${times} the ${formatNumber(w.paged.value)} (expected ${formatNumber(w.paged.expected)}) ` +
    `paged at ${formatClock(localParts(w.paged.t, timezone))}`
  );
}

/**
 * The series that moved with the alert, in words: "errors.auth ×9 (started 3 min earlier), logins −40%";
 * null when none did (or the evidence predates correlation).
 */
export function correlatedPhrase(evidence: Pick<Evidence, 'correlated'>): string | null {
  const list = evidence.correlated ?? [];
  if (list.length === 0) return null;
  return list.map((c) => `${c.label} ${c.size}${Math.round(c.leadMs / 60_000) === 0 ? '' : ` (${leadText(c.leadMs)})`}`).join(', ');
}

/** "1 h 5 min", "12 min", "40 s". */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}
