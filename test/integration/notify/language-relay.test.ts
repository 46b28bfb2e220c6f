/**
 * A deployment with `alerting.language: ru` (real Redis and SQLite): the pages the alerting engine writes
 * to the outbox are Russian and say so (`lang`), the relay enqueues them once under the same job ids as
 * ever, and the notify worker — which reads no language from its own config — renders them in Russian.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/alerting/notification.js';
import type { Notifier } from '../../../src/notify/index.js';
import { telegramHtml } from '../../../src/notify/telegram.js';
import type { JobPayloads } from '../../../src/queues/jobs.js';
import { createAlerting, startNotifyWorker, type NotifyWorker } from '../../../workers/alerting.js';
import { notifyJobId, relayOutbox } from '../../../workers/outbox-relay.js';
import { createTestService, type TestService } from '../../helpers/services.js';
import { waitFor } from '../../helpers/wait.js';
import { baseAlert, T } from './sample.js';

describe('notification language through the outbox and the notify queue', () => {
  let service: TestService | undefined;
  let worker: NotifyWorker | undefined;
  afterEach(async () => {
    await worker?.close();
    await service?.cleanup();
    worker = undefined;
    service = undefined;
  });

  it('a Russian deployment queues Russian pages; the worker renders them in Russian, once', async () => {
    service = await createTestService({
      config: {
        alerting: {
          language: 'ru',
          oncall: { timezone: 'Europe/Moscow', people: [{ id: 'anna', name: 'Anna' }, { id: 'boris', name: 'Boris' }] },
          notifiers: [{ type: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/never-called' }],
        },
      },
    });
    const { ctx } = service;
    const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'https://radar.example.com' });
    const entries = alerting.handOverPages(baseAlert, null, 'boris', T);
    expect(entries.map((e) => e.key)).toEqual([`${baseAlert.id}-handed_over-${T}-anna.hook`]);
    const sent = (entries[0]?.payload as JobPayloads['notify']).notification;
    expect(sent.lang).toBe('ru');
    expect(sent.title).toBe('[ПЕРЕДАН] Жалобы: login — аномалия');
    expect(sent.summary).toMatch(/^Жалобы: login — аномалия с 14:03; ответственный: Anna \(передал Boris\); подтвердить: https:\/\/radar\.example\.com\/ack\/\S+\?lang=ru$/);

    await ctx.store.outbox.add(entries, T);
    expect(await relayOutbox(ctx)).toBe(1);
    // The same page written again (a retried tick): one outbox row, one job under the deterministic id.
    await ctx.store.outbox.add(entries, T);
    expect(await relayOutbox(ctx)).toBe(0);
    const jobs = await ctx.queues.get('notify').getJobs(['waiting']);
    expect(jobs.map((j) => j.id)).toEqual([notifyJobId(entries[0]?.key ?? '')]);

    const received: Notification[] = [];
    const recorder: Notifier = { name: 'hook', type: 'webhook', sendResolved: true, send: async (n) => void received.push(n) };
    worker = startNotifyWorker(ctx, new Map([['hook', recorder]]));
    await waitFor(() => received.length === 1, 20_000, 'the page was sent');
    const n = received[0] as Notification;
    expect(n.lang).toBe('ru');
    expect(n.title).toBe(sent.title);
    expect(telegramHtml(n)).toBe(telegramHtml(sent));
    expect(telegramHtml(n).split('\n')).toEqual([
      '<b>[ПЕРЕДАН] Жалобы: login — аномалия</b>',
      'Аномалия с 14:03',
      '',
      'Ответственный: <b>Anna (передал Boris)</b>',
      `<a href="${n.ackUrl ?? ''}">Подтвердить</a>`,
    ]);
  });

  it('an English deployment (the default) queues what it always did', async () => {
    service = await createTestService({
      config: { alerting: { oncall: { people: [{ id: 'anna', name: 'Anna' }, { id: 'boris', name: 'Boris' }] }, notifiers: [{ type: 'log' }] } },
    });
    const alerting = createAlerting(service.ctx, { ackSecret: null, publicUrl: 'https://radar.example.com' });
    const sent = (alerting.handOverPages(baseAlert, null, 'boris', T)[0]?.payload as JobPayloads['notify']).notification;
    expect(sent.lang).toBe('en');
    expect(sent.title).toBe('[HANDED OVER] Login complaints: anomaly');
    expect(sent.summary).toBe('Login complaints: anomalous since 11:03; owner: Anna (handed over by Boris)');
  });
});
