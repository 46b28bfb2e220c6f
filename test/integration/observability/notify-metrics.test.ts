/**
 * The notify worker counts what it delivered and what failed, per notifier (real Redis, real BullMQ):
 * a retryable failure counts as `final="false"`, a failure not worth retrying as `final="true"`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerting/notification.js';
import { NotifyError, type Notifier } from '../../../src/notify/index.js';
import { startNotifyWorker, type NotifyWorker } from '../../../workers/alerting.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { sampleNotification } from '../notify/sample.js';

function notifier(name: string, send: (n: Notification) => Promise<void>): Notifier {
  return { name, type: 'webhook', sendResolved: true, send };
}

describe('notify worker metrics', () => {
  let service: TestService | undefined;
  let worker: NotifyWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    await service?.cleanup();
  });

  it('counts notifications sent and failed per notifier', async () => {
    service = await createTestService();
    const { ctx } = service;
    let flaky = 0;
    const notifiers = new Map<string, Notifier>([
      ['ok-hook', notifier('ok-hook', async () => undefined)],
      // Fails once (a 503: worth a retry), then delivers.
      ['flaky-hook', notifier('flaky-hook', async () => {
        flaky += 1;
        if (flaky === 1) throw new NotifyError('flaky-hook', 'HTTP 503', { retryable: true, status: 503, retryAfterMs: 10 });
      })],
      // A 400: never worth a retry.
      ['bad-hook', notifier('bad-hook', async () => {
        throw new NotifyError('bad-hook', 'HTTP 400', { retryable: false, status: 400 });
      })],
    ]);
    worker = startNotifyWorker(ctx, notifiers);
    const notification = sampleNotification();
    for (const name of ['ok-hook', 'ok-hook', 'flaky-hook', 'bad-hook']) {
      await ctx.queues.add('notify', { notification, notifier: name }, { attempts: 3, backoff: { type: 'notify' } });
    }
    const text = async () => ctx.metrics.registry.metrics();
    await waitFor(async () => /radar_notifications_sent_total\{notifier="flaky-hook"\} 1/.test(await text()) && /notifier="bad-hook",final="true"/.test(await text()), 20_000, 'notifications processed');
    const out = await text();
    expect(out).toMatch(/radar_notifications_sent_total\{notifier="ok-hook"\} 2/);
    expect(out).toMatch(/radar_notifications_sent_total\{notifier="flaky-hook"\} 1/);
    expect(out).not.toMatch(/radar_notifications_sent_total\{notifier="bad-hook"\}/);
    expect(out).toMatch(/radar_notifications_failed_total\{notifier="flaky-hook",final="false"\} 1/);
    expect(out).toMatch(/radar_notifications_failed_total\{notifier="bad-hook",final="true"\} 1/);
    expect(out).not.toMatch(/radar_notifications_failed_total\{notifier="ok-hook"/);
  });
});
