/**
 * Accessibility (issue 18): axe-core, in headless Chromium, on every view of the dashboard, the login page
 * and the report form: no serious or critical violation (WCAG 2 A/AA rules). And the keyboard: every view
 * is reachable and usable without a mouse.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, login, newPage, startHarness, USERS, type Running } from './harness.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** Serious and critical axe violations on the page as it is now, each with the elements it names. */
async function seriousViolations(page: Page): Promise<string[]> {
  // evaluate runs outside the page's CSP (the dashboard allows no inline or foreign script)
  await page.evaluate(AXE);
  const violations = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }).then((r) => r.violations)`)) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`);
}

let h: Running;
let context: BrowserContext;
let page: Page;

describe.skipIf(chromiumMissing)('accessibility (axe-core in Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness({ alerts: true, detector: true });
    context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page } = await newPage(context));
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('the check can fail: an image without a text alternative is reported', async () => {
    const anon = await h.browser.newContext();
    const p = await anon.newPage();
    await p.goto(`${h.url}/login`);
    await p.evaluate(() => document.body.append(Object.assign(document.createElement('img'), { src: '/favicon.svg' })));
    expect((await seriousViolations(p)).join('\n')).toMatch(/critical image-alt/);
    await anon.close();
  });

  it('the login page and the report form have no serious or critical violation', async () => {
    const anon = await h.browser.newContext();
    const p = await anon.newPage();
    await p.goto(`${h.url}/login`);
    expect(await seriousViolations(p)).toEqual([]);
    await p.goto(`${h.url}/report`);
    await p.waitForSelector('form');
    expect(await seriousViolations(p)).toEqual([]);
    await anon.close();
  });

  const views: Array<[string, string]> = [
    ['#/overview?window=1h', '#categories article'],
    ['#/timeline?range=24h', '#complaints-chart .u-over'],
    ['#/timeline?range=6h&category=login', '#complaints-chart .u-over'],
    ['#/messages?category=login&complaint=true', '#messages article'],
    ['#/review', '#review-card[data-id]'],
    ['#/alerts', '#alerts article'],
    ['#/sources', '#sources'],
    ['#/messages?complaint=true&group=1', '#messages article.cluster-row'],
  ];

  it.each(views)('%s has no serious or critical violation', async (hash, ready) => {
    if (!page.url().startsWith(h.url)) await login(page, h.url, USERS.ops);
    await page.goto(`${h.url}/${hash}`);
    await page.waitForSelector(ready);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('the incident page (where notification links land) has no serious or critical violation', async () => {
    if (!page.url().startsWith(h.url)) await login(page, h.url, USERS.ops);
    await page.goto(`${h.url}/#/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`);
    await page.waitForSelector('#incident-series svg');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('in Russian too: every view, the incident page and the report form have no serious or critical violation', async () => {
    const ru = await h.browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
    const { page: p } = await newPage(ru);
    await p.goto(`${h.url}/report`);
    await p.waitForSelector('form');
    expect(await p.getAttribute('html', 'lang')).toBe('ru');
    expect(await seriousViolations(p)).toEqual([]);
    await login(p, h.url, USERS.ops);
    for (const [hash, ready] of [...views, [`#/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`, '#incident-series svg'] as [string, string]]) {
      await p.goto(`${h.url}/${hash}`);
      await p.waitForSelector(ready);
      expect(await p.getAttribute('html', 'lang'), hash).toBe('ru');
      expect(await seriousViolations(p), hash).toEqual([]);
    }
    await ru.close();
  });

  it('the views are reachable from the keyboard: Tab reaches the navigation and Enter opens a view', async () => {
    await page.goto(`${h.url}/#/overview?window=1h`);
    await page.waitForSelector('#categories article');
    let found = false;
    for (let i = 0; i < 30 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.getAttribute('href')?.startsWith('#/messages') === true);
    }
    expect(found).toBe(true);
    // the focused element is visibly focused (an outline or a ring), never hidden by the styles
    const outline = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as HTMLElement);
      return (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none';
    });
    await page.keyboard.press('Enter');
    await page.waitForSelector('#messages article');
    expect(page.url()).toContain('#/messages');
    expect(outline).toBe(true);
  });
});
