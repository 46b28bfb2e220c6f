/**
 * Acknowledgement by a person only, and the alert history with who did what and how, on SQLite and
 * PostgreSQL: HEAD and GET of an ack link change nothing, the confirm page's POST acknowledges once,
 * every acknowledgement / resolution / silence / relabel / escalation is an event with `{by, via}`.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAckToken } from '../../../src/alerting/ack-token.js';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';
import type { Alert } from '../../../src/domain/alert.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { admin, buildTestApp, PASSWORD, viewer } from '../../helpers/api.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
const MINUTE = 60_000;
const SECRET = 'ack-secret-for-tests-0123456789abcdef';
const HOSTILE = '<script>window.__x=1</script>';

function firing(id: string, category: string, overrides: Partial<Alert> = {}): Alert {
  const since = T0 - 20 * MINUTE;
  const peak = { series: `complaints.${category}`, t: since + 2 * MINUTE, value: 12, expected: 2, lower: 0, upper: 4, score: 0.99, direction: 'up' as const, reason: 'spike' as const };
  return newAlert({
    id,
    rule: 'complaints',
    groupKey: `complaints.${category}`,
    severity: 'critical',
    state: 'firing',
    startsAt: since,
    firingAt: since + 2 * MINUTE,
    owner: 'alice',
    ownerSince: since + 2 * MINUTE,
    members: [newMember({ series: `complaints.${category}`, state: 'firing', since, firingSince: since + 2 * MINUTE, onset: peak, latest: peak, peak })],
    ...overrides,
  });
}

const kinds: DbKind[] = ['sqlite', 'postgres'];

describe.each(kinds)('alert actions on %s', (db) => {
  let service: TestService | null = null;
  let app: FastifyInstance;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    if (db === 'postgres' && !(await postgresAvailable())) return;
    service = await createTestService({
      db,
      clock,
      config: { alerting: { oncall: { people: [{ id: 'alice', name: `Alice ${HOSTILE}` }, { id: 'bob', name: 'Bob' }] } } },
    });
    app = await buildTestApp(service.ctx, { alerting: { ackSecret: SECRET } });
    await service.ctx.store.alerts.save([firing('a-link', 'login'), firing('a-api', 'payment'), firing('a-resolved', 'slow', { state: 'resolved', endedAt: T0 - MINUTE }), firing('a-ru', 'email')]);
    await service.ctx.store.alerts.setEvidence('a-link', { series: 'complaints.login', count: 40, expected: 4, ratio: 10, window: { minutes: 15 } });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await service?.cleanup();
  });

  const link = (id: string) => `/ack/${signAckToken(id, T0 + 24 * 3_600_000, SECRET)}`;
  const alertOf = async (id: string) => (await app.inject({ url: `/api/alerts/${id}`, headers: viewer })).json();
  const confirmOf = (html: string) => /name="confirm" value="([^"]+)"/.exec(html)?.[1];

  it('HEAD and GET of an ack link show a confirm page and change nothing', async (t) => {
    if (!service) return t.skip();
    const head = await app.inject({ method: 'HEAD', url: link('a-link') });
    expect(head.statusCode).toBe(200);
    const get = await app.inject({ url: link('a-link') });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-security-policy']).toContain("default-src 'self'");
    expect(get.headers['content-security-policy']).toContain("form-action 'self'");
    expect(get.headers['cache-control']).toBe('no-store');
    // What the alert is, who owns it, the rate against normal; hostile names stay text.
    expect(get.body).toContain('Login complaints');
    expect(get.body).toContain('40 in 15 min vs 4 expected (×10 of normal)');
    expect(get.body).toContain('Alice &#60;script&#62;');
    expect(get.body).not.toContain(HOSTILE);
    expect(get.body).toMatch(/<form method="post" action="\/ack\/[^"]+" id="ack-form">/);
    expect(confirmOf(get.body)).toBeTruthy();
    const alert = await alertOf('a-link');
    expect(alert.acknowledgedAt).toBeNull();
    expect(alert.events.filter((e: { type: string }) => e.type === 'acknowledged')).toEqual([]);
  });

  it('a POST without the page token, or from another site, acknowledges nothing', async (t) => {
    if (!service) return t.skip();
    const bare = await app.inject({ method: 'POST', url: link('a-link'), payload: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(bare.statusCode).toBe(403);
    const forged = await app.inject({ method: 'POST', url: link('a-link'), payload: { confirm: 'lzz0abc.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(forged.statusCode).toBe(403);
    // A token from the page of another alert's link does not fit this one.
    const other = confirmOf((await app.inject({ url: link('a-api') })).body) ?? '';
    expect((await app.inject({ method: 'POST', url: link('a-link'), payload: { confirm: other } })).statusCode).toBe(403);
    const confirm = confirmOf((await app.inject({ url: link('a-link') })).body) ?? '';
    const crossSite = await app.inject({ method: 'POST', url: link('a-link'), payload: { confirm }, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
    expect(crossSite.statusCode).toBe(403);
    // An expired page: the button is offered again.
    clock.advance(2 * 3_600_000 - 1);
    expect(confirmOf((await app.inject({ method: 'POST', url: link('a-link'), payload: { confirm } })).body)).toBeTruthy();
    clock.set(T0);
    expect((await alertOf('a-link')).acknowledgedAt).toBeNull();
  });

  it('the confirm POST acknowledges once, as the owner via link; a second POST says who was first', async (t) => {
    if (!service) return t.skip();
    const confirm = confirmOf((await app.inject({ url: link('a-link') })).body) ?? '';
    clock.set(T0 + MINUTE);
    const first = await app.inject({ method: 'POST', url: link('a-link'), payload: `confirm=${encodeURIComponent(confirm)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('data-result="acknowledged"');
    expect(first.body).toContain('Acknowledged by Alice &#60;script&#62;');
    clock.set(T0 + 2 * MINUTE);
    const second = await app.inject({ method: 'POST', url: link('a-link'), payload: { confirm } });
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Already acknowledged by Alice');
    expect(second.body).toContain('2026-03-02 10:01 UTC');
    const alert = await alertOf('a-link');
    expect(alert.acknowledgedAt).toBe(T0 + MINUTE);
    const acks = alert.events.filter((e: { type: string }) => e.type === 'acknowledged');
    // Stored as the owner's person id; pages and notifications show the name.
    expect(alert.acknowledgedBy).toBe('alice');
    expect(acks).toEqual([{ alertId: 'a-link', type: 'acknowledged', at: T0 + MINUTE, by: 'alice', via: 'link' }]);
    // GET now shows the acknowledgement, without a button
    const after = await app.inject({ url: link('a-link') });
    expect(after.body).toContain('Already acknowledged');
    expect(confirmOf(after.body)).toBeUndefined();
  });

  it('a link to a resolved alert says so and acknowledges nothing', async (t) => {
    if (!service) return t.skip();
    const get = await app.inject({ url: link('a-resolved') });
    expect(get.body).toContain('This alert is resolved');
    expect(confirmOf(get.body)).toBeUndefined();
    const confirm = confirmOf((await app.inject({ url: link('a-api') })).body);
    expect(confirm).toBeTruthy();
    expect((await alertOf('a-resolved')).acknowledgedAt).toBeNull();
    expect((await app.inject({ url: `/ack/${signAckToken('a-link', T0 - 1, SECRET)}` })).statusCode).toBe(403);
  });

  it('in Russian (Accept-Language, ?lang=, the dashboard\'s cookie): the same pages from the catalogue; GET changes nothing, the POST acknowledges', async (t) => {
    if (!service) return t.skip();
    const ru = { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.5' };
    const before = clock.now();
    clock.set(T0 + 5 * MINUTE);
    expect((await app.inject({ method: 'HEAD', url: link('a-ru'), headers: ru })).statusCode).toBe(200);
    const get = await app.inject({ url: link('a-ru'), headers: ru });
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('<html lang="ru">');
    expect(get.body).toContain('<h1>Подтвердить этот алерт?</h1>');
    // the series worded as the dashboard words it, the channel by name; hostile names stay text
    expect(get.body).toContain('<dd data-field="alert">Жалобы, канал: эл. почта (критично)</dd>');
    expect(get.body).toContain('<dd data-field="owner">Alice &#60;script&#62;');
    expect(get.body).not.toContain(HOSTILE);
    expect(get.body).not.toMatch(/Acknowledge|Owner|complaints\.email \(|via email/);
    expect(get.body).toMatch(/<form method="post" action="\/ack\/[^"?]+\?lang=ru" id="ack-form">/);
    // the cookie the dashboard's switch sets, and ?lang=, choose too; ?lang= wins
    expect((await app.inject({ url: link('a-ru'), headers: { cookie: 'radar_lang=ru' } })).body).toContain('<h1>Подтвердить этот алерт?</h1>');
    expect((await app.inject({ url: `${link('a-ru')}?lang=en`, headers: ru })).body).toContain('<h1>Acknowledge this alert?</h1>');
    expect((await alertOf('a-ru')).acknowledgedAt).toBeNull();
    const confirm = confirmOf(get.body) ?? '';
    const crossSite = await app.inject({ method: 'POST', url: `${link('a-ru')}?lang=ru`, payload: { confirm }, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('Запрос пришёл с другого сайта и отклонён.');
    expect((await alertOf('a-ru')).acknowledgedAt).toBeNull();
    const done = await app.inject({ method: 'POST', url: `${link('a-ru')}?lang=ru`, payload: `confirm=${encodeURIComponent(confirm)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('<p id="ack-result" data-result="acknowledged">Подтвердил Alice &#60;script&#62;');
    expect(done.body).toContain(' в 02.03.2026, 10:05 UTC. Эскалация и повторы остановлены.</p>');
    expect((await alertOf('a-ru')).acknowledgedBy).toBe('alice');
    expect((await app.inject({ url: link('a-ru'), headers: ru })).body).toContain('<h1>Уже подтверждён</h1>');
    const expired = await app.inject({ url: `/ack/${signAckToken('a-ru', T0 - 1, SECRET)}`, headers: ru });
    expect(expired.statusCode).toBe(403);
    expect(expired.body).toContain('<h1>Ссылка подтверждения недействительна</h1>');
    expect(expired.body).toContain('её срок истёк');
    clock.set(before);
  });

  it('the API ack records the token name (via api), is idempotent, and a resolve is recorded as manual', async (t) => {
    if (!service) return t.skip();
    const first = await app.inject({ method: 'POST', url: '/api/alerts/a-api/ack', headers: viewer });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ acknowledged: true, acknowledgedBy: 'ci-viewer' });
    const again = await app.inject({ method: 'POST', url: '/api/alerts/a-api/ack', headers: admin });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ acknowledged: false, acknowledgedBy: 'ci-viewer' });
    expect((await app.inject({ method: 'POST', url: '/api/alerts/a-resolved/ack', headers: viewer })).statusCode).toBe(409);
    clock.set(T0 + 3 * MINUTE);
    const resolved = await app.inject({ method: 'POST', url: '/api/alerts/a-api/resolve', headers: admin });
    expect(resolved.json()).toMatchObject({ state: 'resolved', endedAt: T0 + 3 * MINUTE });
    expect((await app.inject({ method: 'POST', url: '/api/alerts/a-api/resolve', headers: admin })).statusCode).toBe(409);
    // A tick that loaded the alert while it was open does not reopen it.
    await service.ctx.store.alerts.save([firing('a-api', 'payment')], [{ alertId: 'a-api', type: 'escalated', at: T0 + 4 * MINUTE, from: 'alice', to: 'bob' }]);
    const alert = await alertOf('a-api');
    expect(alert.state).toBe('resolved');
    expect(alert.events.map((e: { type: string; by: string; via: string }) => [e.type, e.by, e.via])).toEqual([
      ['acknowledged', 'ci-viewer', 'api'],
      ['resolved', 'ci-admin', 'api'],
      ['escalated', 'system', 'system'],
    ]);
    expect(alert.events.find((e: { type: string }) => e.type === 'resolved')).toMatchObject({ manual: true });
  });

  it('an ack from a dashboard session is recorded with the user\'s name via dashboard', async (t) => {
    if (!service) return t.skip();
    await service.ctx.store.alerts.save([firing('a-dash', 'login')]);
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: PASSWORD } });
    const cookies = { radar_session: login.cookies.find((c) => c.name === 'radar_session')?.value ?? '' };
    // Without the CSRF token a session cannot acknowledge.
    expect((await app.inject({ method: 'POST', url: '/api/alerts/a-dash/ack', cookies })).statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/api/alerts/a-dash/ack', cookies, headers: { 'x-csrf-token': login.json().csrf } });
    expect(res.json()).toMatchObject({ acknowledged: true, acknowledgedBy: 'anna' });
    const events = (await alertOf('a-dash')).events;
    expect(events).toEqual([{ alertId: 'a-dash', type: 'acknowledged', at: clock.now(), by: 'anna', via: 'dashboard' }]);
  });

  it('silences created and ended by a person go into the covered alerts\' history', async (t) => {
    if (!service) return t.skip();
    await service.ctx.store.alerts.save([firing('a-silenced', 'payment')]);
    const created = await app.inject({ method: 'POST', url: '/api/silences', headers: admin, payload: { category: 'payment', duration: '1h', comment: 'known outage' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ createdBy: 'ci-admin', createdVia: 'api' });
    clock.set(T0 + 10 * MINUTE);
    expect((await app.inject({ method: 'DELETE', url: `/api/silences/${created.json().id}`, headers: admin })).statusCode).toBe(200);
    const events = (await alertOf('a-silenced')).events.map((e: { type: string; by: string; via: string; comment?: string }) => [e.type, e.by, e.via, e.comment]);
    expect(events).toEqual([
      ['silence_created', 'ci-admin', 'api', 'known outage'],
      ['silence_expired', 'ci-admin', 'api', 'known outage'],
    ]);
    const all = (await app.inject({ url: '/api/silences?all=true', headers: viewer })).json().items;
    expect(all[0]).toMatchObject({ expiredBy: 'ci-admin', expiredVia: 'api', expiredAt: T0 + 10 * MINUTE });
    // Another alert's history is untouched.
    expect((await alertOf('a-link')).events.some((e: { type: string }) => e.type.startsWith('silence'))).toBe(false);
  });

  it('a relabel keeps who and how in the label history, and joins the history of open alerts over either category', async (t) => {
    if (!service) return t.skip();
    const svc = service;
    await svc.ctx.store.ingest(
      [{ message: { id: 'api:r1', channel: 'api', source: 'api', author: null, text: 'cannot login', lang: 'en', createdAt: new Date(T0 - 5 * MINUTE).toISOString(), link: null }, classification: { complaint: true, score: 0.9, categories: [{ name: 'login', score: 0.9, terms: ['login'] }], lang: 'en' } }],
      T0,
      MINUTE,
    );
    await svc.ctx.store.alerts.save([firing('a-relabel', 'slow')]);
    const res = await app.inject({ method: 'POST', url: '/api/messages/api:r1/label', headers: viewer, payload: { complaint: true, category: 'slow' } });
    expect(res.statusCode).toBe(200);
    const history = (await app.inject({ url: '/api/messages/api:r1/labels', headers: viewer })).json().items;
    expect(history).toEqual([{ complaint: true, category: 'slow', by: 'ci-viewer', via: 'api', at: clock.now() }]);
    const relabelled = { type: 'relabelled', at: clock.now(), by: 'ci-viewer', via: 'api', message: 'api:r1', from: 'login', to: 'slow' };
    // The alert over the new category and the one over the old category (still open) record it.
    expect((await alertOf('a-relabel')).events.filter((e: { type: string }) => e.type === 'relabelled')).toEqual([{ alertId: 'a-relabel', ...relabelled }]);
    expect((await alertOf('a-link')).events.filter((e: { type: string }) => e.type === 'relabelled')).toEqual([{ alertId: 'a-link', ...relabelled }]);
    expect((await alertOf('a-silenced')).events.filter((e: { type: string }) => e.type === 'relabelled')).toEqual([]);
  });
});
