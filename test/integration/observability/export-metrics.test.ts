/**
 * The exported complaint metrics, on real Redis and SQLite / PostgreSQL with a pinned clock: a real scrape
 * of the app (`GET /metrics`) shows the counts and rates of the last complete bucket the detector judged,
 * per category / channel / language with bounded label sets, and what the detector stored for that bucket;
 * the scrape reads only (nothing in the database changes; PostgreSQL runs it in a READ ONLY transaction).
 * And the decoupling lane's data: the correlation with traffic stored per point, served with `with=band`.
 * Every metric and label the shipped Grafana dashboard and alert rules use is in that real scrape.
 */
import { CHANNELS } from '../../../src/domain/message.js';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/domain/classification.js';
import type { Channel, Lang, Message } from '../../../src/domain/message.js';
import { FOLLOWS_REFERENCE } from '../../../src/detect/reference-correlation.js';
import { ManualClock } from '../../../src/platform/clock.js';
import { RATE_PER } from '../../../src/series/export-gauges.js';
import type { Store } from '../../../src/store/store.js';
import type { ClassifierHolder } from '../../../workers/context.js';
import { commitDetectTick, runDetectTick } from '../../../workers/detect.js';
import { startIngestWorker } from '../../../workers/ingest.js';
import { admin, buildTestApp, viewer } from '../../helpers/api.js';
import { waitFor } from '../../helpers/wait.js';
import { baseline } from '../../helpers/detect-scenario.js';
import { parsePromText, sampleOf, type Sample } from '../../helpers/prom-text.js';
import { createTestService, postgresAvailable, type DbKind, type TestService } from '../../helpers/services.js';
import { DAY, HOUR, MIN, seedTrafficAndMetric, trafficAt } from '../../helpers/traffic-scenario.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);
const DOCS = new URL('../../../docs/', import.meta.url);

/** PromQL expressions of the shipped dashboard (panel targets and variable queries) and alert rules. */
function shippedExpressions(): Array<{ file: string; expr: string }> {
  const out: Array<{ file: string; expr: string }> = [];
  const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', DOCS), 'utf8')) as {
    panels: Array<{ title: string; targets?: Array<{ expr: string; legendFormat?: string }> }>;
    templating: { list: Array<{ definition?: string }> };
  };
  for (const panel of dashboard.panels) for (const t of panel.targets ?? []) out.push({ file: `grafana-dashboard.json: ${panel.title}`, expr: `${t.expr} ${t.legendFormat ?? ''}` });
  for (const v of dashboard.templating.list) if (v.definition) out.push({ file: 'grafana-dashboard.json: variables', expr: v.definition });
  const rules = readFileSync(new URL('prometheus-alerts.yml', DOCS), 'utf8');
  for (const m of rules.matchAll(/expr: (?:\|\n)?([\s\S]*?)\n\s+(?:for|labels):/g)) out.push({ file: 'prometheus-alerts.yml', expr: m[1] as string });
  for (const m of rules.matchAll(/\$labels\.([a-z_]+)/g)) out.push({ file: 'prometheus-alerts.yml (annotations)', expr: `{{${m[1] as string}}}` });
  return out;
}

/** Metric names, and label names (in matchers, by/on/without, legends) an expression uses. */
function referencedNames(expr: string): { metrics: string[]; labels: string[] } {
  const metrics = [...new Set([...expr.matchAll(/\b(radar_[a-z0-9_]+)/g)].map((m) => m[1] as string))];
  const labels = new Set<string>();
  for (const m of expr.matchAll(/\{([^{}]*)\}/g)) for (const l of (m[1] as string).matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)) labels.add(l[1] as string);
  for (const m of expr.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)) for (const l of (m[1] as string).split(',')) if (l.trim()) labels.add(l.trim());
  for (const m of expr.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)) labels.add(m[1] as string);
  for (const m of expr.matchAll(/label_values\([^,]+,\s*([a-z_]+)\)/g)) labels.add(m[1] as string);
  // Labels Prometheus adds to every scraped series, not the app.
  for (const added of ['instance', 'job']) labels.delete(added);
  return { metrics, labels: [...labels] };
}
/** The bucket the tick at NOW judges last (NOW − settle, minus one bucket). */
const B = T0 + 2 * DAY;
const NOW = B + 2 * MIN;
const DECOUPLE_AT = B - 90 * MIN;
const CATEGORIES = ['login', 'payment', 'slow'];

/** A small classifier: categories by word; language from the message, else Cyrillic → ru, Latin → en, digits only → unknown. */
function exportClassifier(): ClassifierHolder {
  const words: Record<string, string[]> = { login: ['login', 'войти'], payment: ['payment', 'оплата'], slow: ['slow', 'тормозит'] };
  return {
    current: {
      classify(text: string, lang?: Lang | null): Classification {
        const lower = text.toLowerCase();
        const categories = Object.entries(words)
          .filter(([, ws]) => ws.some((w) => lower.includes(w)))
          .map(([name, ws]) => ({ name, score: 1, terms: ws.filter((w) => lower.includes(w)) }));
        const detected: Lang | null = /[а-я]/i.test(text) ? 'ru' : /^[\d\s!?.-]*$/.test(text.replace(/login|payment|slow/gi, '')) ? null : 'en';
        return { complaint: categories.length > 0, score: categories.length > 0 ? 1 : 0, categories, lang: lang ?? detected };
      },
    },
    lastError: null,
    loadedAt: 0,
    categories: CATEGORIES,
  };
}

const MESSAGES: ReadonlyArray<[string, Channel, Lang | null]> = [
  ['cannot login since the update', 'twitter', 'en'],
  ['login and payment both broken', 'twitter', 'en'],
  ['не могу войти', 'email', 'ru'],
  ['оплата не проходит, всё тормозит', 'api', 'ru'],
  ['login 404 !!', 'beta_form', null],
  ['thanks, all good', 'twitter', 'en'],
];

async function ingestAt(store: Store, holder: ClassifierHolder, t: number): Promise<void> {
  const items = MESSAGES.map(([text, channel, lang], i) => {
    const message: Message = { id: `api:export-${t}-${i}`, channel, source: 'api', author: null, text, lang, createdAt: new Date(t + 1000 + i).toISOString(), link: null };
    return { message, classification: holder.current.classify(message.text, message.lang) };
  });
  await store.ingest(items, t + 10_000, MIN);
}

/** Row counts of every table and the kv documents: what a scrape must leave as it found it. */
async function stateOf(store: Store): Promise<unknown> {
  const tables = ['messages', 'series_points', 'detector_points', 'kv', 'alerts', 'outbox', 'late_buckets', 'detector_checkpoints'] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await store.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const kv = await store.db.selectFrom('kv').select(['key', 'value', 'updated_at']).orderBy('key').execute();
  return { counts, kv };
}

for (const db of ['sqlite', 'postgres'] as DbKind[]) {
  describe(`exported metrics (${db})`, () => {
    let service: TestService | undefined;
    afterEach(async () => {
      await service?.cleanup();
      service = undefined;
    });

    async function start(): Promise<TestService> {
      const clock = new ManualClock(NOW);
      service = await createTestService({
        db,
        clock,
        classifier: exportClassifier(),
        config: {
          detect: {
            learning: '1h',
            series: [
              { key: 'complaints.login', reference: 'traffic', model: 'counts', direction: 'up' },
              { key: 'logins', reference: 'traffic', model: 'continuous', direction: 'both' },
              { key: 'errors.auth', reference: 'traffic', model: 'continuous', direction: 'up' },
            ],
          },
        },
      });
      const { ctx } = service;
      await seedTrafficAndMetric(ctx, T0, B + MIN, DECOUPLE_AT);
      // A metric judged against traffic that never followed it: errors on their own 7-minute cycle.
      const errors: Array<{ t: number; v: number }> = [];
      for (let t = T0; t < B + MIN; t += MIN) errors.push({ t, v: 5 + ((t / MIN) % 7) });
      await ctx.store.series.set('errors.auth', errors);
      const history: Array<{ key: string; t: number; v: number }> = [];
      for (let t = T0; t < B; t += MIN) history.push({ key: 'complaints', t, v: baseline(t) }, { key: 'complaints.login', t, v: baseline(t) });
      await ctx.store.series.add(history);
      await ingestAt(ctx.store, ctx.classifier, B);
      // A stored category the keyword config does not have (renamed since): never a label value.
      await ctx.store.series.add([{ key: 'complaints.retired', t: B, v: 7 }]);
      await commitDetectTick(ctx, await runDetectTick(ctx, clock.now()));
      return service;
    }

    it('a scrape shows the last complete bucket per category, channel and language (bounded), its rates, and what the detector stored; it changes nothing', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const { ctx } = await start();
      const app = await buildTestApp(ctx);
      try {
        const before = await stateOf(ctx.store);
        const res = await app.inject({ url: '/metrics' });
        expect(res.statusCode).toBe(200);
        const samples = parsePromText(res.body);
        expect(await stateOf(ctx.store)).toEqual(before);
        const value = (name: string, labels: Record<string, string> = {}) => sampleOf(samples, name, labels)?.value;

        expect(value('radar_bucket_timestamp_seconds')).toBe(B / 1000);
        expect(value('radar_bucket_seconds')).toBe(60);
        const traffic = trafficAt(B);
        expect(value('radar_reference_in_bucket', { series: 'traffic' })).toBe(traffic);

        // Five complaints (one message is none): login ×4, payment ×2, slow ×1; en 2, ru 2, unknown 1.
        const stored = await ctx.store.series.valuesAt(['complaints', 'complaints.login', 'complaints.lang.en', 'complaints.lang.ru'], B);
        expect(stored.get('complaints')).toBe(5);
        expect(value('radar_complaints_in_bucket')).toBe(5);
        expect(value('radar_complaint_rate')).toBeCloseTo((5 / traffic) * RATE_PER, 9);
        const byLabel = (name: string, label: string) => Object.fromEntries(samples.filter((s) => s.name === name).map((s) => [s.labels[label], s.value]));
        expect(byLabel('radar_category_complaints_in_bucket', 'category')).toEqual({ login: 4, payment: 2, slow: 1 });
        expect(byLabel('radar_channel_complaints_in_bucket', 'channel')).toEqual({ ...Object.fromEntries(CHANNELS.map((c) => [c, 0])), twitter: 2, email: 1, beta_form: 1, api: 1 });
        expect(byLabel('radar_language_complaints_in_bucket', 'language')).toEqual({ en: 2, ru: 2, other: 1 });
        const rates = byLabel('radar_category_complaint_rate', 'category');
        expect(rates.login).toBeCloseTo((4 / traffic) * RATE_PER, 9);
        expect(rates.slow).toBeCloseTo((1 / traffic) * RATE_PER, 9);
        expect(byLabel('radar_language_complaint_rate', 'language').other).toBeCloseTo((1 / traffic) * RATE_PER, 9);

        // Bounded label sets: nothing but the config's categories, the channels, en/ru/other.
        const labelValues = (label: string) => new Set(samples.filter((s) => s.labels[label] !== undefined && s.name.startsWith('radar_') && !s.name.startsWith('radar_complaints_total')).map((s) => s.labels[label]));
        expect([...labelValues('category')].sort()).toEqual(CATEGORIES);
        expect([...labelValues('channel')].sort()).toEqual([...CHANNELS].sort());
        expect([...labelValues('language')].sort()).toEqual(['en', 'other', 'ru']);
        expect(res.body).not.toContain('retired');

        // What the detector stored for the bucket, per watched series (never recomputed here).
        const rows = await ctx.store.detectorPoints.read('logins', B, B + MIN);
        const row = rows[0];
        expect(row?.t).toBe(B);
        expect(value('radar_detector_value', { series: 'logins' })).toBe(row?.value);
        expect(value('radar_detector_expected', { series: 'logins' })).toBeCloseTo(row?.expected ?? NaN, 9);
        expect(value('radar_detector_lower', { series: 'logins' })).toBeCloseTo(row?.lower ?? NaN, 9);
        expect(value('radar_detector_upper', { series: 'logins' })).toBeCloseTo(row?.upper ?? NaN, 9);
        expect(value('radar_detector_score', { series: 'logins' })).toBeCloseTo(row?.score ?? NaN, 9);
        expect(value('radar_detector_correlation', { series: 'logins' })).toBeCloseTo(row?.correlation ?? NaN, 9);
        expect(value('radar_detector_learning', { series: 'logins' })).toBe(0);
        expect(sampleOf(samples, 'radar_detector_score', { series: 'complaints.login' })).toBeDefined();
        expect(new Set(samples.filter((s: Sample) => s.name === 'radar_detector_score').map((s) => s.labels.series))).toEqual(new Set(['complaints.login', 'errors.auth', 'logins']));
      } finally {
        await app.close();
      }
    });

    it('every metric and label the Grafana dashboard and the alert rules use is in a real scrape', async (t) => {
      if (db !== 'sqlite') return t.skip();
      const { ctx } = await start();
      const app = await buildTestApp(ctx);
      const ingest = startIngestWorker(ctx);
      try {
        // The per-process counter comes from the ingest worker: one complaint through the push API.
        const res = await app.inject({ method: 'POST', url: '/api/messages', headers: admin, payload: { id: 'docs-1', channel: 'email', text: 'cannot login', lang: 'en', createdAt: NOW - 30_000 } });
        expect(res.statusCode, res.body).toBe(202);
        await waitFor(async () => (await ctx.store.messages.count()) === MESSAGES.length + 1);
        await waitFor(async () => (await app.inject({ url: '/metrics' })).body.includes('radar_complaints_total{'));
        const samples = parsePromText((await app.inject({ url: '/metrics' })).body);
        const expressions = shippedExpressions();
        expect(expressions.filter((e) => e.file === 'prometheus-alerts.yml').length).toBe(5);
        expect(expressions.filter((e) => e.file.startsWith('grafana-dashboard.json:')).length).toBeGreaterThanOrEqual(14);
        const problems: string[] = [];
        for (const { file, expr } of expressions) {
          const { metrics, labels } = referencedNames(expr);
          const scraped = samples.filter((s) => metrics.includes(s.name));
          for (const name of metrics) if (!samples.some((s) => s.name === name)) problems.push(`${file}: ${name} is not in the scrape`);
          for (const label of labels) {
            const carriers = metrics.length > 0 ? scraped : samples.filter((s) => s.name.startsWith('radar_'));
            if (!carriers.some((s) => s.labels[label] !== undefined)) problems.push(`${file}: label ${label} (in ${expr.trim()}) is on none of ${metrics.join(', ') || 'the metrics'}`);
          }
        }
        expect(problems).toEqual([]);
        expect(sampleOf(samples, 'radar_complaints_total', { category: 'login', channel: 'email', language: 'en' })?.value).toBe(1);
      } finally {
        await ingest.close();
        await app.close();
      }
    });

    it('scrape-time reads are read-only and time-limited on PostgreSQL', async (t) => {
      if (db !== 'postgres' || !(await postgresAvailable())) return t.skip();
      const { ctx } = await start();
      await expect(ctx.store.readOnly(2000, (trx) => ctx.store.kv.set('x', 1, NOW, trx))).rejects.toThrow(/read-only/);
      await expect(ctx.store.readOnly(50, (trx) => sql`select pg_sleep(1)`.execute(trx))).rejects.toThrow(/statement timeout/);
      expect(await ctx.store.kv.get('x')).toBeNull();
    });

    it('stores the correlation with traffic per point; the series API says which series follow it (the decoupling lane)', async (t) => {
      if (db === 'postgres' && !(await postgresAvailable())) return t.skip();
      const { ctx } = await start();
      const app = await buildTestApp(ctx);
      try {
        const from = B - 6 * HOUR;
        const to = B + MIN;
        type Band = { band: Array<{ t: number; correlation: number | null; usualCorrelation: number | null }>; decoupling: { reference: string | null; follows: boolean; threshold: number } };
        const metric = (await app.inject({ url: `/api/series/logins?with=band&from=${from}&to=${to}&step=1m`, headers: viewer })).json() as Band;
        expect(metric.decoupling).toEqual({ reference: 'traffic', follows: true, threshold: FOLLOWS_REFERENCE });
        const at = (p: number) => metric.band.find((b) => b.t === p);
        // Following traffic until DECOUPLE_AT, no longer an hour later: the lane's line crosses the threshold.
        expect(at(DECOUPLE_AT - MIN)?.correlation).toBeGreaterThan(0.8);
        expect(at(B)?.correlation).toBeLessThan(FOLLOWS_REFERENCE);
        // The values are the stored rows.
        const stored = await ctx.store.detectorPoints.read('logins', B, B + MIN);
        expect(at(B)?.correlation).toBe(stored[0]?.correlation);
        expect(at(B)?.usualCorrelation).toBe(stored[0]?.usualCorrelation);

        // Coarser steps keep the lowest correlation of each bucket.
        const coarse = (await app.inject({ url: `/api/series/logins?with=band&from=${from}&to=${to}&step=1h`, headers: viewer })).json() as Band;
        const lastHour = metric.band.filter((b) => b.t >= B - HOUR && b.t < B && b.correlation !== null);
        expect(lastHour).toHaveLength(60);
        expect(coarse.band.at(-2)?.t).toBe(B - HOUR);
        expect(coarse.band.at(-2)?.correlation).toBeCloseTo(Math.min(...lastHour.map((b) => b.correlation as number)), 9);

        // A metric judged against traffic that never followed it: no lane.
        const errors = (await app.inject({ url: `/api/series/errors.auth?with=band&from=${from}&to=${to}`, headers: viewer })).json() as Band;
        expect(errors.decoupling).toEqual({ reference: 'traffic', follows: false, threshold: FOLLOWS_REFERENCE });
        expect(errors.band.filter((b) => b.usualCorrelation !== null).length).toBeGreaterThan(300);
        // A complaint series (the signal, not a metric that follows traffic): no lane, whatever its correlation.
        const complaints = (await app.inject({ url: `/api/series/complaints.login?with=band&from=${from}&to=${to}`, headers: viewer })).json() as Band;
        expect(complaints.decoupling.reference).toBe('traffic');
        expect(complaints.decoupling.follows).toBe(false);
        // A series with no reference: no lane, no correlation.
        const plain = (await app.inject({ url: `/api/series/traffic?with=band&from=${from}&to=${to}`, headers: viewer })).json() as Band;
        expect(plain.decoupling).toEqual({ reference: null, follows: false, threshold: FOLLOWS_REFERENCE });
      } finally {
        await app.close();
      }
    });
  });
}
