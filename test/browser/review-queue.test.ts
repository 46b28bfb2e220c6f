/**
 * The review queue in headless Chromium: #/review shows one message, a key press is a verdict stored
 * with {by, via: dashboard}, the next message shows at once, undo brings the last one back, and the
 * labelled messages leave the queue the API serves.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { API_TOKEN, USERS, XSS, chromiumMissing, login, newPage, startHarness, type Running } from './harness.js';

let h: Running;
let context: BrowserContext;
let page: Page;
let dialogs: string[];
let errors: string[];

describe.skipIf(chromiumMissing)('review queue (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness();
    context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, dialogs, errors } = await newPage(context));
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  const shown = async (): Promise<string> => (await page.getAttribute('#review-card', 'data-id')) as string;
  const labels = async (id: string): Promise<Array<{ complaint: boolean; category: string | null; by: string; via: string }>> =>
    (await (await context.request.get(`${h.url}/api/messages/${encodeURIComponent(id)}/labels`)).json()).items;

  it('labels two messages with one key press each; the queue moves on; undo shows the last again', async () => {
    await login(page, h.url, USERS.support, '#/review');
    await page.waitForSelector('#review-card[data-id]');
    expect(await page.getAttribute('nav a[data-view=review]', 'class')).toBe('active');
    const queue = (await (await context.request.get(`${h.url}/api/review?limit=50`)).json()) as { items: Array<{ id: string }>; categories: string[] };
    const first = await shown();
    expect(first).toBe(queue.items[0]?.id);
    expect(await page.textContent('#review-reason')).toMatch(/Why it is here: (Uncertain|The layers disagree)/);
    expect(await page.textContent('#review-verdict')).toMatch(/Model says: (complaint|not a complaint)/);
    expect(await page.textContent('#review-card')).not.toContain('null');
    expect(await page.locator('#review-previous').count()).toBe(0);
    // Every key has a named button.
    for (const name of ['Not a complaint', 'Skip', 'Undo']) expect(await page.getByRole('button', { name }).count()).toBeGreaterThan(0);
    const category = queue.categories[1] as string;
    expect(await page.getByRole('button', { name: `2 ${category}: a complaint about ${category} (key 2)` }).count()).toBe(1);

    await page.keyboard.press('n');
    await page.waitForFunction((id) => document.querySelector('#review-card')?.getAttribute('data-id') !== id, first);
    const second = await shown();
    expect(second).toBe(queue.items[1]?.id);
    await page.keyboard.press('2');
    await page.waitForFunction((id) => document.querySelector('#review-card')?.getAttribute('data-id') !== id, second);
    expect(await shown()).toBe(queue.items[2]?.id);

    await waitFor(async () => (await labels(first)).length === 1 && (await labels(second)).length === 1);
    expect(await labels(first)).toMatchObject([{ complaint: false, category: null, by: USERS.support.name, via: 'dashboard' }]);
    expect(await labels(second)).toMatchObject([{ complaint: true, category, by: USERS.support.name, via: 'dashboard' }]);
    const after = (await (await context.request.get(`${h.url}/api/review?limit=50`)).json()) as { items: Array<{ id: string }> };
    expect(after.items.map((i) => i.id)).not.toContain(first);
    expect(after.items.map((i) => i.id)).not.toContain(second);
    expect(after.items[0]?.id).toBe(queue.items[2]?.id);

    // Undo: the last message comes back to be decided again; the button does the same as the key.
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.waitForFunction((id) => document.querySelector('#review-card')?.getAttribute('data-id') === id, second);
    expect(await page.textContent('#review-card')).toContain(`Labelled before the undo as: ${category}`);
    await page.keyboard.press('s');
    await page.waitForFunction((id) => document.querySelector('#review-card')?.getAttribute('data-id') !== id, second);
    expect(await shown()).toBe(queue.items[2]?.id);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows hostile text as text', async () => {
    // The newest message wins ties in the queue (every seeded score is equally far from 0.5).
    const res = await fetch(`${h.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'review-xss', channel: 'api', text: `${XSS.img} ${XSS.svg} ${XSS.script}`, createdAt: Date.now() + 1000 }),
    });
    expect(res.status).toBe(202);
    await waitFor(async () => (await h.svc.ctx.store.messages.get('api:review-xss')) !== null, 20_000, 'pushed message stored');
    await page.reload();
    await page.waitForSelector('#review-card[data-id="api:review-xss"]');
    const text = (await page.textContent('#review-text')) ?? '';
    expect(text).toContain('<script>window.__xss = 1; alert(1)</script>');
    expect(text).toContain('<img src=x onerror="window.__xss = 2; alert(2)">');
    expect(await page.locator('#view img, #view svg, #view iframe, #view script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });
});
