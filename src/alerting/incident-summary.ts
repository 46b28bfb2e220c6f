/**
 * An incident in words, pure: the one sentence at the top of the incident page, and "copy summary" —
 * a plain-text status update for a status page or a chat (what, since when, how big against the
 * baseline, owner, state, the biggest clusters of near-duplicate complaints, what moved with it).
 *
 * @example incidentSummary({ ... }) // "[FIRING] Login complaints: 10.3× normal, 412 since 14:03 against 40 expected.\nSince: …"
 */
import type { AlertState, Severity } from '../domain/alert.js';
import type { Direction } from '../domain/anomaly.js';
import type { CorrelatedEvidence } from './evidence.js';
import { channelPhrase, correlatedPhrase, durationText } from './notification.js';
import { maskPii } from './pii.js';
import { formatClock, formatWeekdayTime, localParts } from './time-zone.js';

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
}

const CLUSTER_CHARS = 160;

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 1 : 0);
}

function oneLine(text: string, max: number): string {
  const flat = maskPii(text).replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** How far from normal: "10.3× normal", "40% below normal"; null without an expectation. */
export function sizeVsNormal(count: number, expected: number | null, direction: Direction): string | null {
  if (expected === null || expected <= 0) return null;
  const ratio = count / expected;
  if (direction === 'down' || ratio < 1) return `${Math.round((1 - ratio) * 100)}% below normal`;
  return `${Math.round(ratio * 10) / 10}× normal`;
}

/**
 * What is wrong, in one sentence: "Login complaints: 10.3× normal, 412 since 14:03 against 40
 * expected." — or, once over, "Login complaints: was 10.3× normal from 14:03 to 15:10 (412 against 40
 * expected); back to normal."
 */
export function incidentHeadline(input: IncidentSummaryInput): string {
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
