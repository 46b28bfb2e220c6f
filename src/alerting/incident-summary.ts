/**
 * An incident in words, pure: the one sentence at the top of the incident page, and "copy summary" —
 * a plain-text status update for a status page or a chat (what, since when, how big against the
 * baseline, owner, state, the biggest clusters of near-duplicate complaints, what moved with it).
 *
 * In English (the default) or the dashboard's other language (`language: { lang: 'ru', t }`, for its
 * Russian UI): every phrase through `t`, the translator of the dashboard's catalogue
 * (`static/i18n/ru.json`, English is the key; `src/dashboard/i18n.ts` `translator`, handed in by the
 * caller since this folder reads no files); numbers, weekdays, durations and channels for the locale as
 * notifications word them (notification-words.ts), times in the configured time zone. Notifications have
 * their own language setting (`alerting.language`). Plain text only: message texts go in as they are
 * (PII masked).
 *
 * @example incidentSummary({ ... }) // "[FIRING] Login complaints: 10.3× normal, 412 since 14:03 against 40 expected.\nSince: …"
 */
import type { AlertState, Severity } from '../domain/alert.js';
import type { Direction } from '../domain/anomaly.js';
import type { CorrelatedEvidence } from './evidence.js';
import { correlatedPhrase } from './notification.js';
import { wordsFor, type NotificationLang, type NotificationWords } from './notification-words.js';
import { maskPii } from './pii.js';
import type { Translate } from './series-name.js';

export interface IncidentSummaryInput {
  readonly state: AlertState;
  readonly severity: Severity;
  /** The display label of the headline series, in the text's language ("Login complaints", ru "Жалобы: login"). */
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
  /** What moved with it (labels as the evidence has them; other languages word complaint series from the catalogue). */
  readonly correlated?: readonly CorrelatedEvidence[];
  /** The incident page, when the deployment knows its public URL. */
  readonly link: string | null;
  readonly maxClusters?: number;
  /**
   * The language of the text and its translator from the dashboard's catalogue
   * (`src/dashboard/i18n.ts` `translator(lang)`); English without it.
   */
  readonly language?: { readonly lang: NotificationLang; readonly t: Translate };
}

const ENGLISH = wordsFor();

const CLUSTER_CHARS = 160;

function oneLine(text: string, max: number): string {
  const flat = maskPii(text).replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** How far from normal: "10.3× normal", "40% below normal" (ru: "×10,3 от нормы", "на 40% ниже нормы"); null without an expectation. */
export function sizeVsNormal(count: number, expected: number | null, direction: Direction, words: NotificationWords = ENGLISH): string | null {
  if (expected === null || expected <= 0) return null;
  const { t } = words;
  const ratio = count / expected;
  if (direction === 'down' || ratio < 1) return t('{percent}% below normal', { percent: words.num(Math.round((1 - ratio) * 100)) });
  return t('{ratio}× normal', { ratio: words.decimal(ratio) });
}

/** The expectation as the text gives it: one decimal at most, then as `num` writes numbers ("40", "425", "9.5"). */
function expectedText(expected: number, words: NotificationWords): string {
  return words.num(Math.round(expected * 10) / 10);
}

/**
 * What is wrong, in one sentence: "Login complaints: 10.3× normal, 412 since 14:03 against 40
 * expected." — or, once over, "Login complaints: was 10.3× normal from 14:03 to 15:10 (412 against 40
 * expected); back to normal."
 */
export function incidentHeadline(input: IncidentSummaryInput): string {
  const w = wordsFor(input.language);
  const { t } = w;
  const label = input.label;
  const count = w.num(input.count);
  const size = sizeVsNormal(input.count, input.expected, input.direction, w);
  if (input.state === 'resolved' || input.state === 'cancelled') {
    const from = w.clock(input.onset, input.timezone);
    const to = w.clock(input.endedAt ?? input.now, input.timezone);
    if (input.expected === null) return t('{label}: anomalous from {from} to {to} ({count}); back to normal.', { label, from, to, count });
    const expected = expectedText(input.expected, w);
    return size === null
      ? t('{label}: anomalous from {from} to {to} ({count} against {expected} expected); back to normal.', { label, from, to, count, expected })
      : t('{label}: was {size} from {from} to {to} ({count} against {expected} expected); back to normal.', { label, size, from, to, count, expected });
  }
  const time = w.clock(input.onset, input.timezone);
  return size === null || input.expected === null
    ? t('{label}: anomalous, {count} since {time} (no baseline yet).', { label, count, time })
    : t('{label}: {size}, {count} since {time} against {expected} expected.', { label, size, count, time, expected: expectedText(input.expected, w) });
}

/** The plain-text status update ("copy summary"), one fact per line. */
export function incidentSummary(input: IncidentSummaryInput): string {
  const w = wordsFor(input.language);
  const { t, num } = w;
  const tz = input.timezone;
  const end = input.endedAt ?? input.now;
  const lines: string[] = [`[${t(input.state).toUpperCase()}] ${incidentHeadline(input)}`];
  const since = { time: w.weekdayTime(input.onset, tz), zone: tz, duration: w.duration(end - input.onset) };
  lines.push(input.endedAt === null ? t('Since: {time} ({zone}), for {duration}', since) : t('Since: {time} ({zone}), lasted {duration}', since));
  const count = num(input.count);
  const size = sizeVsNormal(input.count, input.expected, input.direction, w);
  if (input.expected === null) lines.push(t('Size: {count} (no baseline yet)', { count }));
  else {
    const expected = expectedText(input.expected, w);
    lines.push(
      size === null
        ? t('Size: {count} against {expected} expected', { count, expected })
        : t('Size: {count} against {expected} expected ({size})', { count, expected, size }),
    );
  }
  const ack =
    input.acknowledgedAt !== null
      ? t('acknowledged by {who} at {at}', { who: input.acknowledgedBy ?? '?', at: w.clock(input.acknowledgedAt, tz) })
      : t('not acknowledged');
  lines.push(t('Owner: {owner} ({ack})', { owner: input.owner ?? t('nobody'), ack }));
  lines.push(t('State: {state}, severity {severity}', { state: t(input.state), severity: t(input.severity) }));
  if (input.channels.length > 0) lines.push(t('Channels: {list}', { list: input.channels.map((c) => w.channelCount(c.channel, c.count)).join(', ') }));
  const clusters = input.clusters.slice(0, input.maxClusters ?? 3).filter((c) => c.text.trim() !== '');
  if (clusters.length > 0) {
    lines.push(t('Top complaints:'));
    for (const c of clusters) lines.push(`- ${t('{count} × "{text}"', { count: num(c.count), text: oneLine(c.text, CLUSTER_CHARS) })}`);
  }
  const moved = correlatedPhrase({ correlated: input.correlated ?? [] }, w);
  if (moved !== null) lines.push(t('At the same time: {list}', { list: moved }));
  if (input.link !== null) lines.push(t('Details: {link}', { link: input.link }));
  return lines.join('\n');
}
