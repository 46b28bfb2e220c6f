/**
 * Prometheus Alertmanager API v2: `POST <url>/api/v2/alerts` with a JSON array of alerts. Labels are
 * stable for the life of an alert (Alertmanager identifies alerts by them): alertname, alert_id, rule,
 * severity and the configured extras; the owner and the story go into annotations. A firing alert's
 * endsAt is `ttl` ahead (Alertmanager resolves it if we vanish); a resolved one has endsAt = resolution.
 */
import type { Notification } from '../alerting/notification.js';
import type { NotifierConfig } from '../config/alerting.js';
import { postJson } from './http.js';
import type { Notifier, NotifierDeps } from './notifier.js';

type AlertmanagerConfig = Extract<NotifierConfig, { type: 'alertmanager' }>;

export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

export function alertmanagerPayload(n: Notification, config: Pick<AlertmanagerConfig, 'labels' | 'ttl'>): PostableAlert[] {
  const resolved = n.kind === 'resolved' || n.alert.state === 'resolved';
  const annotations: Record<string, string> = { summary: n.title, description: n.summary };
  if (n.owner !== null) annotations.owner = `${n.owner.name} (${n.ownerRole})`;
  if (n.ackUrl !== null) annotations.ack_url = n.ackUrl;
  if (n.dashboardUrl !== null) annotations.dashboard_url = n.dashboardUrl;
  if (n.evidence !== null) annotations.series = n.evidence.series;
  return [
    {
      labels: { ...config.labels, alertname: 'ComplaintRadar', alert_id: n.alert.id, rule: n.alert.rule, severity: n.alert.severity },
      annotations,
      startsAt: new Date(n.alert.firingAt ?? n.alert.startsAt).toISOString(),
      endsAt: new Date(resolved ? (n.alert.endedAt ?? n.at) : n.at + config.ttl).toISOString(),
      ...(n.dashboardUrl !== null ? { generatorURL: n.dashboardUrl } : {}),
    },
  ];
}

export function createAlertmanagerNotifier(config: AlertmanagerConfig, deps: NotifierDeps): Notifier {
  const name = config.name ?? 'alertmanager';
  const url = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name,
    type: 'alertmanager',
    sendResolved: config.sendResolved,
    async send(n: Notification): Promise<void> {
      if (n.kind === 'resolved' && !config.sendResolved) return;
      await postJson(url, alertmanagerPayload(n, config), { notifier: name, timeoutMs: config.timeout, headers: config.headers, fetch: deps.fetch, clock: deps.clock });
    },
  };
}
