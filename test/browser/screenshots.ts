/**
 * Screenshots of the main views for the README: `npx tsx test/browser/screenshots.ts [outDir]`
 * (default docs/). Seeded data (without the XSS payloads), the stand-in detector (bands) and a firing alert.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { login, newPage, startHarness, USERS } from './harness.js';

const out = resolve(process.argv[2] ?? 'docs');
mkdirSync(out, { recursive: true });
const h = await startHarness({ alerts: true, detector: true, hostile: false });
try {
  const laptop = await h.browser.newContext({ viewport: { width: 1366, height: 900 } });
  const { page } = await newPage(laptop);
  await login(page, h.url, USERS.ops);
  const shots: Array<[string, string, string]> = [
    ['dashboard-overview.png', '#/overview?window=1h', '#categories article'],
    ['dashboard-timeline.png', '#/timeline?category=login&range=6h', '#complaints-chart .u-over'],
    ['dashboard-timeline-all.png', '#/timeline?range=24h', '#complaints-chart .u-over'],
    ['dashboard-messages.png', '#/messages?category=login&complaint=true', '#messages article'],
    ['dashboard-alerts.png', '#/alerts', '#alerts article'],
    ['dashboard-sources.png', '#/sources', '#sources'],
    ['dashboard-review.png', '#/review', '#review-card[data-id]'],
    ['dashboard-incident.png', `#/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`, '#incident-series svg'],
    ['dashboard-clusters.png', '#/messages?category=login&complaint=true&group=1', '#messages article.cluster-row'],
  ];
  for (const [file, hash, ready] of shots) {
    await page.goto(`${h.url}/${hash}`);
    await page.waitForSelector(ready);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, file) });
  }
  await page.goto(`${h.url}/report`);
  await page.screenshot({ path: join(out, 'report-form.png') });

  const phone = await h.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: await laptop.storageState() });
  const p = await phone.newPage();
  for (const [file, hash, ready] of [
    ['phone-overview.png', '#/overview?window=1h', '#categories article'],
    ['phone-messages.png', '#/messages?category=login&complaint=true', '#messages article'],
  ] as const) {
    await p.goto(`${h.url}/${hash}`);
    await p.waitForSelector(ready);
    await p.waitForTimeout(400);
    await p.screenshot({ path: join(out, file) });
  }
  await p.goto(`${h.url}/report`);
  await p.screenshot({ path: join(out, 'phone-report-form.png') });
  process.stdout.write(`screenshots written to ${out}\n`);
} finally {
  await h.close();
}
process.exit(0);
