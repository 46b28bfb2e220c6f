/**
 * App-store reviews in the dashboard (headless Chromium): the channel filter offers helpdesk and
 * appstore, the Messages view filters by stars, app version and country, and the Sources view charts
 * reviews and the low-rating share per app version, each bar opening its reviews. Store text (a
 * version name too) stays inert.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/domain/message.js';
import { MINUTE, USERS, chromiumMissing, login, newPage, startHarness, type Running } from './harness.js';

let h: Running;
let context: BrowserContext;
let page: Page;
let dialogs: string[];
let errors: string[];

const HOSTILE_VERSION = '<img src=x onerror="window.__xss=9">';

function review(id: string, at: number, meta: { store: 'google-play' | 'app-store'; rating: number; appVersion: string | null; country: string | null }, text: string): Message {
  return { id: `appstore:${meta.store}:${id}`, channel: 'appstore', source: meta.store === 'google-play' ? 'play' : 'ios', author: null, text, lang: 'en', createdAt: new Date(at).toISOString(), link: null, meta: { reviewId: id, deviceModel: meta.store === 'google-play' ? 'Google Pixel 6' : null, ...meta } };
}

describe.skipIf(chromiumMissing)('app reviews in the dashboard (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness();
    const { ctx } = h.svc;
    const now = h.plan.now;
    const reviews = [
      review('p1', now - 90 * MINUTE, { store: 'google-play', rating: 1, appVersion: '4.12.0', country: null }, 'crashes when opening attachments'),
      review('p2', now - 80 * MINUTE, { store: 'google-play', rating: 2, appVersion: '4.12.0', country: null }, ''),
      review('p3', now - 70 * MINUTE, { store: 'google-play', rating: 5, appVersion: '4.12.0', country: null }, 'works for me'),
      review('p4', now - 60 * MINUTE, { store: 'google-play', rating: 4, appVersion: '4.11.0', country: null }, 'fine'),
      review('p5', now - 55 * MINUTE, { store: 'google-play', rating: 3, appVersion: HOSTILE_VERSION, country: null }, 'odd build'),
      review('a1', now - 50 * MINUTE, { store: 'app-store', rating: 1, appVersion: null, country: 'USA' }, 'Crashes on launch'),
      review('a2', now - 40 * MINUTE, { store: 'app-store', rating: 5, appVersion: null, country: 'GBR' }, 'Best mail client'),
    ];
    const classifier = ctx.classifier.current;
    await ctx.store.ingest(reviews.map((message) => ({ message, classification: classifier.classify(message.text, message.lang) })), now, ctx.config.series.step);
    context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, dialogs, errors } = await newPage(context));
    await login(page, h.url, USERS.support, '#/overview');
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  const listed = async () => page.$$eval('#messages article[data-id]', (els) => els.map((e) => (e as HTMLElement).dataset.id));

  it('offers helpdesk and appstore in the channel filters of Overview and Messages', async () => {
    await page.goto(`${h.url}/#/overview`);
    await page.waitForSelector('select[name=channel]');
    const overview = await page.$$eval('select[name=channel] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(overview).toEqual(expect.arrayContaining(['helpdesk', 'appstore']));
    await page.goto(`${h.url}/#/messages`);
    await page.waitForSelector('#messages article');
    const messages = await page.$$eval('select[name=channel] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(messages).toEqual(expect.arrayContaining(['helpdesk', 'appstore']));
  });

  it('filters the messages by channel, stars, app version and country', async () => {
    await page.goto(`${h.url}/#/messages`);
    await page.waitForSelector('#messages article');
    await page.selectOption('select[name=channel]', 'appstore');
    await page.waitForFunction(() => document.querySelectorAll('#messages article').length === 7);
    expect(page.url()).toContain('channel=appstore');

    await page.selectOption('select[name=rating]', '1,2');
    await page.waitForFunction(() => document.querySelectorAll('#messages article').length === 3);
    expect((await listed()).sort()).toEqual(['appstore:app-store:a1', 'appstore:google-play:p1', 'appstore:google-play:p2']);
    // The bare 2-star rating is listed, with its stars and version.
    const bare = page.locator('#messages article[data-id="appstore:google-play:p2"]');
    expect(await bare.locator('[data-rating]').textContent()).toBe('2 ★');
    expect(await bare.locator('[data-app-version]').textContent()).toBe('v4.12.0');

    await page.fill('input[name=appVersion]', '4.12.0');
    await page.press('input[name=appVersion]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#messages article').length === 2);
    expect(page.url()).toContain('appVersion=4.12.0');
    expect((await listed()).sort()).toEqual(['appstore:google-play:p1', 'appstore:google-play:p2']);

    await page.fill('input[name=appVersion]', '');
    await page.press('input[name=appVersion]', 'Enter');
    await page.fill('input[name=country]', 'usa');
    await page.press('input[name=country]', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#messages article').length === 1);
    expect(await listed()).toEqual(['appstore:app-store:a1']);

    // A shared link restores the filters into the fields.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.goto(`${h.url}/#/messages?channel=appstore&rating=5&country=GBR`);
    await page.waitForFunction(() => document.querySelectorAll('#messages article').length === 1);
    expect(await listed()).toEqual(['appstore:app-store:a2']);
    expect(await page.inputValue('select[name=rating]')).toBe('5');
    expect(await page.inputValue('input[name=country]')).toBe('GBR');
  });

  it('charts reviews and the low-rating share per app version; a bar opens its low ratings', async () => {
    await page.goto(`${h.url}/#/sources`);
    await page.waitForSelector('#review-versions-chart .bar-row');
    expect(await page.isVisible('#review-versions')).toBe(true);
    const rows = await page.$$eval('#review-versions-chart .bar-row', (els) =>
      els.map((e) => {
        const d = (e as HTMLElement).dataset;
        const bar = e.querySelector('.bar') as HTMLElement;
        const low = e.querySelector('.bar-low') as HTMLElement;
        return { version: d.version, reviews: Number(d.reviews), low: Number(d.low), barWidth: Math.round(parseFloat(bar.style.width)), lowWidth: Math.round(parseFloat(low.style.width)) };
      }),
    );
    expect(rows).toEqual([
      { version: '4.12.0', reviews: 3, low: 2, barWidth: 100, lowWidth: 67 },
      { version: '', reviews: 2, low: 1, barWidth: 67, lowWidth: 50 },
      { version: '4.11.0', reviews: 1, low: 0, barWidth: 33, lowWidth: 0 },
      { version: HOSTILE_VERSION, reviews: 1, low: 0, barWidth: 33, lowWidth: 0 },
    ]);
    expect(await page.textContent('#review-versions-chart .bar-row[data-version=""] .bar-label')).toBe('no version');
    // The hostile version name is text, not an element, and not a link.
    expect(await page.locator('#review-versions-chart img').count()).toBe(0);
    expect(await page.locator(`#review-versions-chart .bar-row[data-version="${HOSTILE_VERSION.replaceAll('"', '\\"')}"] a`).count()).toBe(0);

    await page.click('#review-versions-chart .bar-row[data-version="4.12.0"] a[data-role=low]');
    await page.waitForFunction(() => location.hash.startsWith('#/messages'));
    await page.waitForFunction(() => document.querySelectorAll('#messages article').length === 2);
    expect(decodeURIComponent(page.url())).toMatch(/appVersion=4\.12\.0/);
    expect(decodeURIComponent(page.url())).toMatch(/rating=1,2/);
    expect((await listed()).sort()).toEqual(['appstore:google-play:p1', 'appstore:google-play:p2']);
    expect(await page.inputValue('input[name=appVersion]')).toBe('4.12.0');

    await page.goto(`${h.url}/#/sources`);
    await page.waitForSelector('#review-versions-chart .bar-row');
    await page.selectOption('select[name=review-window]', '24h');
    await page.waitForSelector('#review-versions-chart .bar-row');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });
});
