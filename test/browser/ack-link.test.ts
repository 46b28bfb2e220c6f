/**
 * An ack link from a notification, opened in headless Chromium: loading it (and a preview's GET or
 * HEAD) acknowledges nothing; the confirm page says what the alert is and who owns it; pressing its
 * button acknowledges, as the owner via the link; the dashboard's alert history shows it.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAckToken } from '../../src/alerting/ack-token.js';
import { buildApp } from '../../src/api/app.js';
import { startServer } from '../../src/api/server.js';
import { USERS, chromiumMissing, login, newPage, startHarness, type Running } from './harness.js';

const SECRET = 'browser-ack-secret-0123456789abcdef';

let h: Running;
let context: BrowserContext;
let url: string;
let closeServer: () => Promise<void>;

describe.skipIf(chromiumMissing)('ack link (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness({ alerts: true, hostile: false });
    // The harness's api has no ack secret: serve the same data from one that signs links.
    const app = await buildApp({ ...h.deps, alerting: { ackSecret: SECRET } });
    const server = await startServer(app, { host: '127.0.0.1', port: 0 });
    url = server.url;
    closeServer = async () => {
      app.server.closeAllConnections();
      await server.close();
    };
    context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await closeServer?.();
    await h?.close();
  });

  it('loading the link shows a confirm page and acknowledges nothing; the button acknowledges', async () => {
    const alert = h.alerts[0];
    if (!alert) throw new Error('the harness has no alert');
    const link = `${url}/ack/${signAckToken(alert.id, Date.now() + 3_600_000, SECRET)}`;
    // What an unfurler or mail scanner does: HEAD and GET.
    expect((await context.request.head(link)).status()).toBe(200);
    expect((await context.request.get(link)).status()).toBe(200);

    const { page, dialogs, errors } = await newPage(context);
    const response = await page.goto(link);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.textContent('h1')).toBe('Acknowledge this alert?');
    const summary = (await page.textContent('#ack-alert')) ?? '';
    expect(summary).toContain('Login complaints');
    expect(summary).toContain('40 in 10 min vs 1.2 expected (×33.3 of normal)');
    expect(await page.textContent('#ack-alert [data-field=owner]')).toBe('alice (on call)');
    expect((await h.svc.ctx.store.alerts.get(alert.id))?.acknowledgedAt).toBeNull();

    await Promise.all([page.waitForURL(link), page.click('#ack-button')]);
    await page.waitForSelector('#ack-result[data-result=acknowledged]');
    expect(await page.textContent('#ack-result')).toContain('Acknowledged by alice (on call)');
    const stored = await h.svc.ctx.store.alerts.get(alert.id);
    expect(stored?.acknowledgedBy).toBe('alice (on call)');
    const events = await h.svc.ctx.store.alerts.events(alert.id);
    expect(events.filter((e) => e.type === 'acknowledged')).toMatchObject([{ by: 'alice (on call)', via: 'link' }]);

    // Opening the link again says who was first; there is no button any more.
    await page.goto(link);
    expect(await page.textContent('h1')).toBe('Already acknowledged');
    expect(await page.locator('#ack-button').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('in a Russian browser the page is Russian (the dashboard\'s catalogue), GET changes nothing, the button acknowledges', async () => {
    const first = h.alerts[0];
    if (!first) throw new Error('the harness has no alert');
    // A second firing alert, not acknowledged: the same series and evidence under another id.
    const alert = { ...first, id: `${first.id}-ru`, acknowledgedAt: null, acknowledgedBy: null };
    await h.svc.ctx.store.alerts.save([alert]);
    await h.svc.ctx.store.alerts.setEvidence(alert.id, (await h.svc.ctx.store.alerts.get(first.id))?.evidence ?? null);
    const link = `${url}/ack/${signAckToken(alert.id, Date.now() + 3_600_000, SECRET)}`;
    const ru = await h.browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
    try {
      const { page, errors } = await newPage(ru);
      await page.goto(link);
      expect(await page.getAttribute('html', 'lang')).toBe('ru');
      expect(await page.textContent('h1')).toBe('Подтвердить этот алерт?');
      expect(await page.textContent('#ack-alert [data-field=alert]')).toBe('Жалобы: login (критично)');
      expect(await page.textContent('#ack-alert [data-field=rate]')).toBe('40 за 10 мин при ожидании 1,2 (×33,3 от нормы)');
      expect(await page.textContent('#ack-alert [data-field=firing-since]')).toMatch(/^\d\d\.\d\d\.\d{4}, \d\d:\d\d UTC \(\d+(,\d)? (мин|ч|д) назад\)$/);
      expect(await page.textContent('main')).not.toMatch(/Acknowledge|Owner|Login complaints/);
      // The language link is a GET: English, and still nothing acknowledged.
      await Promise.all([page.waitForURL(/lang=en/), page.click('nav.langs a[hreflang=en]')]);
      expect(await page.textContent('h1')).toBe('Acknowledge this alert?');
      expect((await h.svc.ctx.store.alerts.get(alert.id))?.acknowledgedAt).toBeNull();
      await Promise.all([page.waitForURL(/lang=ru/), page.click('nav.langs a[hreflang=ru]')]);
      await Promise.all([page.waitForURL(/\/ack\/.*lang=ru/), page.click('#ack-button')]);
      await page.waitForSelector('#ack-result[data-result=acknowledged]');
      expect(await page.textContent('h1')).toBe('Подтверждён');
      expect(await page.textContent('#ack-result')).toMatch(/^Подтвердил alice \(on call\) в \d\d\.\d\d\.\d{4}, \d\d:\d\d UTC\. Эскалация и повторы остановлены\.$/);
      expect((await h.svc.ctx.store.alerts.get(alert.id))?.acknowledgedBy).toBe('alice (on call)');
      expect(errors).toEqual([]);
    } finally {
      await ru.close();
    }
  });

  it('the dashboard shows the acknowledgement in the alert\'s history, with who and how', async () => {
    const alert = h.alerts[0];
    if (!alert) throw new Error('the harness has no alert');
    const { page, errors } = await newPage(context);
    await login(page, url, USERS.support, `#/alerts?id=${encodeURIComponent(alert.id)}`);
    await page.waitForSelector(`#alerts article[data-id="${alert.id}"]`);
    const card = page.locator(`#alerts article[data-id="${alert.id}"]`);
    expect(await card.locator('[data-field=ack]').textContent()).toContain('acknowledged by alice (on call)');
    // The history of the alert named in the URL opens by itself.
    await card.locator('li[data-event=acknowledged]').waitFor();
    const entry = (await card.locator('li[data-event=acknowledged]').textContent()) ?? '';
    expect(entry).toContain('acknowledged by alice (on call) via ack link');
    expect(await card.locator('li[data-event=acknowledged]').getAttribute('data-via')).toBe('link');
    expect(errors).toEqual([]);
    await page.close();
  });
});
