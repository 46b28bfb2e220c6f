/**
 * Slack incoming webhook: `text` (fallback) plus Block Kit blocks in mrkdwn, escaped (& < >).
 * Slack answers `ok`, or 4xx (invalid_payload, channel_not_found, …: no retry), 429 with Retry-After, 5xx.
 */
import type { Notification } from '../alerting/notification.js';
import type { NotifierConfig } from '../config/alerting.js';
import { notificationParts } from './format.js';
import { postJson } from './http.js';
import type { Notifier, NotifierDeps } from './notifier.js';

type SlackConfig = Extract<NotifierConfig, { type: 'slack' }>;

/** Escapes text for Slack mrkdwn (control characters & < >). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function slackPayload(n: Notification, channel?: string): Record<string, unknown> {
  const p = notificationParts(n);
  const { t } = p.words;
  const lines = p.facts.map(escapeSlack);
  if (p.risingTerms.length > 0) lines.push(`*${escapeSlack(t('Rising words:'))}* ${p.risingTerms.map((x) => `\`${escapeSlack(x).replace(/`/g, "'")}\``).join(', ')}`);
  const examples = p.examples.map((x) => `> ${escapeSlack(x.text)} _(${escapeSlack(x.channel)})_`);
  const owner = n.owner === null ? null : n.owner.slackUserId ? `<@${n.owner.slackUserId}> (${escapeSlack(n.ownerRole)})` : escapeSlack(p.owner ?? '');
  const links = [
    p.ackUrl ? `<${p.ackUrl}|${escapeSlack(t('Acknowledge'))}>` : null,
    p.dashboardUrl ? `<${p.dashboardUrl}|${escapeSlack(t('Dashboard'))}>` : null,
  ].filter((x) => x !== null);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cap(p.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cap(lines.join('\n'), 3000) } },
  ];
  if (examples.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cap(examples.join('\n'), 3000) } });
  const context = [owner ? `*${escapeSlack(t('Owner:'))}* ${owner}` : null, ...links].filter((x) => x !== null).join('  ·  ');
  if (context !== '') blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cap(context, 3000) }] });
  return { text: cap(escapeSlack(`${p.title} — ${n.summary}`), 3000), blocks, ...(channel ? { channel } : {}) };
}

export function createSlackNotifier(config: SlackConfig, deps: NotifierDeps): Notifier {
  const name = config.name ?? 'slack';
  return {
    name,
    type: 'slack',
    sendResolved: config.sendResolved,
    async send(n: Notification): Promise<void> {
      if (n.kind === 'resolved' && !config.sendResolved) return;
      await postJson(config.webhookUrl, slackPayload(n, config.channel), { notifier: name, timeoutMs: config.timeout, fetch: deps.fetch, clock: deps.clock });
    },
  };
}
