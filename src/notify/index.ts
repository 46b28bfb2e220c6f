/**
 * Builds the configured notifiers. The worker runs each (notification, notifier) pair as its own BullMQ
 * job (job id `${intent.key}.${notifier.name}`), with `notifyBackoffStrategy` / `retryDelayFor`, so one
 * failing channel never blocks another.
 */
import { notifierName, type NotifierConfig } from '../config/alerting.js';
import { systemClock } from '../platform/clock.js';
import { rootLogger } from '../platform/log.js';
import { createAlertmanagerNotifier } from './alertmanager.js';
import { createEmailNotifier } from './email.js';
import { createLogNotifier } from './log.js';
import type { Notifier, NotifierDeps } from './notifier.js';
import { createSlackNotifier } from './slack.js';
import { createTelegramNotifier } from './telegram.js';
import { createWebhookNotifier } from './webhook.js';

export type { Notifier, NotifierDeps } from './notifier.js';
export { NotifyError, isNotifyError, retryDelayFor, notifyBackoffStrategy } from './errors.js';
export type { RetryPolicy } from './errors.js';

export function createNotifier(config: NotifierConfig, deps: NotifierDeps): Notifier {
  switch (config.type) {
    case 'log':
      return createLogNotifier(config, deps);
    case 'webhook':
      return createWebhookNotifier(config, deps);
    case 'slack':
      return createSlackNotifier(config, deps);
    case 'telegram':
      return createTelegramNotifier(config, deps);
    case 'email':
      return createEmailNotifier(config, deps);
    case 'alertmanager':
      return createAlertmanagerNotifier(config, deps);
  }
}

/** One notifier per config entry, by name (names are unique: the schema checks). */
export function createNotifiers(configs: readonly NotifierConfig[], deps: Partial<NotifierDeps> = {}): Map<string, Notifier> {
  const full: NotifierDeps = { logger: deps.logger ?? rootLogger(), clock: deps.clock ?? systemClock, fetch: deps.fetch ?? globalThis.fetch };
  return new Map(configs.map((c) => [notifierName(c), createNotifier(c, full)]));
}

/** The notifiers a notification of this kind goes to (resolved only where `sendResolved`). */
export function notifiersFor(kind: string, notifiers: ReadonlyMap<string, Notifier>): Notifier[] {
  return [...notifiers.values()].filter((n) => kind !== 'resolved' || n.sendResolved);
}
