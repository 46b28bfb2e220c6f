/**
 * The public report form in headless Chromium: with JavaScript (fetch, inline result) and without
 * (plain POST, server-rendered answer), what-to-fix messages, hostile input staying inert in the form
 * and later in the dashboard, and framing (embeddable /report, never the dashboard).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/store/message-store.js';
import { waitFor } from '../helpers/wait.js';
import { XSS, chromiumMissing, login, newPage, startHarness, type Running } from './harness.js';

let h: Running;
let framer: Server;
let framerUrl: string;

describe.skipIf(chromiumMissing)('report form (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness();
    // another origin that embeds the form (and tries to embed the dashboard)
    framer = createServer((req, res) => {
      const target = req.url === '/dashboard' ? `${h.url}/login` : `${h.url}/report?embed=1`;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>host</title><iframe id="f" src="${target}" width="600" height="800"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    framerUrl = `http://localhost:${(framer.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => framer?.close(resolve));
    await h?.close();
  });

  async function stored(id: string): Promise<StoredMessage> {
    let message: StoredMessage | null = null;
    await waitFor(async () => (message = await h.svc.ctx.store.messages.get(id)) !== null, 20_000, `report ${id} stored`);
    return message as unknown as StoredMessage;
  }

  it('submits with JavaScript: inline "thank you, received", stored as a beta_form message', async () => {
    const context = await h.browser.newContext();
    const { page, dialogs } = await newPage(context);
    await page.goto(`${h.url}/report`);
    await page.fill('#f-doing', 'Оплачивал заказ с телефона');
    await page.fill('#f-wrong', 'Кнопка оплаты не работает, карта не принимается');
    await page.fill('#f-expected', 'Чек на почту');
    await page.fill('#f-contact', 'tester@example.com');
    await page.click('button[type=submit]');
    await page.waitForSelector('#report-result.ok');
    expect(new URL(page.url()).pathname).toBe('/report'); // no navigation: fetch
    expect(await page.textContent('#report-result')).toContain('Thank you, received.');
    const id = (await page.textContent('#report-result code')) ?? '';
    expect(id).toMatch(/^form:/);
    expect(await page.inputValue('#f-wrong')).toBe('');
    const m = await stored(id);
    expect(m).toMatchObject({
      channel: 'beta_form',
      text: 'Кнопка оплаты не работает, карта не принимается\n\nОплачивал заказ с телефона\n\nЧек на почту',
      meta: { report: { doing: 'Оплачивал заказ с телефона', wrong: 'Кнопка оплаты не работает, карта не принимается', expected: 'Чек на почту' }, contact: 't***@example.com' },
    });
    expect(m.classification.categories.map((c) => c.name)).toContain('payment');
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('with JavaScript, says inline which field to fix', async () => {
    const context = await h.browser.newContext();
    const { page } = await newPage(context);
    await page.goto(`${h.url}/report`);
    await page.fill('#f-wrong', 'no');
    await page.click('button[type=submit]');
    await page.waitForSelector('.js-error[data-field=wrong]');
    expect(await page.textContent('.js-error[data-field=wrong]')).toContain('at least 3 characters');
    expect(await page.getAttribute('#f-wrong', 'aria-invalid')).toBe('true');
    await context.close();
  });

  it('submits without JavaScript: a plain POST answered by a "thank you, received" page', async () => {
    const context = await h.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${h.url}/report`);
    await page.fill('#f-wrong', 'The app crashes when I open settings');
    await page.click('button[type=submit]');
    await page.waitForSelector('#report-thanks');
    expect(await page.textContent('#report-thanks h1')).toBe('Thank you, received.');
    const id = (await page.textContent('#report-thanks code')) ?? '';
    expect((await stored(id)).text).toBe('The app crashes when I open settings');
    await context.close();
  });

  it('without JavaScript, shows the form again with what to fix and the answers kept, hostile input inert', async () => {
    const context = await h.browser.newContext({ javaScriptEnabled: false });
    const { page, dialogs } = await newPage(context);
    await page.goto(`${h.url}/report`);
    await page.fill('#f-doing', XSS.img);
    await page.fill('#f-contact', `"><script>alert(3)</script>`);
    await page.click('button[type=submit]');
    await page.waitForSelector('.field.invalid p.error[data-field=wrong]');
    expect(await page.textContent('p.error[data-field=wrong]')).toContain('What went wrong: please write at least 3 characters');
    expect(await page.inputValue('#f-doing')).toBe(XSS.img);
    expect(await page.inputValue('#f-contact')).toBe(`"><script>alert(3)</script>`);
    expect(await page.locator('img, main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('hostile text sent through the form stays text in the dashboard', async () => {
    const context = await h.browser.newContext();
    const { page, dialogs, errors } = await newPage(context);
    await page.goto(`${h.url}/report`);
    await page.fill('#f-doing', XSS.img);
    await page.fill('#f-wrong', `${XSS.script} ${XSS.link}`);
    await page.fill('#f-contact', '<img src=x onerror=alert(9)>@evil.example');
    await page.click('button[type=submit]');
    await page.waitForSelector('#report-result.ok');
    const id = (await page.textContent('#report-result code')) ?? '';
    await stored(id);
    await login(page, h.url, undefined, '#/messages?channel=beta_form');
    await page.waitForSelector(`#messages article[data-id="${id}"]`);
    const text = (await page.textContent(`#messages article[data-id="${id}"] .text`)) ?? '';
    expect(text).toContain('<script>window.__xss = 1; alert(1)</script>');
    expect(text).toContain(XSS.link);
    expect(text).toContain(XSS.img);
    expect(await page.textContent(`#messages article[data-id="${id}"] .meta`)).toContain('<***@evil.example');
    expect(await page.locator('#view img, #view script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('can be embedded in another site (iframe); the dashboard cannot', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${framerUrl}/`);
    const frame = page.frameLocator('#f');
    await frame.locator('#report-form').waitFor();
    expect(await page.frames()[1]?.$eval('body', (b) => b.className)).toContain('embed');
    await page.goto(`${framerUrl}/dashboard`);
    await page.waitForFunction(() => document.readyState === 'complete');
    const child = page.frames()[1];
    // Chromium refuses to render a page sent with X-Frame-Options: DENY / frame-ancestors 'none'
    expect(child?.url() ?? 'chrome-error://').toMatch(/^chrome-error:|^about:blank/);
    expect(child ? await child.locator('form.login').count() : 0).toBe(0);
    await context.close();
  });
});
