import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingConfigSchema, type NotifierConfig } from '../../../src/config/alerting.js';
import { createNotifiers, NotifyError, retryDelayFor, type Notifier } from '../../../src/notify/index.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/log.js';
import { startFakeSmtp, type FakeSmtp } from '../../helpers/fake-receivers.js';
import { T, sampleNotification } from './sample.js';

let smtp: FakeSmtp;
const sockets: Socket[] = [];
const opened: Notifier[] = [];

function emailNotifier(extra: Record<string, unknown> = {}): Notifier {
  const config = alertingConfigSchema.parse({
    notifiers: [{ type: 'email', host: '127.0.0.1', port: smtp.port, secure: false, from: 'Radar <radar@example.com>', to: ['team@example.com'], timeout: '2s', ...extra }],
  });
  const n = createNotifiers(config.notifiers as NotifierConfig[], { logger: silentLogger, clock: new ManualClock(T) }).get('email');
  if (!n) throw new Error('no email notifier');
  opened.push(n);
  return n;
}

async function failure(promise: Promise<void>): Promise<NotifyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NotifyError) return error;
    throw error;
  }
  throw new Error('expected a NotifyError');
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
});

afterAll(async () => {
  await Promise.all(opened.map((n) => n.close?.()));
  await smtp.close();
});

describe('e-mail notifier against a real SMTP server (smtp-server)', () => {
  it('sends to the owner and the team, with text and HTML parts, escaped', async () => {
    smtp.rejectRecipientsWith(null);
    await emailNotifier().send(sampleNotification());
    const got = smtp.messages.at(-1);
    expect(got?.envelopeTo).toEqual(['anna@example.com', 'team@example.com']);
    expect(got?.mail.subject).toBe('[FIRING] Login complaints: 6× normal');
    expect(got?.mail.headers.get('x-radar-alert')).toBe('complaints-mi3k2x0');
    expect(got?.mail.text).toContain('45 in the last 15 min, 6× normal for Thursday 14:00 (expected 7.5, band 0–30), since 14:03');
    expect(got?.mail.text).toContain('Не могу войти <script>alert(1)</script> & код не приходит');
    expect(got?.mail.text).toContain('[email]');
    expect(got?.mail.text).not.toContain('bob@example.com');
    expect(got?.mail.html).toContain('&lt;script&gt;');
    expect(got?.mail.html).not.toContain('<script>');
    expect(got?.mail.text).toContain('Acknowledge: https://radar.example.com/ack/');
  });

  it('sends resolved notifications', async () => {
    await emailNotifier().send(sampleNotification({ kind: 'resolved' }));
    expect(smtp.messages.at(-1)?.mail.subject).toBe('[RESOLVED] Login complaints: back to normal after 32 min');
    expect(smtp.messages.at(-1)?.mail.text).toContain('Resolved at 14:35 after 32 min');
  });

  it('a temporary SMTP rejection (450) is retryable, a permanent one (550) is not', async () => {
    smtp.rejectRecipientsWith(450);
    const temporary = await failure(emailNotifier({ to: [] }).send(sampleNotification()));
    smtp.rejectRecipientsWith(550);
    const permanent = await failure(emailNotifier({ to: [] }).send(sampleNotification()));
    smtp.rejectRecipientsWith(null);
    expect([temporary.retryable, temporary.status, retryDelayFor(temporary, 1)]).toEqual([true, 450, 5_000]);
    expect([permanent.retryable, permanent.status, retryDelayFor(permanent, 1)]).toEqual([false, 550, null]);
  });

  it('a server that is not there is retryable', async () => {
    const config = alertingConfigSchema.parse({ notifiers: [{ type: 'email', host: '127.0.0.1', port: 1, from: 'r@example.com', to: ['t@example.com'], timeout: '1s' }] });
    const n = createNotifiers(config.notifiers as NotifierConfig[], { logger: silentLogger }).get('email');
    const error = await failure(n?.send(sampleNotification()) ?? Promise.resolve());
    expect(error.retryable).toBe(true);
  });

  it('a server that accepts but never greets times out, retryable', async () => {
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const config = alertingConfigSchema.parse({ notifiers: [{ type: 'email', host: '127.0.0.1', port, from: 'r@example.com', to: ['t@example.com'], timeout: '300ms' }] });
    const n = createNotifiers(config.notifiers as NotifierConfig[], { logger: silentLogger }).get('email');
    const error = await failure(n?.send(sampleNotification()) ?? Promise.resolve());
    await new Promise<void>((resolve) => {
      silent.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/ETIMEDOUT|timeout/i);
  });

  it('no recipient is a configuration problem, not retried', async () => {
    const error = await failure(emailNotifier({ to: [], toOwner: false }).send(sampleNotification()));
    expect(error.retryable).toBe(false);
  });
});
