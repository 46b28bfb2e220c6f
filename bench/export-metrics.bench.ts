/**
 * A Prometheus scrape of the exported complaint metrics (`GET /metrics`) over a long stored history: every
 * exported series key at a 1-minute step for many days, and the detector's rows for many watched series —
 * the scrape reads one bucket by key and one judged bucket by index, so its time should not grow with history.
 * SQLite and PostgreSQL.
 */
import { buildApp } from '../src/api/app.js';
import { Authenticator } from '../src/api/auth.js';
import { exportedSeriesKeys } from '../src/series/export-gauges.js';
import type { StoredDetectorPoint } from '../src/store/detector-point-store.js';
import { TICK_KEY } from '../src/store/tick-store.js';
import type { BenchArgs } from './index.js';
import { median, percentile } from './stats.js';
import { benchService, postgresUp } from './support.js';

const MIN = 60_000;
const DAY = 1440 * MIN;


export default async function bench(args: BenchArgs): Promise<void> {
  const dbs: Array<'sqlite' | 'postgres'> = (await postgresUp()) ? ['sqlite', 'postgres'] : ['sqlite'];
  const days = args.quick ? 2 : 30;
  const watched = args.quick ? 50 : 300;
  for (const db of dbs) {
    const svc = await benchService(`bex${Date.now().toString(36)}`, db);
    const { ctx } = svc;
    try {
      const now = Date.UTC(2026, 5, 1);
      const from = now - days * DAY;
      const judged = now - 2 * MIN;
      const keys = exportedSeriesKeys(ctx.classifier.categories, ctx.config.series.reference);
      const t0 = performance.now();
      for (const key of keys) {
        const points: Array<{ t: number; v: number }> = [];
        for (let t = from; t < now; t += MIN) points.push({ t, v: key === ctx.config.series.reference ? 1000 + (t % 7) : t % 5 });
        await ctx.store.series.set(key, points);
      }
      let rows = 0;
      // The watched series: one day of verdicts each (retention keeps 35 days; the read is by bucket).
      let batch: StoredDetectorPoint[] = [];
      for (let s = 0; s < watched; s++) {
        for (let t = now - DAY; t < now; t += MIN) {
          batch.push({ series: `metric.s${s}`, t, value: 5, expected: 4, lower: 1, upper: 9, score: 0.1, direction: null, reason: null, alert: false, learning: false, late: false, correlation: 0.9, usualCorrelation: 0.9 });
          if (batch.length === 20_000) {
            await ctx.store.detectorPoints.write(batch);
            rows += batch.length;
            batch = [];
          }
        }
      }
      await ctx.store.detectorPoints.write(batch);
      rows += batch.length;
      await ctx.store.kv.set(TICK_KEY, { at: now, judgedUntil: judged }, now);
      process.stdout.write(
        `${db}: ${(keys.length * days * 1440).toLocaleString('en')} series rows (${keys.length} exported keys × ${days} days) and ${rows.toLocaleString('en')} detector rows (${watched} watched series × 1 day) stored in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
      );

      const auth = new Authenticator({ tokens: [], users: [], sessionSecret: 'bench-session-secret-0123456789abcdef', sessionTtlMs: 3_600_000 });
      const app = await buildApp({ ...ctx, auth, clock: { now: () => now } });
      const times: number[] = [];
      let bytes = 0;
      let detectorSamples = 0;
      for (let i = 0; i < (args.quick ? 10 : 50); i++) {
        const start = performance.now();
        const res = await app.inject({ url: '/metrics' });
        times.push(performance.now() - start);
        bytes = Buffer.byteLength(res.body);
        detectorSamples = (res.body.match(/^radar_detector_score\{/gm) ?? []).length;
      }
      process.stdout.write(`${db}: GET /metrics: median ${median(times).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, ${(bytes / 1024).toFixed(0)} KB, ${detectorSamples} watched series exported\n`);
      await app.close();
    } finally {
      await svc.cleanup();
    }
  }
}
