/**
 * The decoupling lane on the timeline, in headless Chromium against the service with a real detector tick:
 * a watched metric that normally follows traffic (and stopped an hour and a half ago) gets a lane under its
 * chart with the stored correlation and the threshold marked; a complaint series judged against the same
 * traffic, which does not follow it, gets none.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLLOWS_REFERENCE } from '../../src/detect/reference-correlation.js';
import { commitDetectTick, runDetectTick } from '../../workers/detect.js';
import { DAY, MIN, seedTrafficAndMetric } from '../helpers/traffic-scenario.js';
import { chromiumMissing, login, newPage, startHarness, type Running } from './harness.js';

let h: Running;
let context: BrowserContext;
let page: Page;
let errors: string[];

describe.skipIf(chromiumMissing)('decoupling lane (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness({
      hostile: false,
      config: {
        detect: {
          learning: '1h',
          series: [
            { key: 'logins', reference: 'traffic', model: 'continuous', direction: 'both' },
            { key: 'complaints.login', reference: 'traffic', model: 'counts', direction: 'up' },
          ],
        },
      },
    });
    const { ctx } = h.svc;
    const now = h.plan.now;
    const start = Math.floor((now - 2 * DAY) / MIN) * MIN;
    await seedTrafficAndMetric(ctx, start, now, Math.floor((now - 90 * MIN) / MIN) * MIN);
    await commitDetectTick(ctx, await runDetectTick(ctx, now));
    context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ({ page, errors } = await newPage(context));
    await login(page, h.url);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  });

  it('draws the lane, with the threshold, under a metric that normally follows traffic', async () => {
    await page.goto(`${h.url}/#/timeline?series=logins&range=6h`);
    await page.waitForSelector('#decoupling-lanes .decoupling-lane .u-over');
    const lanes = await page.$$eval('#decoupling-lanes .decoupling-lane', (els) => els.map((e) => ({ ...(e as HTMLElement).dataset, title: e.querySelector('h2')?.textContent })));
    expect(lanes).toEqual([{ series: 'logins', reference: 'traffic', threshold: String(FOLLOWS_REFERENCE), title: 'Decoupling: logins vs traffic' }]);
    expect(await page.textContent('#complaints-chart h2')).toContain('logins');
    // The lane's legend names the correlation, the threshold, and the decoupled points.
    const legend = await page.$$eval('#decoupling-lanes .u-legend .u-label', (els) => els.map((e) => e.textContent));
    expect(legend).toEqual(expect.arrayContaining(['correlation with traffic', 'threshold', 'decoupled']));
    // The metric list offers watched metrics, never the complaint counters.
    const options = await page.$$eval('select[name=series] option', (els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).toContain('logins');
    expect(options.some((o) => o.startsWith('complaints'))).toBe(false);
    expect(errors).toEqual([]);
  });

  it('draws no lane for a plain complaint series', async () => {
    await page.goto(`${h.url}/#/timeline?category=login&range=6h`);
    await page.waitForSelector('#complaints-chart .u-over');
    await page.waitForFunction(() => document.querySelector('#complaints-chart h2')?.textContent?.startsWith('Complaints'));
    expect(await page.$$('#decoupling-lanes .decoupling-lane')).toHaveLength(0);
    expect(errors).toEqual([]);
  });
});
