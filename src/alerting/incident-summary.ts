/**
 * An incident in words, pure: the one sentence at the top of the incident page, and "copy summary" —
 * a plain-text status update for a status page or a chat (what, since when, how big against the
 * baseline, owner, state, the biggest clusters of near-duplicate complaints, what moved with it).
 *
 * In English (the default) or Russian (`locale: 'ru'`, for the dashboard's Russian UI: the same facts in
 * Russian phrasing, numbers and weekdays formatted for ru-RU, times in the configured time zone as in
 * English). Notifications have their own language setting (`alerting.language`, notification-words.ts).
 * Plain text only: message texts go in as they are (PII masked).
 *
 * @example incidentSummary({ ... }) // "[FIRING] Login complaints: 10.3× normal, 412 since 14:03 against 40 expected.\nSince: …"
 */
import type { AlertState, Severity } from '../domain/alert.js';
import type { Direction } from '../domain/anomaly.js';
import type { CorrelatedEvidence } from './evidence.js';
import { channelPhrase, correlatedPhrase, durationText } from './notification.js';
import { maskPii } from './pii.js';
import { formatClock, formatWeekdayTime, localParts } from './time-zone.js';

/** The languages the summary speaks (the dashboard's languages). */
export const SUMMARY_LOCALES = ['en', 'ru'] as const;
export type SummaryLocale = (typeof SUMMARY_LOCALES)[number];

export interface IncidentSummaryInput {
  readonly state: AlertState;
  readonly severity: Severity;
  /** The display label of the headline series ("Login complaints"). */
  readonly label: string;
  /** Which way the headline series left its band. */
  readonly direction: Direction;
  /** When the headline series left its band, and when the incident ended (null: still open). */
  readonly onset: number;
  readonly endedAt: number | null;
  /** Sum of the series from the onset to the end (or now), and what the detector expected there. */
  readonly count: number;
  readonly expected: number | null;
  readonly now: number;
  readonly timezone: string;
  /** Names, not ids. */
  readonly owner: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: number | null;
  readonly channels: readonly { readonly channel: string; readonly count: number }[];
  /** Biggest clusters of near-duplicate complaints, biggest first: how many, and the representative text. */
  readonly clusters: readonly { readonly count: number; readonly text: string }[];
  readonly correlated?: readonly CorrelatedEvidence[];
  /** The incident page, when the deployment knows its public URL. */
  readonly link: string | null;
  readonly maxClusters?: number;
  /** The language of the text; English by default. */
  readonly locale?: SummaryLocale;
  /** A channel in the text's language (`email` → "эл. почта"); the key as it is without it. */
  readonly channelName?: (channel: string) => string;
}

const CLUSTER_CHARS = 160;

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 1 : 0);
}

function oneLine(text: string, max: number): string {
  const flat = maskPii(text).replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** How far from normal: "10.3× normal", "40% below normal" (ru: "×10,3 от нормы", "на 40% ниже нормы"); null without an expectation. */
export function sizeVsNormal(count: number, expected: number | null, direction: Direction, locale: SummaryLocale = 'en'): string | null {
  if (expected === null || expected <= 0) return null;
  const ratio = count / expected;
  if (direction === 'down' || ratio < 1) {
    const percent = Math.round((1 - ratio) * 100);
    return locale === 'ru' ? `на ${ruNum(percent)}% ниже нормы` : `${percent}% below normal`;
  }
  const r = Math.round(ratio * 10) / 10;
  return locale === 'ru' ? `×${ruNum(r)} от нормы` : `${r}× normal`;
}

// ---- Russian --------------------------------------------------------------------------------------

const RU_NUMBER = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 });

/** A number as ru-RU writes it: "1 075", "10,3" (the same rounding as `num`). */
function ruNum(x: number): string {
  return RU_NUMBER.format(Number.isInteger(x) ? x : Number(x.toFixed(x < 10 ? 1 : 0)));
}

const RU_STATES: Readonly<Record<AlertState, string>> = {
  pending: 'ожидает',
  firing: 'активен',
  resolved: 'решён',
  cancelled: 'отменён',
};
const RU_SEVERITIES: Readonly<Record<Severity, string>> = { info: 'инфо', warning: 'предупреждение', critical: 'критично' };

/** "пн 14:03": the weekday (ru-RU) and time of `t` in `timeZone`. */
function ruWeekdayTime(t: number, timeZone: string): string {
  const weekday = new Intl.DateTimeFormat('ru-RU', { weekday: 'short', timeZone }).format(new Date(t));
  return `${weekday} ${formatClock(localParts(t, timeZone))}`;
}

/** "1 ч 5 мин", "12 мин", "40 с". */
function ruDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} с`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} мин`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? `${h} ч` : `${h} ч ${rest} мин`;
}

function ruLead(leadMs: number): string {
  const min = Math.round(leadMs / 60_000);
  return min < 0 ? `начался на ${-min} мин раньше` : `начался на ${min} мин позже`;
}

function ruHeadline(input: IncidentSummaryInput): string {
  const at = (t: number) => formatClock(localParts(t, input.timezone));
  const size = sizeVsNormal(input.count, input.expected, input.direction, 'ru');
  const against = input.expected === null ? '' : ` при ожидании ${ruNum(Math.round(input.expected * 10) / 10)}`;
  if (input.state === 'resolved' || input.state === 'cancelled') {
    const range = `с ${at(input.onset)} до ${at(input.endedAt ?? input.now)}`;
    return `${input.label}: ${size === null ? 'аномалия' : `было ${size}`} ${range} (${ruNum(input.count)}${against}); вернулось к норме.`;
  }
  return size === null
    ? `${input.label}: аномалия, ${ruNum(input.count)} с ${at(input.onset)} (нормы ещё нет).`
    : `${input.label}: ${size}, ${ruNum(input.count)} с ${at(input.onset)}${against}.`;
}

function ruSummary(input: IncidentSummaryInput): string {
  const tz = input.timezone;
  const end = input.endedAt ?? input.now;
  const lines: string[] = [`[${RU_STATES[input.state].toUpperCase()}] ${ruHeadline(input)}`];
  lines.push(`Начало: ${ruWeekdayTime(input.onset, tz)} (${tz}), ${input.endedAt === null ? 'идёт ' : 'длилось '}${ruDuration(end - input.onset)}`);
  const size = sizeVsNormal(input.count, input.expected, input.direction, 'ru');
  lines.push(
    input.expected === null
      ? `Объём: ${ruNum(input.count)} (нормы ещё нет)`
      : `Объём: ${ruNum(input.count)} при ожидании ${ruNum(Math.round(input.expected * 10) / 10)}${size === null ? '' : ` (${size})`}`,
  );
  const ack = input.acknowledgedAt !== null ? `подтвердил ${input.acknowledgedBy ?? '?'} в ${formatClock(localParts(input.acknowledgedAt, tz))}` : 'не подтверждён';
  lines.push(`Ответственный: ${input.owner ?? 'никто'} (${ack})`);
  lines.push(`Состояние: ${RU_STATES[input.state]}, важность: ${RU_SEVERITIES[input.severity]}`);
  if (input.channels.length > 0) lines.push(`Каналы: ${input.channels.map((c) => `${input.channelName?.(c.channel) ?? c.channel}: ${ruNum(c.count)}`).join(', ')}`);
  const clusters = input.clusters.slice(0, input.maxClusters ?? 3).filter((c) => c.text.trim() !== '');
  if (clusters.length > 0) {
    lines.push('Главные жалобы:');
    for (const c of clusters) lines.push(`- ${ruNum(c.count)} × «${oneLine(c.text, CLUSTER_CHARS)}»`);
  }
  const moved = (input.correlated ?? []).map((c) => `${c.label} ${c.size}${Math.round(c.leadMs / 60_000) === 0 ? '' : ` (${ruLead(c.leadMs)})`}`);
  if (moved.length > 0) lines.push(`Одновременно: ${moved.join(', ')}`);
  if (input.link !== null) lines.push(`Подробнее: ${input.link}`);
  return lines.join('\n');
}

/**
 * What is wrong, in one sentence: "Login complaints: 10.3× normal, 412 since 14:03 against 40
 * expected." — or, once over, "Login complaints: was 10.3× normal from 14:03 to 15:10 (412 against 40
 * expected); back to normal."
 */
export function incidentHeadline(input: IncidentSummaryInput): string {
  if (input.locale === 'ru') return ruHeadline(input);
  const at = (t: number) => formatClock(localParts(t, input.timezone));
  const size = sizeVsNormal(input.count, input.expected, input.direction);
  const against = input.expected === null ? '' : ` against ${num(Math.round(input.expected * 10) / 10)} expected`;
  const over = input.state === 'resolved' || input.state === 'cancelled';
  if (over) {
    const range = `from ${at(input.onset)} to ${at(input.endedAt ?? input.now)}`;
    return `${input.label}: ${size === null ? 'anomalous' : `was ${size}`} ${range} (${num(input.count)}${against}); back to normal.`;
  }
  return size === null
    ? `${input.label}: anomalous, ${num(input.count)} since ${at(input.onset)} (no baseline yet).`
    : `${input.label}: ${size}, ${num(input.count)} since ${at(input.onset)}${against}.`;
}

/** The plain-text status update ("copy summary"), one fact per line. */
export function incidentSummary(input: IncidentSummaryInput): string {
  if (input.locale === 'ru') return ruSummary(input);
  const tz = input.timezone;
  const end = input.endedAt ?? input.now;
  const lines: string[] = [`[${input.state.toUpperCase()}] ${incidentHeadline(input)}`];
  lines.push(`Since: ${formatWeekdayTime(input.onset, tz)} (${tz}), ${input.endedAt === null ? 'for ' : 'lasted '}${durationText(end - input.onset)}`);
  const size = sizeVsNormal(input.count, input.expected, input.direction);
  lines.push(
    input.expected === null
      ? `Size: ${num(input.count)} (no baseline yet)`
      : `Size: ${num(input.count)} against ${num(Math.round(input.expected * 10) / 10)} expected${size === null ? '' : ` (${size})`}`,
  );
  const ack = input.acknowledgedAt !== null ? `acknowledged by ${input.acknowledgedBy ?? '?'} at ${formatClock(localParts(input.acknowledgedAt, tz))}` : 'not acknowledged';
  lines.push(`Owner: ${input.owner ?? 'nobody'} (${ack})`);
  lines.push(`State: ${input.state}, severity ${input.severity}`);
  if (input.channels.length > 0) lines.push(`Channels: ${input.channels.map((c) => channelPhrase(c.channel, c.count)).join(', ')}`);
  const clusters = input.clusters.slice(0, input.maxClusters ?? 3).filter((c) => c.text.trim() !== '');
  if (clusters.length > 0) {
    lines.push('Top complaints:');
    for (const c of clusters) lines.push(`- ${c.count} × "${oneLine(c.text, CLUSTER_CHARS)}"`);
  }
  const moved = correlatedPhrase({ correlated: input.correlated ?? [] });
  if (moved !== null) lines.push(`At the same time: ${moved}`);
  if (input.link !== null) lines.push(`Details: ${input.link}`);
  return lines.join('\n');
}
