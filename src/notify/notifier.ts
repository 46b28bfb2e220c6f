/** The interface every channel implements, and what a notifier may use. */
import type { Notification } from '../alerting/notification.js';
import type { NotifierType } from '../config/alerting.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/log.js';

export interface Notifier {
  readonly name: string;
  readonly type: NotifierType;
  /** Whether `resolved` notifications go to this notifier. */
  readonly sendResolved: boolean;
  /** Sends one notification; throws a `NotifyError` that says whether to retry. */
  send(notification: Notification): Promise<void>;
  /** Releases connections (SMTP); optional. */
  close?(): Promise<void>;
}

export interface NotifierDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
}
