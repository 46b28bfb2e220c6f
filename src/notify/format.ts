/** The pieces of a notification every channel shows, as plain text; each notifier escapes and marks them up. */
import { channelPhrase, correlatedPhrase, durationText, worseText, type Notification } from '../alerting/notification.js';
import { formatClock, formatWeekdayTime, localParts } from '../alerting/time-zone.js';

export interface NotificationParts {
  readonly title: string;
  /** Plain-text fact lines (amount vs normal, channels, other series, resolution). */
  readonly facts: readonly string[];
  readonly risingTerms: readonly string[];
  readonly examples: readonly { readonly text: string; readonly channel: string; readonly link: string | null }[];
  /** "Anna (on call)". */
  readonly owner: string | null;
  readonly ackUrl: string | null;
  readonly dashboardUrl: string | null;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 1 : 0);
}

export function notificationParts(n: Notification): NotificationParts {
  const facts: string[] = [];
  const e = n.evidence;
  const tz = n.timezone;
  if (e !== null) {
    let line = `${num(e.count)} in the last ${e.window.minutes} min`;
    if (e.ratio !== null) line += `, ${num(e.ratio)}× normal for ${formatWeekdayTime(e.window.from, tz)}`;
    if (e.expected !== null) {
      line += ` (expected ${num(e.expected)}`;
      if (e.lower !== null && e.upper !== null) line += `, band ${num(e.lower)}–${num(e.upper)}`;
      line += ')';
    }
    line += `, since ${formatClock(localParts(e.since, tz))}`;
    facts.push(line);
    if (e.channels.length > 0) facts.push(e.channels.map((c) => channelPhrase(c.channel, c.count)).join(', '));
    const moved = correlatedPhrase(e);
    if (moved !== null) facts.push(`At the same time: ${moved}`);
  } else {
    facts.push(`Anomalous since ${formatClock(localParts(n.alert.startsAt, tz))}`);
  }
  if (n.worse !== undefined) {
    const w = worseText(n.worse, tz);
    facts.push(`${w.charAt(0).toUpperCase()}${w.slice(1)}`);
  }
  const headline = e?.series ?? n.alert.members[0]?.series;
  const others = n.alert.members.map((m) => m.series).filter((s) => s !== headline);
  if (others.length > 0) facts.push(`Also: ${others.join(', ')}`);
  if (n.kind === 'resolved') {
    const end = n.alert.endedAt ?? n.at;
    facts.push(`Resolved at ${formatClock(localParts(end, tz))} after ${durationText(end - n.alert.startsAt)}`);
  }
  if (n.alert.acknowledgedBy !== null) facts.push(`Acknowledged by ${n.alert.acknowledgedBy}`);
  return {
    title: n.title,
    facts,
    risingTerms: e?.risingTerms.map((t) => t.term) ?? [],
    examples: e?.examples.map((x) => ({ text: x.text, channel: x.channel, link: x.link })) ?? [],
    owner: n.owner === null ? null : `${n.owner.name} (${n.ownerRole})`,
    ackUrl: n.ackUrl,
    dashboardUrl: n.dashboardUrl,
  };
}

/** Plain-text body (e-mail text part, logs). */
export function plainText(p: NotificationParts): string {
  const lines = [p.title, '', ...p.facts];
  if (p.risingTerms.length > 0) lines.push(`Rising words: ${p.risingTerms.map((t) => `'${t}'`).join(', ')}`);
  if (p.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const x of p.examples) lines.push(`- "${x.text}" (${x.channel})${x.link ? ` ${x.link}` : ''}`);
  }
  lines.push('');
  if (p.owner !== null) lines.push(`Owner: ${p.owner}`);
  if (p.ackUrl !== null) lines.push(`Acknowledge: ${p.ackUrl}`);
  if (p.dashboardUrl !== null) lines.push(`Dashboard: ${p.dashboardUrl}`);
  return `${lines.join('\n').trimEnd()}\n`;
}
