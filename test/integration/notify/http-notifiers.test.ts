import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertingConfigSchema, type NotifierConfig } from '../../../src/config/alerting.js';
import { createNotifiers, NotifyError, retryDelayFor, type Notifier } from '../../../src/notify/index.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/log.js';
import { startFakeAlertmanager, startFakeReceiver, startFakeSlack, startFakeTelegram, type FakeReceiver } from '../../helpers/fake-receivers.js';
import { T, sampleNotification } from './sample.js';

const TOKEN = '123456:ABC-test_token';
const clock = new ManualClock(T);

function build(notifiers: unknown[]): Map<string, Notifier> {
  const config = alertingConfigSchema.parse({ notifiers });
  return createNotifiers(config.notifiers as NotifierConfig[], { logger: silentLogger, clock });
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

let webhook: FakeReceiver;
let slack: FakeReceiver;
let telegram: FakeReceiver;
let alertmanager: FakeReceiver;
let notifiers: Map<string, Notifier>;

beforeAll(async () => {
  [webhook, slack, telegram, alertmanager] = await Promise.all([startFakeReceiver(), startFakeSlack(), startFakeTelegram(TOKEN), startFakeAlertmanager()]);
  notifiers = build([
    { type: 'webhook', url: `${webhook.url}/hook`, headers: { authorization: 'Bearer s3cret' }, timeout: '300ms' },
    { type: 'slack', webhookUrl: `${slack.url}/services/T0/B0/XYZ`, timeout: '300ms' },
    { type: 'telegram', botToken: TOKEN, chatId: -100500, toOwner: false, apiUrl: telegram.url, timeout: '300ms' },
    { type: 'alertmanager', url: alertmanager.url, labels: { team: 'support' }, timeout: '300ms' },
  ]);
});

afterAll(async () => {
  await Promise.all([webhook, slack, telegram, alertmanager].map((s) => s?.close()));
});

const get = (name: string): Notifier => {
  const n = notifiers.get(name);
  if (!n) throw new Error(`no notifier ${name}`);
  return n;
};

const receivers = () => ({ webhook, slack, telegram, alertmanager });

describe('each HTTP notifier against its local API', () => {
  it('webhook: POSTs the whole notification as JSON with the configured headers and an idempotency key', async () => {
    await get('webhook').send(sampleNotification());
    const req = webhook.requests.at(-1);
    expect(req?.path).toBe('/hook');
    expect(req?.headers.authorization).toBe('Bearer s3cret');
    expect(req?.headers['idempotency-key']).toBe('complaints-mi3k2x0-firing-0');
    expect(req?.json).toMatchObject({ version: '1', kind: 'firing', status: 'firing', owner: { id: 'anna' }, alert: { id: 'complaints-mi3k2x0' }, evidence: { count: 45 } });
  });

  it('slack: text + blocks, mrkdwn escaped, owner mentioned', async () => {
    await get('slack').send(sampleNotification());
    const body = slack.requests.at(-1)?.json as { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '[FIRING] Login complaints: 6× normal', emoji: true } });
    const all = JSON.stringify(body.blocks);
    expect(all).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; код не приходит');
    expect(all).not.toContain('<script>');
    expect(all).toContain('<@U0ANNA>');
    expect(all).toContain('<https://radar.example.com/ack/');
  });

  it('telegram: sendMessage in HTML mode that the Bot API parses, with escaped text', async () => {
    await get('telegram').send(sampleNotification());
    const body = telegram.requests.at(-1)?.json as { chat_id: number; text: string; parse_mode: string };
    expect(body.chat_id).toBe(-100500);
    expect(body.parse_mode).toBe('HTML');
    expect(body.text).toContain('&lt;script&gt;');
    expect(body.text).toContain('Owner: <b>Anna &lt;Ops&gt; &amp; Co (on call)</b>');
    expect(body.text).toContain('<i>&lt;b&gt;</i>');
  });

  it('telegram: messages the owner directly when toOwner and they have a chat id', async () => {
    const direct = build([{ type: 'telegram', botToken: TOKEN, apiUrl: telegram.url }]).get('telegram');
    await direct?.send(sampleNotification());
    expect((telegram.requests.at(-1)?.json as { chat_id: number }).chat_id).toBe(4242);
    const none = build([{ type: 'telegram', botToken: TOKEN, apiUrl: telegram.url }]).get('telegram');
    const error = await failure(none?.send(sampleNotification({ owner: 'boris' })) ?? Promise.resolve());
    expect(error.retryable).toBe(false);
  });

  it('telegram: a message over 4096 characters is shortened to fit and still parses', async () => {
    const long = sampleNotification({ exampleTexts: Array.from({ length: 10 }, (_, i) => `<&> ${i} ${'ж&'.repeat(140)}`) });
    await get('telegram').send(long);
    const sent = telegram.requests.at(-1);
    const text = (sent?.json as { text: string }).text;
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toContain('<a href="https://radar.example.com/ack/');
    expect(text).toContain('Owner:');
  });

  it('telegram: a bad token is a 401, not retried', async () => {
    const wrong = build([{ type: 'telegram', botToken: '999:wrong', chatId: 1, apiUrl: telegram.url }]).get('telegram');
    const error = await failure(wrong?.send(sampleNotification()) ?? Promise.resolve());
    expect([error.status, error.retryable]).toEqual([401, false]);
    expect(error.message).not.toContain('999:wrong');
  });

  it('alertmanager: POST /api/v2/alerts with stable labels; resolved carries endsAt = resolution', async () => {
    await get('alertmanager').send(sampleNotification());
    await get('alertmanager').send(sampleNotification({ kind: 'resolved' }));
    const [firing, resolved] = alertmanager.requests.slice(-2).map((r) => (r.json as { labels: Record<string, string>; startsAt: string; endsAt: string; annotations: Record<string, string> }[])[0]);
    expect(firing?.labels).toEqual({ team: 'support', alertname: 'ComplaintRadar', alert_id: 'complaints-mi3k2x0', rule: 'complaints', severity: 'warning' });
    expect(resolved?.labels).toEqual(firing?.labels);
    expect(firing?.startsAt).toBe(new Date(T - 10 * 60_000).toISOString());
    expect(firing?.endsAt).toBe(new Date(T + 24 * 3_600_000).toISOString());
    expect(resolved?.endsAt).toBe(new Date(T + 20 * 60_000).toISOString());
    expect(firing?.annotations.owner).toBe('Anna <Ops> & Co (on call)');
  });
});

describe('failures say whether to retry', () => {
  const cases: { name: string; reply: Parameters<FakeReceiver['script']>[0]; retryable: boolean; status: number | null; retryAfterMs?: number | null }[] = [
    { name: '500', reply: { status: 500, body: 'boom' }, retryable: true, status: 500, retryAfterMs: null },
    { name: '503', reply: { status: 503, body: 'unavailable' }, retryable: true, status: 503 },
    { name: '429 with Retry-After seconds', reply: { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' }, retryable: true, status: 429, retryAfterMs: 7000 },
    { name: '429 with a Retry-After date', reply: { status: 429, headers: { 'retry-after': new Date(T + 90_000).toUTCString() }, body: '' }, retryable: true, status: 429, retryAfterMs: 90_000 },
    { name: '400', reply: { status: 400, body: 'invalid_payload' }, retryable: false, status: 400 },
    { name: '404', reply: { status: 404, body: 'no_service' }, retryable: false, status: 404 },
    { name: 'a timeout', reply: { delayMs: 2_000, body: 'late' }, retryable: true, status: null },
    { name: 'a reset connection', reply: { destroy: true }, retryable: true, status: null },
  ];
  for (const target of ['webhook', 'slack', 'telegram', 'alertmanager'] as const) {
    it.each(cases)(`${target}: $name`, async ({ reply, retryable, status, retryAfterMs }) => {
      receivers()[target].script(reply);
      const error = await failure(get(target).send(sampleNotification()));
      expect([error.retryable, error.status]).toEqual([retryable, status]);
      if (retryAfterMs !== undefined) expect(error.retryAfterMs).toBe(retryAfterMs);
      expect(error.notifier).toBe(target);
      expect(retryDelayFor(error, 1) === null).toBe(!retryable);
    });
  }

  it('telegram: 429 with parameters.retry_after in the body', async () => {
    telegram.script({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 12', parameters: { retry_after: 12 } } });
    const error = await failure(get('telegram').send(sampleNotification()));
    expect([error.retryable, error.retryAfterMs, retryDelayFor(error, 3)]).toEqual([true, 12_000, 12_000]);
    expect(error.code).toBe('ERR_RATE_LIMITED');
  });

  it('a refused connection is retryable', async () => {
    const closed = await startFakeReceiver();
    const url = closed.url;
    await closed.close();
    const n = build([{ type: 'webhook', url, timeout: '1s' }]).get('webhook');
    const error = await failure(n?.send(sampleNotification()) ?? Promise.resolve());
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('one failing notifier does not hold up the others', async () => {
    slack.script({ delayMs: 2_000 });
    webhook.script({ status: 500 });
    const before = alertmanager.requests.length;
    const results = await Promise.allSettled([...notifiers.values()].map((n) => n.send(sampleNotification())));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(alertmanager.requests.length).toBe(before + 1);
  });
});

describe('retryDelayFor', () => {
  it.each([
    [new NotifyError('x', 'm', { retryable: true }), 1, 5_000],
    [new NotifyError('x', 'm', { retryable: true }), 3, 20_000],
    [new NotifyError('x', 'm', { retryable: true }), 20, 900_000],
    [new NotifyError('x', 'm', { retryable: true, status: 429, retryAfterMs: 30_000 }), 5, 30_000],
    [new NotifyError('x', 'm', { retryable: true, status: 429, retryAfterMs: 10 * 3_600_000 }), 1, 3_600_000],
    [new NotifyError('x', 'm', { retryable: false, status: 400 }), 1, null],
    [new TypeError('bug'), 1, null],
  ])('%s after %i attempts → %s', (error, attempts, delay) => {
    expect(retryDelayFor(error, attempts)).toBe(delay);
  });
});
