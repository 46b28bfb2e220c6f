/** The notifier that always works: one structured log line per notification. */
import type { Notification } from '../alerting/notification.js';
import type { NotifierConfig } from '../config/alerting.js';
import type { Notifier, NotifierDeps } from './notifier.js';

type LogConfig = Extract<NotifierConfig, { type: 'log' }>;

export function createLogNotifier(config: LogConfig, deps: Pick<NotifierDeps, 'logger'>): Notifier {
  const name = config.name ?? 'log';
  const logger = deps.logger.child({ module: 'notify', notifier: name });
  return {
    name,
    type: 'log',
    sendResolved: config.sendResolved,
    async send(n: Notification): Promise<void> {
      if (n.kind === 'resolved' && !config.sendResolved) return;
      logger[config.level](
        {
          kind: n.kind,
          alertId: n.alert.id,
          state: n.alert.state,
          owner: n.owner?.id ?? null,
          series: n.alert.members.map((m) => m.series),
          title: n.title,
          summary: n.summary,
          ackUrl: n.ackUrl,
        },
        'alert notification',
      );
    },
  };
}
