/**
 * The pieces of a notification every channel shows, as plain text; each notifier escapes and marks them
 * up. Worded in the notification's language (`Notification.lang`) from the dashboard's catalogue.
 */
import { correlatedPhrase, otherSeriesNames, wordsOf, worseText, type Notification } from '../alerting/notification.js';
import type { NotificationWords } from '../alerting/notification-words.js';
import { translator } from '../dashboard/i18n.js';

export interface NotificationParts {
  readonly title: string;
  /** Plain-text fact lines (amount vs normal, channels, other series, resolution). */
  readonly facts: readonly string[];
  readonly risingTerms: readonly string[];
  /** `channel`: as the notification's language tags it (the key in English, the name in Russian). */
  readonly examples: readonly { readonly text: string; readonly channel: string; readonly link: string | null }[];
  /** "Anna (on call)". */
  readonly owner: string | null;
  readonly ackUrl: string | null;
  readonly dashboardUrl: string | null;
  /** The notification's language, for the notifier's own words ("Rising words:", "Acknowledge"). */
  readonly words: NotificationWords;
}

/** The wording of `n`: the language it was decided in, from the dashboard's catalogue. */
export function notificationWordsOf(n: Pick<Notification, 'lang'>): NotificationWords {
  return wordsOf(n, translator);
}

export function notificationParts(n: Notification): NotificationParts {
  const w = notificationWordsOf(n);
  const { t, num } = w;
  const facts: string[] = [];
  const e = n.evidence;
  const tz = n.timezone;
  if (e !== null) {
    let line = t('{count} in the last {minutes} min', { count: num(e.count), minutes: num(e.window.minutes) });
    if (e.ratio !== null) line += `, ${t('{ratio}× normal for {when}', { ratio: num(e.ratio), when: w.weekdayTime(e.window.from, tz) })}`;
    if (e.expected !== null) {
      line += ` (${t('expected {n}', { n: num(e.expected) })}`;
      if (e.lower !== null && e.upper !== null) line += `, ${t('band {lower}–{upper}', { lower: num(e.lower), upper: num(e.upper) })}`;
      line += ')';
    }
    line += `, ${t('since {time}', { time: w.clock(e.since, tz) })}`;
    facts.push(line);
    if (e.channels.length > 0) facts.push(e.channels.map((c) => w.channelCount(c.channel, c.count)).join(', '));
    const moved = correlatedPhrase(e, w);
    if (moved !== null) facts.push(t('At the same time: {list}', { list: moved }));
  } else {
    facts.push(t('Anomalous since {time}', { time: w.clock(n.alert.startsAt, tz) }));
  }
  if (n.worse !== undefined) {
    const text = worseText(n.worse, tz, n.labels, w);
    facts.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}`);
  }
  const others = otherSeriesNames(n.alert, e, w, n.labels);
  if (others !== null) facts.push(t('Also: {list}', { list: others }));
  if (n.kind === 'resolved') {
    const end = n.alert.endedAt ?? n.at;
    facts.push(t('Resolved at {time} after {duration}', { time: w.clock(end, tz), duration: w.duration(end - n.alert.startsAt) }));
  }
  if (n.alert.acknowledgedBy !== null) facts.push(t('Acknowledged by {who}', { who: n.alert.acknowledgedBy }));
  return {
    title: n.title,
    facts,
    risingTerms: e?.risingTerms.map((x) => x.term) ?? [],
    examples: e?.examples.map((x) => ({ text: x.text, channel: w.channel(x.channel), link: x.link })) ?? [],
    owner: n.owner === null ? null : `${n.owner.name} (${n.ownerRole})`,
    ackUrl: n.ackUrl,
    dashboardUrl: n.dashboardUrl,
    words: w,
  };
}

/** Plain-text body (e-mail text part, logs). */
export function plainText(p: NotificationParts): string {
  const { t } = p.words;
  const lines = [p.title, '', ...p.facts];
  if (p.risingTerms.length > 0) lines.push(`${t('Rising words:')} ${p.risingTerms.map((x) => `'${x}'`).join(', ')}`);
  if (p.examples.length > 0) {
    lines.push('', t('Examples:'));
    for (const x of p.examples) lines.push(`- "${x.text}" (${x.channel})${x.link ? ` ${x.link}` : ''}`);
  }
  lines.push('');
  if (p.owner !== null) lines.push(`${t('Owner:')} ${p.owner}`);
  if (p.ackUrl !== null) lines.push(`${t('Acknowledge:')} ${p.ackUrl}`);
  if (p.dashboardUrl !== null) lines.push(`${t('Dashboard:')} ${p.dashboardUrl}`);
  return `${lines.join('\n').trimEnd()}\n`;
}
