/**
 * The incident page and message clusters in headless Chromium: a notification link (taken from the
 * notification the notify code renders) opens the incident page through the login; the page shows the
 * headline, the chart with the onset, channels, clusters; "copy summary" puts the API's summary text on
 * the clipboard; acknowledge and hand over after a confirm step; a note with hostile text stays text; Messages groups
 * near-duplicates and relabels a whole cluster in one request.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidence } from '../../src/alerting/evidence.js';
import { buildNotification } from '../../src/alerting/notification.js';
import { compileOncall } from '../../src/alerting/oncall.js';
import { notificationParts, plainText } from '../../src/notify/format.js';
import { webhookPayload } from '../../src/notify/webhook.js';
import { MINUTE, USERS, XSS, chromiumMissing, newPage, startHarness, type Running } from './harness.js';

let h: Running;
let context: BrowserContext;
let incidentUrl: string;

describe.skipIf(chromiumMissing)('incident page and clusters (Chromium)', () => {
  beforeAll(async () => {
    // Bob is a person of the on-call config, for the hand over.
    h = await startHarness({ alerts: true, detector: true, config: { alerting: { oncall: { people: [{ id: 'bob', name: 'Bob' }] } } } });
    context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await h?.close();
  });

  it('the link in a notification opens the incident page, through the login', async () => {
    const alert = h.alerts[0];
    if (!alert) throw new Error('the harness has no alert');
    const now = Date.now();
    const evidence = buildEvidence({
      alert, series: 'complaints.login', now, windowMs: 15 * MINUTE, points: [], channelCounts: { twitter: 40 },
      terms: { current: {}, baseline: {} }, examples: [], dashboardBaseUrl: h.url,
    });
    const notification = buildNotification({ intent: { key: 'k', kind: 'firing', at: now, owner: alert.owner }, alert, evidence, oncall: compileOncall(h.deps.config.alerting.oncall), ack: null });
    const text = plainText(notificationParts(notification));
    incidentUrl = /^Dashboard: (\S+)$/m.exec(text)?.[1] ?? '';
    expect(incidentUrl).toBe(`${h.url}/#/incidents/${encodeURIComponent(alert.id)}`);
    expect(webhookPayload(notification, now).dashboardUrl).toBe(incidentUrl);

    const { page, dialogs, errors } = await newPage(context);
    await page.goto(incidentUrl);
    await page.waitForURL(/\/login/);
    await page.fill('input[name=name]', USERS.support.name);
    await page.fill('input[name=password]', USERS.support.password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    await page.waitForSelector('#incident-series svg');
    expect(new URL(page.url()).hash).toBe(`#/incidents/${alert.id}`);
    expect(await page.textContent('#incident-headline')).toMatch(/^Login complaints: .*normal, \d+ since \d\d:\d\d against [\d.]+ expected\.$/);
    expect(await page.textContent('#incident-meta [data-field=state]')).toBe('firing');
    expect(await page.textContent('#incident-meta [data-field=owner]')).toBe('owner: alice (on call)');
    expect(await page.textContent('#incident-meta [data-field=ack]')).toBe('not acknowledged');
    // The series with its band, the onset marked, anomalous points with a title.
    expect(await page.locator('#incident-series svg line.onset').count()).toBe(1);
    expect(await page.locator('#incident-series svg polygon.band').count()).toBe(1);
    expect(await page.locator('#incident-series svg circle.anomaly').count()).toBeGreaterThan(0);
    expect(await page.textContent('#incident-onset')).toMatch(/^onset \d\d:\d\d$/);
    // channels and languages by name (the catalogue's words), not their keys
    expect(await page.textContent('#incident-channels')).toContain('Twitter');
    expect(await page.textContent('#incident-languages')).toContain('Russian');
    // Near-duplicates collapsed, with counts, biggest first; the related series from the evidence.
    const counts = await page.$$eval('#incident-cluster-list li.cluster', (els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts.length).toBeGreaterThan(1);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(counts[0]).toBeGreaterThanOrEqual(13);
    expect(await page.locator('#incident-related [data-series="errors.auth"]').textContent()).toContain('×9');
    expect(await page.textContent('#incident-meta')).not.toMatch(/null|undefined/);
    expect(await page.textContent('#incident-actions')).not.toMatch(/null|undefined/);
    // Hostile text from the messages stays text.
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#view img, #view script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('"copy summary" copies the plain-text status update', async () => {
    const { page, errors } = await newPage(context);
    const apiUrl = new URL(`/api/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`, incidentUrl).href;
    // The summary says how long the incident has lasted ("for 12 min") by the real clock, so the API is
    // read (with the page's session) before the page loads and after the copy: the page's copy is one of them.
    const summaryText = async () => ((await (await context.request.get(apiUrl)).json()) as { summaryText: string }).summaryText;
    const before = await summaryText();
    await page.goto(incidentUrl);
    await page.waitForSelector('#incident-series svg');
    await page.click('#copy-summary');
    await page.waitForSelector('#copy-status[data-result=copied]');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await page.textContent('#summary-text'));
    expect([before, await summaryText()]).toContain(copied);
    const lines = copied.split('\n');
    expect(lines[0]).toMatch(/^\[FIRING\] Login complaints: /);
    expect(lines).toContain('Owner: alice (on call) (not acknowledged)');
    expect(lines).toContain('Top complaints:');
    expect(lines.some((l) => /^- \d+ × "login broken again, password reset loops \(\d+\)"$/.test(l))).toBe(true);

    // Without the async Clipboard API (an older browser, a page not in a secure context): the textarea fallback.
    await page.evaluate(() => navigator.clipboard.writeText('something else'));
    const { page: old, errors: oldErrors } = await newPage(context);
    await old.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await old.goto(incidentUrl);
    await old.waitForSelector('#incident-series svg');
    expect(await old.evaluate(() => navigator.clipboard === undefined)).toBe(true);
    await old.click('#copy-summary');
    await old.waitForSelector('#copy-status[data-result=copied]');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await old.textContent('#summary-text'));
    expect(await old.locator('textarea.offscreen').count()).toBe(0);
    expect(oldErrors).toEqual([]);
    await old.close();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('acknowledges from the page after a confirm step; the history shows who and how', async () => {
    const alert = h.alerts[0];
    if (!alert) throw new Error('the harness has no alert');
    const { page, errors } = await newPage(context);
    await page.goto(incidentUrl);
    await page.waitForSelector('#incident-actions [data-action=ack]');
    await page.click('#incident-actions [data-action=ack]');
    expect(await page.textContent('#confirm-question')).toBe('Acknowledge this incident as support? Escalation and repeats stop.');
    // Cancel changes nothing.
    await page.click('#confirm-no');
    expect((await h.svc.ctx.store.alerts.get(alert.id))?.acknowledgedAt).toBeNull();
    await page.click('#incident-actions [data-action=ack]');
    await page.click('#confirm-yes');
    await page.waitForSelector('#incident-status[data-result=acknowledged]');
    expect(await page.textContent('#incident-status')).toMatch(/^Acknowledged by support at \d\d:\d\d\.$/);
    await page.waitForFunction(() => document.querySelector('#incident-meta [data-field=ack]')?.textContent?.startsWith('acknowledged by support'));
    expect(await page.locator('#incident-actions [data-action=ack]').count()).toBe(0);
    expect((await h.svc.ctx.store.alerts.get(alert.id))?.acknowledgedBy).toBe('support');
    expect(await page.getAttribute('#incident-history li[data-event=acknowledged]', 'data-via')).toBe('dashboard');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('adds a note: author and time shown, hostile text stays text', async () => {
    const { page, dialogs, errors } = await newPage(context);
    await page.goto(incidentUrl);
    await page.waitForSelector('#no-notes');
    await page.click('#add-note');
    expect(await page.textContent('#note-status')).toBe('Write something first.');
    const text = `Restarted the auth pods ${XSS.img}`;
    await page.fill('#note-text', text);
    await page.click('#add-note');
    await page.waitForSelector('#incident-notes li.note');
    expect(await page.textContent('#incident-notes li.note [data-field=author]')).toBe('support');
    expect(await page.textContent('#incident-notes li.note [data-field=text]')).toBe(text);
    expect(await page.inputValue('#note-text')).toBe('');
    expect(await page.locator('#incident-notes img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const stored = await h.svc.ctx.store.incidentNotes.list(h.alerts[0]?.id ?? '');
    expect(stored.map((n) => [n.by, n.via, n.text])).toEqual([['support', 'dashboard', text]]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('hands the incident over to another person after a confirm step', async () => {
    const alert = h.alerts[0];
    if (!alert) throw new Error('the harness has no alert');
    const { page, errors } = await newPage(context);
    await page.goto(incidentUrl);
    await page.waitForSelector('#incident-actions [data-action=handover]');
    await page.click('#incident-actions [data-action=handover]');
    expect(await page.locator('#incident-confirm').isHidden()).toBe(true); // nobody chosen yet
    await page.selectOption('#handover-to', 'bob');
    await page.click('#incident-actions [data-action=handover]');
    expect(await page.textContent('#confirm-question')).toBe('Hand this incident over to Bob? They own it from now.');
    await page.click('#confirm-yes');
    await page.waitForSelector('#incident-status[data-result=handed-over]');
    await page.waitForFunction(() => document.querySelector('#incident-meta [data-field=owner]')?.textContent === 'owner: Bob');
    expect((await h.svc.ctx.store.alerts.get(alert.id))?.owner).toBe('bob');
    expect(await page.textContent('#incident-history li[data-event=handed_over]')).toContain('alice (on call) → bob');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('relabels a cluster from the incident page after a confirm step', async () => {
    const { page, errors } = await newPage(context);
    await page.goto(incidentUrl);
    await page.waitForSelector('#incident-cluster-list li.cluster');
    // The Russian variants of the spike: one cluster.
    const row = page.locator('#incident-cluster-list li.cluster', { hasText: 'Опять не могу войти' }).first();
    const count = Number(await row.getAttribute('data-count'));
    expect(count).toBeGreaterThanOrEqual(13);
    await row.locator('select[name=bulk-category]').selectOption('payment');
    await row.locator('[data-action=bulk-complaint]').click();
    expect(await page.textContent('#confirm-question')).toBe(`Relabel ${count} messages as complaints in “payment”?`);
    await page.click('#confirm-yes');
    await page.waitForSelector('#incident-status[data-result=relabelled]');
    expect(await page.textContent('#incident-status')).toBe(`${count} messages relabelled.`);
    const ids = (await h.svc.ctx.store.messages.list({ category: 'payment', q: 'Опять не могу войти' }, 100)).items.map((m) => m.id);
    expect(ids).toHaveLength(count);
    for (const id of ids.slice(0, 3)) expect((await h.svc.ctx.store.messages.labelHistory(id)).at(-1)).toMatchObject({ category: 'payment', by: 'support', via: 'dashboard' });
    // The incident's clusters are its login complaints: that cluster left them.
    await page.waitForFunction(() => !Array.from(document.querySelectorAll('#incident-cluster-list li.cluster')).some((e) => e.textContent?.includes('Опять не могу войти')));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Messages groups near-duplicates and relabels a whole cluster in one request', async () => {
    const { page, dialogs, errors } = await newPage(context);
    await page.goto(`${h.url}/#/messages?category=login`);
    await page.waitForSelector('#messages article.msg');
    await page.check('#group-toggle');
    await page.waitForSelector('#messages article.cluster-row');
    expect(new URL(page.url()).hash).toContain('group=1');
    const rows = page.locator('#messages article.cluster-row');
    const counts = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(await page.locator('#messages').textContent()).not.toMatch(/\bnull\b|undefined/);
    expect(counts[0]).toBeGreaterThan(10);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const first = rows.first();
    const clusterId = (await first.getAttribute('data-cluster')) ?? '';
    // Expand: every member of the cluster as a message card.
    await first.locator('details[data-members] summary').click();
    await first.locator('.members article.msg').first().waitFor();
    expect(await first.locator('.members article.msg').count()).toBe(Math.min(50, counts[0] ?? 0));

    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') requests.push(new URL(r.url()).pathname);
    });
    await first.locator('select[name=bulk-category]').selectOption('slow');
    await first.locator('[data-action=bulk-complaint]').click();
    await first.locator('[data-action=bulk-confirm]').click();
    await page.waitForSelector('#bulk-done');
    expect(await page.textContent('#bulk-done')).toBe(`${counts[0]} messages relabelled.`);
    expect(requests).toEqual(['/api/messages/labels']);
    // Every member carries the label, with who and how; the cluster left the login list.
    const clusters = await page.evaluate(async () => (await (await fetch('/api/messages/clusters?category=slow&window=1000')).json()).items as { id: string; memberIds: string[] }[]);
    const moved = clusters.find((c) => c.memberIds.includes(clusterId));
    expect(moved?.memberIds.length).toBeGreaterThanOrEqual(counts[0] ?? 0);
    for (const id of moved?.memberIds.slice(0, 5) ?? []) {
      const history = await h.svc.ctx.store.messages.labelHistory(id);
      if (history.length > 0) expect(history.at(-1)).toMatchObject({ category: 'slow', by: 'support', via: 'dashboard' });
    }
    expect((await h.svc.ctx.store.messages.get(clusterId))?.label).toMatchObject({ complaint: true, category: 'slow' });
    expect(await page.locator(`#messages article.cluster-row[data-cluster="${clusterId}"]`).count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
