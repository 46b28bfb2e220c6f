/**
 * The dashboard in headless Chromium against the service on 127.0.0.1 with seeded data: login, the
 * overview, click-through from a spike to its messages, a relabel that persists, an alert ack, the
 * "no alerting" state, URL state, phone layout, and hostile text from every channel staying inert.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { startServer } from '../../src/api/server.js';
import { dashboardLink } from '../../src/alerting/evidence.js';
import type { Alert } from '../../src/domain/alert.js';
import { waitFor } from '../helpers/wait.js';
import { API_TOKEN, MINUTE, USERS, XSS, chromiumMissing, firingAlert, login, newPage, startHarness, type Running } from './harness.js';

let h: Running;
let context: BrowserContext;
let page: Page;
let dialogs: string[];
let errors: string[];

describe.skipIf(chromiumMissing)('dashboard (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness({ alerts: true, detector: true });
    context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, dialogs, errors } = await newPage(context));
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  async function open(hash: string, ready: string): Promise<void> {
    await page.goto(`${h.url}/${hash}`);
    await page.waitForSelector(ready);
  }

  it('sends an anonymous visitor to a login form that works without JavaScript', async () => {
    const plain = await h.browser.newContext({ javaScriptEnabled: false });
    const p = await plain.newPage();
    await p.goto(`${h.url}/`);
    expect(new URL(p.url()).pathname).toBe('/login');
    await p.fill('input[name=name]', USERS.support.name);
    await p.fill('input[name=password]', 'wrong password');
    await p.click('button[type=submit]');
    expect(p.url()).toContain('/login?error=1');
    expect(await p.textContent('.error')).toContain('Wrong name or password');
    await p.fill('input[name=name]', USERS.support.name);
    await p.fill('input[name=password]', USERS.support.password);
    await p.click('button[type=submit]');
    expect(new URL(p.url()).pathname).toBe('/');
    expect((await plain.cookies()).some((c) => c.name === 'radar_session' && c.httpOnly)).toBe(true);
    await plain.close();
  });

  it('logs in, keeping a shared link, and serves pages with a strict CSP', async () => {
    await login(page, h.url, USERS.support, '#/overview?window=1h');
    expect(page.url()).toContain('#/overview?window=1h');
    const res = await context.request.get(`${h.url}/`);
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers()['x-frame-options']).toBe('DENY');
    expect(await res.text()).not.toMatch(/<script>(?!<\/script>)|\son\w+=/);
  });

  it('overview shows every category, the one in trouble first, with counts linking to messages', async () => {
    await open('#/overview?window=1h', '#categories article');
    const names = await page.$$eval('#categories article', (els) => els.map((e) => (e as HTMLElement).dataset.category));
    expect(names).toEqual(expect.arrayContaining(['login', 'payment', 'slow']));
    expect(names[0]).toBe('login');
    expect(await page.getAttribute('#categories article[data-category=login]', 'data-trouble')).toBe('1');
    const count = Number(await page.getAttribute('#categories article[data-category=login] a.count', 'data-count'));
    expect(count).toBeGreaterThanOrEqual(40);
    await page.click('#categories article[data-category=login] a.count');
    await page.waitForSelector('#messages article');
    expect(page.url()).toMatch(/#\/messages\?.*category=login/);
    expect(await page.inputValue('select[name=category]')).toBe('login');
  });

  it('the timeline draws one row per category, each with its own scale, in the unit Overview uses', async () => {
    await open('#/timeline?range=6h', '#complaints-chart section.multiple .u-over');
    const rows = await page.$$eval('#complaints-chart section.multiple', (els) => els.map((e) => ({ category: (e as HTMLElement).dataset.category, plots: e.querySelectorAll('.uplot').length, title: e.querySelector('h3')?.textContent ?? '' })));
    const categories = await page.$$eval('select[name=category] option', (els) => els.map((e) => (e as HTMLOptionElement).value).filter((v) => v !== ''));
    expect(rows.map((r) => r.category)).toEqual(categories);
    for (const r of rows) expect(r.plots, r.category).toBe(1);
    expect(rows.find((r) => r.category === 'login')?.title).toMatch(/login.*(alert firing|anomalous)/);
    const all = await page.getAttribute('#complaints-chart', 'data-unit');
    // one category: the same unit, never the detector's own
    await open('#/timeline?range=6h&category=login', '#complaints-chart section.multiple .u-over');
    await page.waitForFunction(() => document.querySelectorAll('#complaints-chart section.multiple').length === 1);
    expect(await page.getAttribute('#complaints-chart', 'data-unit')).toBe(all);
    expect(await page.textContent('#complaints-chart')).not.toContain('detector value');
    // its alert is listed under the chart; another category shows no other category's alert
    await page.waitForSelector('#marks button[data-alert]');
    expect(await page.locator('#marks button[data-alert]').count()).toBe(1);
    await open('#/timeline?range=6h&category=payment', '#complaints-chart section.multiple .u-over');
    await page.waitForFunction(() => document.querySelector('#complaints-chart section.multiple')?.getAttribute('data-category') === 'payment');
    await page.waitForSelector('#marks');
    expect(await page.locator('#marks button[data-alert]').count()).toBe(0);
  });

  it('overview arrows agree with the ratio printed beside them', async () => {
    await open('#/overview?window=1h', '#categories article .trend');
    const cards = await page.$$eval('#categories article', (els) => els.map((e) => ({ cls: e.querySelector('.trend')?.className ?? '', label: e.querySelector('.trend')?.getAttribute('aria-label') ?? '', text: e.textContent ?? '' })));
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) {
      const m = /×([\d.,]+) of (normal|the previous window)/.exec(c.label);
      expect(m, c.label).not.toBeNull();
      const ratio = Number(m![1]!.replace(',', ''));
      if (ratio >= 1.1) expect(c.cls).toContain('up');
      else if (ratio <= 0.9) expect(c.cls).toContain('down');
      else expect(c.cls).toContain('flat');
      if (m![2] === 'normal') expect(c.text).toContain(`×${m![1]} of normal`);
    }
  });

  let relabelled: { id: string; text: string } | null = null;

  it('a click on the spike in the timeline lists its messages', async () => {
    await open('#/timeline?category=login&range=6h', '#complaints-chart .u-over');
    const chart = await page.$eval('#complaints-chart', (el) => ({ from: Number((el as HTMLElement).dataset.from), to: Number((el as HTMLElement).dataset.to) }));
    const box = await page.locator('#complaints-chart .u-over').boundingBox();
    if (!box) throw new Error('no chart');
    const t = h.plan.spikeStart + 5 * MINUTE;
    const x = box.x + ((t - chart.from) / (chart.to - chart.from)) * box.width;
    await page.mouse.move(x, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForURL(/#\/messages\?/);
    await page.waitForSelector('#messages article');
    const params = new URLSearchParams(page.url().split('?')[1]);
    expect(params.get('category')).toBe('login');
    const from = Number(params.get('from'));
    expect(from).toBeGreaterThanOrEqual(h.plan.spikeStart);
    expect(from).toBeLessThan(h.plan.spikeStart + 10 * MINUTE);
    const texts = await page.$$eval('#messages article .text', (els) => els.map((e) => e.textContent ?? ''));
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toMatch(/login broken again|Опять не могу войти/);
    // matched terms are highlighted
    expect(await page.locator('#messages article .text mark').count()).toBeGreaterThan(0);
    const first = page.locator('#messages article').first();
    relabelled = { id: (await first.getAttribute('data-id')) as string, text: (await first.locator('.text').textContent()) as string };
  });

  it('a relabel persists: reload shows it, the API agrees', async () => {
    if (!relabelled) throw new Error('needs the previous test');
    const article = page.locator(`#messages article[data-id="${relabelled.id}"]`);
    await article.locator('[data-action=not-complaint]').click();
    await page.waitForSelector(`#messages article[data-id="${relabelled.id}"].relabelled`);
    await page.goto(`${h.url}/#/messages?q=${encodeURIComponent(relabelled.text)}`);
    await page.reload();
    await page.waitForSelector(`#messages article[data-id="${relabelled.id}"].relabelled`);
    expect(await page.textContent(`#messages article[data-id="${relabelled.id}"] [data-label]`)).toContain('not a complaint');
    const res = await context.request.get(`${h.url}/api/messages/${encodeURIComponent(relabelled.id)}`);
    expect((await res.json()).label).toMatchObject({ complaint: false, category: null });
    // and back to a complaint in another category, in one click on the select
    await page.selectOption(`#messages article[data-id="${relabelled.id}"] select[name=relabel-category]`, 'payment');
    await page.waitForSelector(`#messages article[data-id="${relabelled.id}"] [data-label=payment]`);
    const again = await (await context.request.get(`${h.url}/api/messages/${encodeURIComponent(relabelled.id)}`)).json();
    expect(again.label).toMatchObject({ complaint: true, category: 'payment' });
  });

  it('an ack changes the alert (view and API)', async () => {
    await open('#/alerts', '#alerts article[data-state=firing]');
    const alert = page.locator('#alerts article').first();
    expect(await alert.locator('[data-field=owner]').textContent()).toContain('alice');
    // the bold title says what is wrong (the category), not the rule's name; no "null" from absent parts
    expect(await alert.locator('[data-field=title]').textContent()).toBe('Complaints: login');
    expect(await alert.textContent()).not.toMatch(/\bnull\b|undefined/);
    expect(await alert.locator('.evidence').first().textContent()).toContain('peak 9 vs expected 1.2 (band 0–3.4), score 0.99, spike');
    // the evidence sent with the notification: examples shown as text, hostile ones inert
    const ev = (await alert.locator('[data-field=evidence]').textContent()) ?? '';
    expect(ev).toContain('login complaints: 40 in 10 min vs 1.2 expected (×33.3)');
    expect(ev).toContain('rising terms: пароль, password ×26');
    // what moved with it, as text (a hostile label stays text)
    expect(await alert.locator('[data-field=correlated]').textContent()).toBe(`at the same time: errors.auth ×9 (started 3 min earlier), ${XSS.img} −40%`);
    expect(ev).toContain(XSS.img);
    expect(await alert.locator('[data-field=evidence] img').count()).toBe(0);
    expect(await alert.locator('[data-field=evidence] a.source-link').count()).toBe(2);
    await alert.locator('[data-action=ack]').click();
    await page.waitForFunction(() => document.querySelector('#alerts article [data-field=ack]')?.textContent?.includes('acknowledged by support'));
    expect(await page.locator('#alerts [data-action=ack]').count()).toBe(0);
    const res = await (await context.request.get(`${h.url}/api/alerts`)).json();
    expect(res.items[0]).toMatchObject({ acknowledgedBy: 'support' });
    // a viewer cannot silence (admin only): no silence control
    expect(await page.locator('[data-action=silence]').count()).toBe(0);
  });

  it('an admin silences an alert for an hour, and ends the silence', async () => {
    const admin = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page: p } = await newPage(admin);
    await login(p, h.url, USERS.ops, '#/alerts?show=recent');
    await p.waitForSelector('#alerts article [data-action=silence]');
    await p.fill('#alerts article input[aria-label="silence comment"]', 'deploy in progress <b>not bold</b>');
    await p.click('#alerts article [data-action=silence]');
    await p.waitForSelector('#silences table');
    expect(await p.textContent('#silences table')).toContain('complaints.login');
    expect(await p.textContent('#silences table')).toContain('deploy in progress <b>not bold</b>');
    const { items } = await (await admin.request.get(`${h.url}/api/silences`)).json();
    expect(items).toEqual([expect.objectContaining({ series: 'complaints.login', createdBy: 'ops', comment: 'deploy in progress <b>not bold</b>' })]);
    expect(items[0].endsAt - items[0].startsAt).toBe(3_600_000);
    await p.click('#silences button.danger');
    await p.waitForFunction(() => document.querySelector('#silences table') === null);
    await admin.close();
  });

  it('dragging across the timeline zooms in; the range goes into the URL', async () => {
    await open('#/timeline?range=24h', '#complaints-chart .u-over');
    const box = await page.locator('#complaints-chart .u-over').first().boundingBox(); // the first category's row
    if (!box) throw new Error('no chart');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d+&to=\d+|to=\d+.*from=\d+/);
    await page.waitForSelector('#reset-zoom');
    const params = new URLSearchParams(page.url().split('?')[1]);
    const span = Number(params.get('to')) - Number(params.get('from'));
    expect(span).toBeGreaterThan(3 * 3_600_000);
    expect(span).toBeLessThan(6 * 3_600_000);
    await page.click('#reset-zoom');
    await page.waitForURL((u) => !u.hash.includes('from='));
  });

  it('links: only http(s) and in-app; highlighting splits text nodes', async () => {
    const HREFS = ['https://x.com/a', 'http://example.org/?q=<b>', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '//evil.example/x', '#/messages', '/report', 'file:///etc/passwd'];
    await open('#/sources', '#sources');
    // a string, so that vitest does not rewrite the dynamic import meant for the page
    const result = (await page.evaluate(`(async () => {
      const dom = await import('/static/dom.js');
      const hrefs = ${JSON.stringify(HREFS)}.map((u) => [u, dom.safeHref(u)]);
      const box = document.createElement('div');
      box.append(dom.highlight('Не могу ВОЙТИ: <img src=x> login/loginpassword', ['войти', 'login', 'password', '<img']));
      return { hrefs, html: box.innerHTML, marks: [...box.querySelectorAll('mark')].map((m) => m.textContent), imgs: box.querySelectorAll('img').length };
    })()`)) as { hrefs: Array<[string, string | null]>; html: string; marks: string[]; imgs: number };
    expect(Object.fromEntries(result.hrefs)).toEqual({
      'https://x.com/a': 'https://x.com/a',
      'http://example.org/?q=<b>': 'http://example.org/?q=%3Cb%3E',
      'javascript:alert(1)': null,
      'JaVaScRiPt:alert(1)': null,
      ' javascript:alert(1)': null,
      'java\tscript:alert(1)': null,
      'data:text/html,<script>alert(1)</script>': null,
      'vbscript:x': null,
      '//evil.example/x': null,
      '#/messages': '#/messages',
      '/report': '/report',
      'file:///etc/passwd': null,
    });
    expect(result.marks).toEqual(['ВОЙТИ', '<img', 'login', 'login', 'password']);
    expect(result.imgs).toBe(0);
    expect(result.html).toContain('&lt;img</mark> src=x&gt;');
  });

  it('without an alerts API the Alerts view says alerting is not available, and the overview still works', async () => {
    const bare = await buildApp({ ...h.deps });
    const server = await startServer(bare, { host: '127.0.0.1', port: 0 });
    try {
      // same host, same session secret: the session cookie (not bound to a port) is valid here too
      const p = await context.newPage();
      // a deployment whose api has no alerting answers 404 there
      await p.route('**/api/alerts*', (route) => route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"ERR_NOT_FOUND","message":"Route GET:/api/alerts not found"}' }));
      await p.goto(`${server.url}/#/alerts`);
      await p.waitForSelector('#alerts-unavailable');
      await p.goto(`${server.url}/#/overview`);
      await p.waitForSelector('#categories article[data-category=login]');
      await p.close();
    } finally {
      // the browser context keeps sockets to this second server alive: drop them, or close() waits on them
      bare.server.closeAllConnections();
      await server.close();
    }
  });

  it('sources show health; a dead source stands out', async () => {
    await open('#/sources', '#sources');
    expect(await page.getAttribute('#sources tr[data-source=support-inbox]', 'data-dead')).toBe('1');
    expect(await page.getAttribute('#sources tr[data-source=twitter-search]', 'data-dead')).toBe('0');
    expect(await page.textContent('#sources tr[data-source=twitter-search]')).toContain('12 / 450');
    const metric = await page.textContent('#sources tr[data-source=prom-metrics]');
    expect(metric).toContain('prometheus');
    expect(metric).toMatch(/pulled to /);
    expect(await page.getAttribute('#sources tr[data-source=prom-metrics]', 'data-dead')).toBe('0');
    // an error message with markup is shown as text
    expect(await page.textContent('#sources tr[data-source=support-inbox]')).toContain('<b>{source: support-inbox}</b>');
    await page.waitForSelector('#sources-dead');
    // retrying is an admin's: a viewer sees no Retry button
    expect(await page.locator('#sources [data-action=retry]').count()).toBe(0);
  });

  it('an admin retries a stopped source: un-stopped, recorded with who and how, a poll queued', async () => {
    const admin = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page: p } = await newPage(admin);
    await login(p, h.url, USERS.ops, '#/sources');
    await p.waitForSelector('#sources tr[data-source=support-inbox] [data-action=retry]');
    expect(await p.locator('#sources tr[data-source=twitter-search] [data-action=retry]').count()).toBe(0);
    await p.click('#sources tr[data-source=support-inbox] [data-action=retry]');
    await p.waitForFunction(() => document.querySelector('#sources tr[data-source=support-inbox] [data-action=retry]') === null);
    const { items } = await (await admin.request.get(`${h.url}/api/sources`)).json();
    expect(items.find((s: { name: string }) => s.name === 'support-inbox')).toMatchObject({ state: 'idle', lastRetry: { by: 'ops', via: 'dashboard' } });
    const queued = await h.svc.ctx.queues.get('poll').getJobs(['waiting', 'prioritized', 'delayed']);
    expect(queued.map((j) => j.data)).toEqual([{ source: 'support-inbox', kind: 'imap', mailbox: 'INBOX' }]);
    await admin.close();
  });

  it('the URL carries the view state: a reload keeps the filters', async () => {
    await open('#/overview?window=24h&channel=twitter&lang=ru', '#categories article');
    await page.reload();
    await page.waitForSelector('#categories article');
    expect(await page.getAttribute('button[data-window="24h"]', 'aria-pressed')).toBe('true');
    expect(await page.inputValue('select[name=channel]')).toBe('twitter');
    expect(await page.inputValue('select[name=lang]')).toBe('ru');
    await page.selectOption('select[name=channel]', 'email');
    await page.waitForURL(/channel=email/);
    expect(page.url()).toContain('window=24h');
  });

  it('refreshes itself without losing the filters', async () => {
    const live = await context.newPage();
    await live.addInitScript(() => localStorage.setItem('radar.refreshMs', '1000'));
    await live.goto(`${h.url}/#/messages?channel=email&lang=ru&q=${encodeURIComponent('карта')}`);
    await live.waitForSelector('#messages article');
    const before = await live.locator('#messages article').count();
    const res = await fetch(`${h.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'live1', channel: 'email', lang: 'ru', text: 'Свежая жалоба: карта не проходит' }),
    });
    expect(res.status).toBe(202);
    await live.waitForSelector('#messages article[data-id="api:live1"]', { timeout: 20_000 });
    expect(await live.locator('#messages article').count()).toBe(before + 1);
    expect(await live.inputValue('select[name=channel]')).toBe('email');
    expect(await live.inputValue('select[name=lang]')).toBe('ru');
    expect(await live.inputValue('input[name=q]')).toBe('карта');
    expect(live.url()).toContain('channel=email');
    await live.close();
  });

  it('hostile text from every channel stays inert', async () => {
    // the push API channel, through the queue and the ingest worker; a javascript: link is refused at the door
    const push = (link?: string) =>
      fetch(`${h.url}/api/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'xss4', channel: 'api', text: `${XSS.img} ${XSS.script}`, ...(link === undefined ? {} : { link }) }),
      });
    expect((await push(XSS.link)).status).toBe(400);
    const res = await push();
    expect(res.status).toBe(202);
    await waitFor(async () => (await h.svc.ctx.store.messages.get('api:xss4')) !== null, 20_000, 'pushed message stored');
    await open(`#/messages?q=${encodeURIComponent('__xss')}`, '#messages article');
    const ids = await page.$$eval('#messages article', (els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(ids).toEqual(expect.arrayContaining([...h.plan.xssIds, 'api:xss4']));
    for (const view of ['#/messages?q=__xss', '#/messages?group=1', '#/overview', '#/timeline', '#/alerts', '#/sources', `#/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`]) {
      await page.goto(`${h.url}/${view}`);
      await page.waitForSelector('body[data-ready="1"]');
      await page.waitForTimeout(300);
    }
    await open(`#/messages?q=${encodeURIComponent('__xss')}`, '#messages article');
    const texts = await page.$$eval('#messages article .text', (els) => els.map((e) => e.textContent ?? ''));
    expect(texts.join('\n')).toContain('<script>window.__xss = 1; alert(1)</script>');
    expect(texts.join('\n')).toContain('<img src=x onerror="window.__xss = 2; alert(2)">');
    expect(texts.join('\n')).toContain('<svg onload="window.__xss = 3"></svg>');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#view img, #view svg, #view iframe, #view script').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2); // uPlot + the app
    expect(await page.locator('a[href^="javascript:"], a[href^="data:"]').count()).toBe(0);
    for (const id of ['twitter:xss1', 'api:xss4', 'form:xss3']) expect(await page.locator(`#messages article[data-id="${id}"] a.source-link`).count()).toBe(0);
    const links = await page.$$eval('a.source-link', (els) => els.map((e) => [e.getAttribute('href'), e.getAttribute('rel'), e.getAttribute('target')]));
    for (const [href, rel, target] of links) {
      expect(href).toMatch(/^https?:\/\//);
      expect(rel).toBe('noopener noreferrer');
      expect(target).toBe('_blank');
    }
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const phone = await h.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: await context.storageState() });
    const p = await phone.newPage();
    for (const view of ['#/overview', '#/messages', '#/sources']) {
      await p.goto(`${h.url}/${view}`);
      await p.waitForSelector('body[data-ready="1"]');
      await p.waitForTimeout(200);
      const width = await p.evaluate(() => document.documentElement.scrollWidth);
      expect(width, view).toBeLessThanOrEqual(391);
    }
    await phone.close();
  });

  it('a notification link opens its incident page, a resolved one too; #/alerts?id= opens the alert in Alerts; old-style links open the incident page, through the login', async () => {
    // an alert already resolved: the default filter (firing & pending) hides it, the link shows it anyway
    const resolved: Alert = { ...firingAlert(Date.now() - 6 * 60 * MINUTE, 'complaints.login-earlier'), state: 'resolved', endedAt: Date.now() - 5 * 60 * MINUTE };
    await h.svc.ctx.store.alerts.save([resolved]);
    const link = dashboardLink(h.url, resolved.id);
    expect(new URL(link).hash).toBe('#/incidents/complaints.login-earlier');
    await page.goto(link);
    await page.waitForSelector('#incident-meta [data-field=state]');
    expect(await page.textContent('#incident-meta [data-field=state]')).toBe('resolved');
    expect(await page.textContent('#incident-headline')).toMatch(/^Login complaints: .*back to normal\.$/);
    expect(await page.locator('#incident-actions button').count()).toBe(0);
    expect(await page.textContent('#incident-meta')).not.toMatch(/null|undefined/);

    // The Alerts view still opens an alert by id: listed first and outlined, its history open.
    const linked = `#alerts article.linked[data-id="${resolved.id}"]`;
    await page.goto(`${h.url}/#/alerts?id=${encodeURIComponent(resolved.id)}`);
    await page.waitForSelector(linked);
    expect(await page.locator('#alerts article').first().getAttribute('data-id')).toBe(resolved.id);
    expect(await page.getAttribute(linked, 'aria-current')).toBe('true');
    expect(await page.getAttribute(linked, 'data-state')).toBe('resolved');
    expect(await page.locator(`${linked} details[data-history]`).evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await page.locator('#alerts article.linked').count()).toBe(1);
    expect(await page.getAttribute(`${linked} [data-field=incident-link]`, 'href')).toBe('#/incidents/complaints.login-earlier');
    // the firing alert is still listed below it
    expect(await page.locator(`#alerts article[data-id="${h.alerts[0]?.id}"]`).count()).toBe(1);

    // a link from a notification sent before the dashboard navigated by #/…: /?series=…&alert=…
    const legacy = `${h.url}/?series=complaints.login&from=${Date.now() - 7 * 60 * MINUTE}&to=${Date.now()}&alert=${encodeURIComponent(resolved.id)}`;
    await page.goto(legacy);
    await page.waitForSelector('#incident-meta [data-field=state]');
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).hash).toBe('#/incidents/complaints.login-earlier');

    // both forms survive the login of someone who is not logged in yet
    for (const url of [link, legacy]) {
      const fresh = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
      const { page: p } = await newPage(fresh);
      await p.goto(url);
      await p.waitForURL(/\/login/);
      await p.fill('input[name=name]', USERS.support.name);
      await p.fill('input[name=password]', USERS.support.password);
      await Promise.all([p.waitForURL((u) => !u.pathname.startsWith('/login')), p.click('button[type=submit]')]);
      await p.waitForSelector('#incident-meta [data-field=state]');
      expect(new URL(p.url()).hash, url).toBe('#/incidents/complaints.login-earlier');
      await fresh.close();
    }

    // a link to an incident that is gone says so
    await page.goto(dashboardLink(h.url, 'complaints.no-such-alert'));
    await page.waitForSelector('#incident-missing');
    expect(await page.textContent('#incident-missing')).toContain('complaints.no-such-alert');
    expect(errors).toEqual([]);
  });
});
