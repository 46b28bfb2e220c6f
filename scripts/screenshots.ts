/**
 * The README's screenshots, from the running demo: `npm run screenshots [-- --out docs] [--wait 60m]
 * [--backfill 2d]`. Starts the whole service as `npm start` does (demo source, detector, alerting) on a
 * private data folder, SQLite file and Redis key prefix, waits for the demo's history to be judged and
 * for its first firing alert (at most `--wait`), logs in with the generated credentials and captures each
 * view in headless Chromium (laptop and phone, English and Russian). Nothing of the user's `data/` is
 * touched; the temporary folder is removed at the end.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { parseDuration } from '../src/config/duration.js';
import { serviceConfigSchema } from '../src/config/service.js';
import { createLogger } from '../src/platform/log.js';
import { runService, WORKER_KINDS } from '../workers/service.js';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'docs' }, wait: { type: 'string', default: '60m' }, backfill: { type: 'string', default: '2d' } },
});
const out = resolve(values.out);
const waitMs = parseDuration(values.wait) ?? 3_600_000;
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'radar-shots-'));
const log = createLogger({ level: 'warn' });
const config = serviceConfigSchema.parse({
  dataDir: dir,
  server: { port: 0 },
  redis: { prefix: `shots-${process.pid}` },
  database: { url: `sqlite:${join(dir, 'radar.db')}` },
  alerting: { dashboardUrl: 'http://localhost:8080' }, // links in the demo's notifications, as npm start gives them
  demo: { backfill: values.backfill },
});
let credentials: { name: string; password: string; apiToken: string } | null = null;
const say = (text: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
say(`starting the service with the demo (history ${values.backfill}) in ${dir}`);
const service = await runService({
  config,
  log,
  workers: [...WORKER_KINDS],
  api: true,
  autoStartRedis: true,
  onFirstStart: (info) => (credentials = info),
  onBackfillProgress: (done, total) => {
    if (done === total || done % 600 === 0) say(`history ${done}/${total} minutes`);
  },
});
const url = service.url as string;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true });
try {
  if (!credentials) throw new Error('no generated credentials (the data folder was not new)');
  const { name, password, apiToken } = credentials as { name: string; password: string; apiToken: string };
  const api = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${apiToken}` } });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
  };
  // The history judged (health ok), then the first live incident paged.
  const started = Date.now();
  let alertId: string | null = null;
  while (Date.now() - started < waitMs) {
    const health = (await fetch(`${url}/health`).then((r) => r.json()).catch(() => null)) as { status?: string } | null;
    const firing = health?.status === 'ok' ? ((await api('/api/alerts?state=firing'))?.items as Array<{ id: string }> | undefined) : undefined;
    if (firing && firing.length > 0) {
      alertId = firing[0]?.id ?? null;
      break;
    }
    await new Promise((r) => setTimeout(r, 10_000));
  }
  say(alertId ? `alert firing: ${alertId}` : `no alert within ${values.wait}; capturing anyway`);

  async function login(page: Page): Promise<void> {
    await page.goto(`${url}/login`);
    await page.fill('input[name=name]', name);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(`${url}/`), page.click('button[type=submit]')]);
  }
  async function shoot(page: Page, file: string, hash: string, ready: string): Promise<void> {
    await page.goto(`${url}/${hash}`);
    await page.waitForSelector(ready, { timeout: 60_000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(out, file) });
    say(`${file}`);
  }
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-GB' });
  const page = await laptop.newPage();
  await login(page);
  await shoot(page, 'dashboard-overview.png', '#/overview?window=24h', '#categories article');
  await shoot(page, 'dashboard-timeline-all.png', '#/timeline?range=24h', '#complaints-chart .u-over');
  await shoot(page, 'dashboard-timeline.png', '#/timeline?range=6h&category=login', '#complaints-chart .u-over');
  await shoot(page, 'dashboard-messages.png', '#/messages?complaint=true', '#messages article');
  await shoot(page, 'dashboard-alerts.png', alertId ? `#/alerts?id=${encodeURIComponent(alertId)}` : '#/alerts', alertId ? '#alerts article' : 'h1');
  if (alertId) await shoot(page, 'dashboard-incident.png', `#/incidents/${encodeURIComponent(alertId)}`, '#incident-series svg');
  await shoot(page, 'dashboard-clusters.png', '#/messages?complaint=true&group=1', '#messages article.cluster-row');
  await shoot(page, 'dashboard-sources.png', '#/sources', '#sources');
  await shoot(page, 'dashboard-review.png', '#/review', '#review-card');
  await page.goto(`${url}/report`);
  await page.screenshot({ path: join(out, 'report-form.png') });

  const ru = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ru-RU' });
  const ruPage = await ru.newPage();
  await login(ruPage);
  await shoot(ruPage, 'dashboard-overview-ru.png', '#/overview?window=24h', '#categories article');

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: await laptop.storageState() });
  const p = await phone.newPage();
  await shoot(p, 'phone-overview.png', '#/overview?window=1h', '#categories article');
  await shoot(p, 'phone-messages.png', '#/messages?complaint=true', '#messages article');
  await p.goto(`${url}/report`);
  await p.screenshot({ path: join(out, 'phone-report-form.png') });
  say(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await service.shutdown.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
