/**
 * The incident API and message clusters on SQLite and PostgreSQL: `GET /api/incidents/:id` gathers what
 * the page shows (headline, band and onset, channels, languages, rising words, clusters, related series,
 * notes, summary); notes and hand over need auth (and CSRF from a session); an alert that joined an
 * incident answers with that incident; `GET /api/messages/clusters` and the bulk relabel of a cluster.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';
import type { Alert } from '../../../src/domain/alert.js';
import type { Channel, Lang } from '../../../src/domain/message.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { createAlerting } from '../../../workers/alerting.js';
import { admin, buildTestApp, PASSWORD, viewer } from '../../helpers/api.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';

const T0 = Date.UTC(2026, 2, 2, 10, 0);
const MINUTE = 60_000;
const HOSTILE = '<img src=x onerror=alert(1)>';

function alertOf(id: string, series: string, overrides: Partial<Alert> = {}): Alert {
  const since = T0 - 30 * MINUTE;
  const onset = { series, t: since, value: 12, expected: 2, lower: 0, upper: 4, score: 0.99, direction: 'up' as const, reason: 'spike' as const };
  return newAlert({
    id,
    rule: 'complaints',
    groupKey: series,
    severity: 'critical',
    state: 'firing',
    startsAt: since,
    firingAt: since + 2 * MINUTE,
    owner: 'alice',
    ownerSince: since + 2 * MINUTE,
    members: [newMember({ series, state: 'firing', since, firingSince: since + 2 * MINUTE, onset, latest: onset, peak: onset })],
    ...overrides,
  });
}

const kinds: DbKind[] = ['sqlite', 'postgres'];

describe.each(kinds)('incidents and clusters on %s', (db) => {
  let service: TestService | null = null;
  let app: FastifyInstance;
  const clock = new ManualClock(T0);

  beforeAll(async () => {
    if (db === 'postgres' && !(await postgresAvailable())) return;
    service = await createTestService({
      db,
      clock,
      config: {
        server: { publicUrl: 'https://radar.example.com' },
        alerting: {
          oncall: { timezone: 'UTC', people: [{ id: 'alice', name: 'Alice' }, { id: 'bob', name: `Bob ${HOSTILE}` }] },
          notifiers: [{ type: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/hook' }],
        },
      },
    });
    const engine = createAlerting(service.ctx, { ackSecret: 'incident-test-ack-secret', publicUrl: 'https://radar.example.com' });
    app = await buildTestApp(service.ctx, { alerting: { ackSecret: 'incident-test-ack-secret', handOver: engine } });
    const { store } = service.ctx;
    // Baseline: a few login complaints a day before; the incident: 30 near-duplicate tweets (retweets with
    // other mentions and links), 8 Russian e-mails alike, 2 others.
    const msg = (id: string, text: string, channel: Channel, lang: Lang, t: number) => ({
      message: { id, channel, source: channel, author: null, text, lang, createdAt: new Date(t).toISOString(), link: null },
      classification: { complaint: true, score: 0.9, categories: [{ name: 'login', score: 0.9, terms: text.includes('войти') ? ['войти'] : text.includes('password') ? ['password'] : ['login'] }], lang },
    });
    const items = [
      ...Array.from({ length: 20 }, (_, i) => msg(`api:base${i}`, `password reset is a bit slow ${i}`, 'api', 'en', T0 - 24 * 60 * MINUTE + i * MINUTE)),
      ...Array.from({ length: 30 }, (_, i) => msg(`twitter:t${i}`, `RT @user${i}: cannot login since the update!!! https://t.co/${i}`, 'twitter', 'en', T0 - 28 * MINUTE + i * 30_000)),
      ...Array.from({ length: 8 }, (_, i) => msg(`imap:m${i}`, `@support не могу войти в почту с утра ${i % 2 === 0 ? '!!!' : ''}`, 'email', 'ru', T0 - 25 * MINUTE + i * MINUTE)),
      msg('api:other1', `login button does nothing ${HOSTILE}`, 'api', 'en', T0 - 10 * MINUTE),
      msg('api:other2', 'после смены пароля приложение падает, login', 'api', 'ru', T0 - 9 * MINUTE),
    ];
    await store.ingest(items, T0, MINUTE);
    // What the detector stored for the headline series and a metric that moved with it.
    const points = [];
    for (let t = T0 - 3 * 60 * MINUTE; t < T0; t += MINUTE) {
      const inside = t >= T0 - 30 * MINUTE;
      points.push({ series: 'complaints.login', t, value: inside ? 2 : 0, score: inside ? 0.99 : 0.1, expected: 0.1, lower: 0, upper: 0.5, direction: inside ? ('up' as const) : null, reason: inside ? ('spike' as const) : null, alert: inside, learning: false, late: false });
      points.push({ series: 'errors.auth', t, value: t >= T0 - 33 * MINUTE ? 90 : 10, score: 0.5, expected: 10, lower: 5, upper: 15, direction: null, reason: null, alert: false, learning: false, late: false });
    }
    await store.detectorPoints.write(points);
    await store.alerts.save([
      alertOf('inc-login', 'complaints.login'),
      alertOf('inc-joined', 'complaints.channel.twitter', { attachedTo: 'inc-login', owner: 'alice' }),
      alertOf('inc-over', 'complaints.slow', { state: 'resolved', endedAt: T0 - 5 * MINUTE }),
    ]);
    await store.alerts.setEvidence('inc-login', {
      series: 'complaints.login',
      correlated: [{ series: 'errors.auth', label: 'errors.auth', score: 1, direction: 'up', onset: T0 - 33 * MINUTE, leadMs: -3 * MINUTE, ratio: 9, size: '×9' }],
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await service?.cleanup();
  });

  const incident = async (id: string) => app.inject({ url: `/api/incidents/${encodeURIComponent(id)}`, headers: viewer });

  it('answers with everything the incident page shows', async (t) => {
    if (!service) return t.skip();
    const res = await incident('inc-login');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.id).toBe('inc-login');
    expect(body.headline).toBe('Login complaints: 20× normal, 60 since 09:30 against 3 expected.');
    expect(body.owner).toEqual({ id: 'alice', name: 'Alice' });
    // the Alerts view names people as the incident page does
    const listed = (await app.inject({ url: '/api/alerts', headers: viewer })).json().items as Array<{ id: string }>;
    expect(listed.find((a) => a.id === 'inc-login')).toMatchObject({ owner: 'alice', ownerName: 'Alice', acknowledgedBy: null, acknowledgedByName: null });
    expect(body.alert).toMatchObject({ state: 'firing', acknowledgedAt: null });
    expect(body.alert.evidence).toBeUndefined();
    expect(body.series).toMatchObject({ key: 'complaints.login', onset: T0 - 30 * MINUTE, band: { expected: 2, lower: 0, upper: 4, t: T0 - 30 * MINUTE } });
    expect(body.series.points.length).toBeGreaterThan(60);
    expect(body.series.points.filter((p: { alert: boolean }) => p.alert)).toHaveLength(30);
    expect(body.channels).toEqual([{ channel: 'twitter', count: 30 }, { channel: 'email', count: 8 }, { channel: 'api', count: 2 }]);
    expect(body.languages).toEqual([{ lang: 'en', count: 31 }, { lang: 'ru', count: 9 }]);
    expect(body.risingTerms.map((r: { term: string }) => r.term).sort()).toEqual(['login', 'войти']);
    // Near-duplicates collapsed, with counts: the retweets, the Russian mails, then the rest.
    expect(body.clusters.map((c: { count: number }) => c.count)).toEqual([30, 8, 1, 1]);
    expect(body.clusters[0].memberIds).toHaveLength(30);
    expect(body.clusters[0].representative.text).toMatch(/cannot login since the update/);
    expect(body.messages).toEqual({ scanned: 40, complete: true });
    expect(body.related).toMatchObject([
      { series: 'complaints.channel.twitter', why: 'joined', alertId: 'inc-joined' },
      { series: 'errors.auth', why: 'correlated', size: '×9', leadMs: -3 * MINUTE },
    ]);
    expect(body.related[1].points.length).toBeGreaterThan(60);
    expect(body.alerts.map((a: { id: string }) => a.id)).toEqual(['inc-login', 'inc-joined']);
    expect(body.people).toEqual([{ id: 'alice', name: 'Alice' }, { id: 'bob', name: `Bob ${HOSTILE}` }]);
    expect(body.summaryText.split('\n')).toEqual([
      '[FIRING] Login complaints: 20× normal, 60 since 09:30 against 3 expected.',
      'Since: Monday 09:30 (UTC), for 30 min',
      'Size: 60 against 3 expected (20× normal)',
      'Owner: Alice (not acknowledged)',
      'State: firing, severity critical',
      'Channels: 30 tweets, 8 e-mails, 2 API reports',
      'Top complaints:',
      `- 30 × "${body.clusters[0].representative.text.replace(/\s+/g, ' ').trim()}"`,
      `- 8 × "${body.clusters[1].representative.text.replace(/\s+/g, ' ').trim()}"`,
      `- 1 × "${body.clusters[2].representative.text}"`,
      'At the same time: errors.auth ×9 (started 3 min earlier)',
      'Details: https://radar.example.com/#/incidents/inc-login',
    ]);
  });

  it('?lang=ru: the headline and the summary worded from the catalogue, numbers, weekday and channels for ru-RU; ?lang=en is the default', async (t) => {
    if (!service) return t.skip();
    const ask = async (query: string) => (await app.inject({ url: `/api/incidents/inc-login${query}`, headers: viewer })).json();
    const [plain, en, ru] = await Promise.all([ask(''), ask('?lang=en'), ask('?lang=ru')]);
    expect(en.summaryText).toBe(plain.summaryText);
    expect(en.headline).toBe(plain.headline);
    expect(ru.headline).toBe('Жалобы: login: ×20 от нормы, 60 с 09:30 при ожидании 3.');
    expect(ru.summaryText.split('\n')).toEqual([
      '[АКТИВЕН] Жалобы: login: ×20 от нормы, 60 с 09:30 при ожидании 3.',
      'Начало: пн 09:30 (UTC), идёт 30 мин',
      'Объём: 60 при ожидании 3 (×20 от нормы)',
      'Ответственный: Alice (не подтверждён)',
      'Состояние: активен, важность: критично',
      'Каналы: Twitter: 30, эл. почта: 8, API: 2',
      'Главные жалобы:',
      `- 30 × «${ru.clusters[0].representative.text.replace(/\s+/g, ' ').trim()}»`,
      `- 8 × «${ru.clusters[1].representative.text.replace(/\s+/g, ' ').trim()}»`,
      `- 1 × «${ru.clusters[2].representative.text}»`,
      'Одновременно: errors.auth ×9 (начался на 3 мин раньше)',
      'Подробнее: https://radar.example.com/#/incidents/inc-login',
    ]);
  });

  it('an alert that joined an incident answers with that incident; an unknown id is a 404; a bad id a 400', async (t) => {
    if (!service) return t.skip();
    const joined = (await incident('inc-joined')).json();
    expect(joined).toMatchObject({ id: 'inc-login', requestedId: 'inc-joined' });
    expect((await incident('no-such')).json()).toMatchObject({ error: 'ERR_NOT_FOUND' });
    expect((await incident('no-such')).statusCode).toBe(404);
    expect((await app.inject({ url: `/api/incidents/${'x'.repeat(301)}`, headers: viewer })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/incidents/inc-login' })).statusCode).toBe(401);
  });

  it('a resolved incident says so in its headline', async (t) => {
    if (!service) return t.skip();
    const body = (await incident('inc-over')).json();
    expect(body.headline).toMatch(/^Slow complaints: .* to 09:55 .*back to normal\.$/);
    expect(body.summaryText.startsWith('[RESOLVED] ')).toBe(true);
  });

  it('notes: auth, CSRF from a session, validated, stored as written with author and time, oldest first', async (t) => {
    if (!service) return t.skip();
    const url = '/api/incidents/inc-joined/notes';
    expect((await app.inject({ method: 'POST', url, payload: { text: 'x' } })).statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: PASSWORD } });
    const cookies = { radar_session: login.cookies.find((c) => c.name === 'radar_session')?.value ?? '' };
    expect((await app.inject({ method: 'POST', url, cookies, payload: { text: 'no csrf' } })).statusCode).toBe(403);
    for (const payload of [{ text: '   ' }, { text: 'x'.repeat(4001) }, { text: 'ok', extra: 1 }, {}]) {
      const bad = await app.inject({ method: 'POST', url, headers: viewer, payload });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.json().field).toMatch(/^body/);
    }
    clock.set(T0 + MINUTE);
    const first = await app.inject({ method: 'POST', url, cookies, headers: { 'x-csrf-token': login.json().csrf }, payload: { text: `  restarting auth pods ${HOSTILE}  ` } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ incidentId: 'inc-login', by: 'anna', via: 'dashboard', at: T0 + MINUTE, text: `restarting auth pods ${HOSTILE}` });
    clock.set(T0 + 2 * MINUTE);
    await app.inject({ method: 'POST', url: '/api/incidents/inc-login/notes', headers: admin, payload: { text: 'status page updated' } });
    const notes = (await incident('inc-login')).json().notes;
    expect(notes.map((n: { by: string; via: string; text: string; at: number }) => [n.by, n.via, n.text, n.at])).toEqual([
      ['anna', 'dashboard', `restarting auth pods ${HOSTILE}`, T0 + MINUTE],
      ['ci-admin', 'api', 'status page updated', T0 + 2 * MINUTE],
    ]);
    expect((await app.inject({ method: 'POST', url: '/api/incidents/no-such/notes', headers: viewer, payload: { text: 'x' } })).statusCode).toBe(404);
    clock.set(T0);
  });

  it('hand over: to a person of the on-call config, recorded with who and how; a tick that loaded the alert before keeps it', async (t) => {
    if (!service) return t.skip();
    const url = '/api/incidents/inc-login/handover';
    const unknown = await app.inject({ method: 'POST', url, headers: viewer, payload: { to: 'mallory' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('alice, bob');
    const tickCopy = (await service.ctx.store.alerts.open()).find((a) => a.id === 'inc-login');
    clock.set(T0 + 3 * MINUTE);
    const res = await app.inject({ method: 'POST', url, headers: viewer, payload: { to: 'bob' } });
    expect(res.json()).toEqual({ id: 'inc-login', owner: 'bob', ownerSince: T0 + 3 * MINUTE, handedOver: true });
    expect((await app.inject({ method: 'POST', url, headers: viewer, payload: { to: 'bob' } })).json()).toMatchObject({ handedOver: false, owner: 'bob' });
    // The detector tick saves the copy it loaded before the hand over: the hand over stays.
    if (!tickCopy) throw new Error('no open alert');
    await service.ctx.store.alerts.save([{ ...tickCopy, updatedAt: T0 + 3 * MINUTE }]);
    const body = (await incident('inc-login')).json();
    expect(body.owner).toEqual({ id: 'bob', name: `Bob ${HOSTILE}` });
    expect(body.events.filter((e: { type: string }) => e.type === 'handed_over')).toEqual([
      { alertId: 'inc-login', type: 'handed_over', at: T0 + 3 * MINUTE, by: 'ci-viewer', via: 'api', from: 'alice', to: 'bob' },
    ]);
    expect((await app.inject({ method: 'POST', url: '/api/incidents/inc-over/handover', headers: viewer, payload: { to: 'bob' } })).statusCode).toBe(409);
    // The new owner is paged, once, through the outbox written by the hand over's own transaction.
    const pages = (await service.ctx.store.outbox.unsent()).filter((e) => e.alertId === 'inc-login');
    expect(pages.map((e) => e.key)).toEqual([`inc-login-handed_over-${T0 + 3 * MINUTE}-bob.hook`]);
    const page = pages[0]?.payload as { notifier: string; notification: { title: string; owner: { id: string } | null; ownerRole: string; ackUrl: string | null; evidence: { series: string; count: number } | null } };
    expect(page.notifier).toBe('hook');
    expect(page.notification.title).toMatch(/^\[HANDED OVER\] /);
    expect(page.notification.owner?.id).toBe('bob');
    expect(page.notification.ownerRole).toBe('handed over by ci-viewer');
    // With the evidence as it stands at the hand over (30 tweets, 8 e-mails and 2 reports in the last half hour).
    expect(page.notification.evidence).toMatchObject({ series: 'complaints.login' });
    expect(page.notification.evidence?.count).toBeGreaterThan(0);
    expect(page.notification.ackUrl).toMatch(/^https:\/\/radar\.example\.com\/ack\//);
    clock.set(T0);
  });

  it('clusters of messages: one row per cluster with count, representative and members, filtered like the list', async (t) => {
    if (!service) return t.skip();
    const res = await app.inject({ url: `/api/messages/clusters?category=login&from=${T0 - 60 * MINUTE}`, headers: viewer });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((c: { count: number }) => c.count)).toEqual([30, 8, 1, 1]);
    expect(body).toMatchObject({ clusters: 4, scanned: 40, complete: true });
    const retweets = body.items[0];
    expect(retweets.memberIds.every((id: string) => id.startsWith('twitter:t'))).toBe(true);
    expect(retweets.members).toHaveLength(30);
    expect(retweets.memberIds).toContain(retweets.representative.id);
    const small = await app.inject({ url: `/api/messages/clusters?category=login&from=${T0 - 60 * MINUTE}&window=10&clusters=1`, headers: viewer });
    expect(small.json()).toMatchObject({ scanned: 10, complete: false });
    expect(small.json().items).toHaveLength(1);
    for (const q of ['window=0', 'window=1001', 'clusters=0', 'limit=5', 'cursor=x']) {
      expect((await app.inject({ url: `/api/messages/clusters?${q}`, headers: viewer })).statusCode, q).toBe(400);
    }
  });

  it('relabels a cluster in one POST: every message with its history, the open alerts record each; bounded, all or nothing', async (t) => {
    if (!service) return t.skip();
    const ids = Array.from({ length: 8 }, (_, i) => `imap:m${i}`);
    const url = '/api/messages/labels';
    expect((await app.inject({ method: 'POST', url, payload: { ids, complaint: false } })).statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { name: 'anna', password: PASSWORD } });
    const cookies = { radar_session: login.cookies.find((c) => c.name === 'radar_session')?.value ?? '' };
    expect((await app.inject({ method: 'POST', url, cookies, payload: { ids, complaint: false } })).statusCode).toBe(403);
    for (const payload of [{ ids: [], complaint: false }, { ids: Array.from({ length: 1001 }, (_, i) => `x${i}`), complaint: false }, { ids, complaint: true }, { ids, complaint: true, category: 'nope' }]) {
      expect((await app.inject({ method: 'POST', url, headers: viewer, payload })).statusCode).toBe(400);
    }
    // One unknown id: nothing changes.
    const partial = await app.inject({ method: 'POST', url, headers: viewer, payload: { ids: [...ids, 'imap:nope'], complaint: true, category: 'slow' } });
    expect(partial.statusCode).toBe(404);
    expect((await service.ctx.store.messages.get('imap:m0'))?.label).toBeNull();

    clock.set(T0 + 4 * MINUTE);
    const res = await app.inject({ method: 'POST', url, cookies, headers: { 'x-csrf-token': login.json().csrf }, payload: { ids, complaint: true, category: 'slow' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().labelled).toBe(8);
    expect(res.json().items.map((m: { id: string; label: { category: string } }) => [m.id, m.label.category])).toEqual(ids.map((id) => [id, 'slow']));
    for (const id of ids) {
      expect((await app.inject({ url: `/api/messages/${id}/labels`, headers: viewer })).json().items).toEqual([{ complaint: true, category: 'slow', by: 'anna', via: 'dashboard', at: T0 + 4 * MINUTE }]);
    }
    const events = (await app.inject({ url: '/api/alerts/inc-login', headers: viewer })).json().events.filter((e: { type: string }) => e.type === 'relabelled');
    expect(events.map((e: { message: string; from: string; to: string; by: string }) => [e.message, e.from, e.to, e.by])).toEqual(ids.map((id) => [id, 'login', 'slow', 'anna']));
    // The relabelled messages leave the login clusters.
    const after = (await app.inject({ url: `/api/messages/clusters?category=login&from=${T0 - 60 * MINUTE}`, headers: viewer })).json();
    expect(after.items.map((c: { count: number }) => c.count)).toEqual([30, 1, 1]);
    clock.set(T0);
  });

  it('a refresh with no new message answers the same clusters, with the labels as stored now', async (t) => {
    if (!service) return t.skip();
    const url = `/api/messages/clusters?from=${T0 - 60 * MINUTE}`;
    type Cluster = { id: string; count: number; memberIds: string[]; members: { id: string; label: { category: string } | null }[] };
    const first = (await app.inject({ url, headers: viewer })).json();
    expect((await app.inject({ url, headers: viewer })).json()).toEqual(first);
    const retweets = first.items.find((c: Cluster) => c.memberIds.every((id) => id.startsWith('twitter:t'))) as Cluster;
    const member = retweets.members.find((m) => m.label === null);
    expect(member).toBeDefined();
    // Relabelled, it stays in this window (no category filter): the same clusters, its new label shown.
    const relabel = await app.inject({ method: 'POST', url: `/api/messages/${member?.id}/label`, headers: viewer, payload: { complaint: true, category: 'slow' } });
    expect(relabel.statusCode).toBe(200);
    const after = (await app.inject({ url, headers: viewer })).json();
    expect(after.items.map((c: Cluster) => [c.id, c.count])).toEqual(first.items.map((c: Cluster) => [c.id, c.count]));
    const shown = (after.items as Cluster[]).flatMap((c) => c.members).find((m) => m.id === member?.id);
    expect(shown?.label).toMatchObject({ complaint: true, category: 'slow' });
  });

  it('while open, channels, languages and messages cover the minutes the count covers: up to the newest judged one', async (t) => {
    if (!service) return t.skip();
    // Two minutes later a complaint arrives that no tick has judged yet (the stored points end at T0).
    clock.set(T0 + 3 * MINUTE);
    const before = (await incident('inc-login')).json();
    const late = { id: 'vk:late1', channel: 'vk' as Channel, source: 'vk', author: null, text: 'still cannot login', lang: 'en' as Lang, createdAt: new Date(T0 + MINUTE).toISOString(), link: null };
    await service.ctx.store.ingest([{ message: late, classification: { complaint: true, score: 0.9, categories: [{ name: 'login', score: 0.9, terms: ['login'] }], lang: 'en' } }], T0 + 3 * MINUTE, MINUTE);
    const body = (await incident('inc-login')).json();
    expect(body.window.to).toBe(T0 - 1);
    expect(body.channels.map((c: { channel: string }) => c.channel)).not.toContain('vk');
    expect(body.messages.scanned).toBe(before.messages.scanned);
    expect(body.clusters.flatMap((c: { memberIds: string[] }) => c.memberIds)).not.toContain('vk:late1');
    // Judged: the minute counts, and the message is in.
    await service.ctx.store.detectorPoints.write([{ series: 'complaints.login', t: T0 + MINUTE, value: 1, score: 0.5, expected: 0.1, lower: 0, upper: 0.5, direction: 'up', reason: 'spike', alert: true, learning: false, late: false }]);
    const after = (await incident('inc-login')).json();
    expect(after.window.to).toBe(T0 + 2 * MINUTE - 1);
    expect(after.channels).toContainEqual({ channel: 'vk', count: 1 });
    expect(after.messages.scanned).toBe(before.messages.scanned + 1);
    clock.set(T0);
  });
});
