/** Generic JSON webhook: the whole notification, stable field names, an idempotency key header. */
import type { Notification } from '../alerting/notification.js';
import type { NotifierConfig } from '../config/alerting.js';
import { postJson } from './http.js';
import type { Notifier, NotifierDeps } from './notifier.js';

type WebhookConfig = Extract<NotifierConfig, { type: 'webhook' }>;

/** The JSON body (version 1). */
export function webhookPayload(n: Notification, now: number): Record<string, unknown> {
  return {
    version: '1',
    key: n.key,
    kind: n.kind,
    /** The language `title` and `summary` are worded in (`alerting.language`). */
    lang: n.lang ?? 'en',
    status: n.alert.state === 'resolved' ? 'resolved' : 'firing',
    title: n.title,
    summary: n.summary,
    owner: n.owner === null ? null : { id: n.owner.id, name: n.owner.name, role: n.ownerRole },
    ackUrl: n.ackUrl,
    dashboardUrl: n.dashboardUrl,
    alert: n.alert,
    evidence: n.evidence,
    sentAt: new Date(now).toISOString(),
  };
}

export function createWebhookNotifier(config: WebhookConfig, deps: NotifierDeps): Notifier {
  const name = config.name ?? 'webhook';
  return {
    name,
    type: 'webhook',
    sendResolved: config.sendResolved,
    async send(n: Notification): Promise<void> {
      if (n.kind === 'resolved' && !config.sendResolved) return;
      await postJson(config.url, webhookPayload(n, deps.clock.now()), {
        notifier: name,
        timeoutMs: config.timeout,
        headers: { 'idempotency-key': n.key, ...config.headers },
        fetch: deps.fetch,
        clock: deps.clock,
      });
    },
  };
}
