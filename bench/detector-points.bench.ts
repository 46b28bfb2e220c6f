/**
 * What the detector said, stored: the widest band request the API allows (`series.maxRange` at the
 * automatic step, and `series.maxPoints` at the stored 1-minute step) over many stored detector rows —
 * time and memory — and the outbox relay's latency (a tick's intents committed, then enqueued to BullMQ
 * and marked sent), on SQLite and PostgreSQL.
 */
import { buildApp } from '../src/api/app.js';
import { Authenticator } from '../src/api/auth.js';
import type { StoredDetectorPoint } from '../src/store/detector-point-store.js';
import { commitTick, type DetectorWrites } from '../src/store/tick-store.js';
import { relayOutbox } from '../workers/outbox-relay.js';
import type { BenchArgs } from './index.js';
import { median, percentile } from './stats.js';
import { benchService, postgresUp } from './support.js';

const MIN = 60_000;
const DAY = 1440 * MIN;


const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export default async function bench(args: BenchArgs): Promise<void> {
  const dbs: Array<'sqlite' | 'postgres'> = (await postgresUp()) ? ['sqlite', 'postgres'] : ['sqlite'];
  for (const db of dbs) {
    const svc = await benchService(`bdp${Date.now().toString(36)}`, db);
    const { ctx } = svc;
    try {
      // Many stored rows: `series` series × 90 days of 1-minute verdicts.
      const series = args.quick ? 2 : 8;
      const now = Date.UTC(2026, 5, 1);
      const from = now - ctx.config.series.maxRange;
      const t0 = performance.now();
      for (let s = 0; s < series; s++) {
        const key = s === 0 ? 'complaints.login' : `complaints.c${s}`;
        let batch: StoredDetectorPoint[] = [];
        for (let t = from; t < now; t += MIN) {
          const v = 3 + (t % 7);
          batch.push({ series: key, t, value: v, expected: 4, lower: 0, upper: 9, score: 0.1, direction: null, reason: null, alert: v > 8, learning: false, late: false });
          if (batch.length === 20_000) {
            await ctx.store.detectorPoints.write(batch);
            batch = [];
          }
        }
        await ctx.store.detectorPoints.write(batch);
      }
      const rows = series * ((now - from) / MIN);
      process.stdout.write(`${db}: ${rows.toLocaleString('en')} detector rows stored (${series} series × ${(now - from) / DAY} days) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

      const token = 'bench-token-0123456789abcdef';
      const auth = new Authenticator({ tokens: [{ name: 'bench', token, role: 'admin' }], users: [], sessionSecret: 'bench-session-secret-0123456789abcdef', sessionTtlMs: 3_600_000 });
      const app = await buildApp({ ...ctx, auth, clock: { now: () => now } });
      const request = async (label: string, url: string) => {
        global.gc?.();
        const heap = process.memoryUsage().heapUsed;
        const start = performance.now();
        const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
        const ms = performance.now() - start;
        const body = res.json() as { band?: unknown[]; message?: string };
        process.stdout.write(
          `${db}: ${label}: HTTP ${res.statusCode}, ${body.band?.length ?? 0} band points, ${ms.toFixed(0)} ms, heap +${mb(Math.max(0, process.memoryUsage().heapUsed - heap))}, ${mb(Buffer.byteLength(res.body))} body${body.message ? ` (${body.message})` : ''}\n`,
        );
      };
      await request(`widest range (series.maxRange ${(now - from) / DAY}d), automatic step`, `/api/series/complaints.login?with=band&from=${from}&to=${now}`);
      await request(`widest 1-minute read (series.maxPoints ${ctx.config.series.maxPoints})`, `/api/series/complaints.login?with=band&from=${now - ctx.config.series.maxPoints * MIN}&to=${now}&step=1m`);
      await request('from=0 (too wide)', '/api/series/complaints.login?with=band&from=0');
      process.stdout.write(`${db}: process max RSS ${mb(process.resourceUsage().maxRSS * 1024)}\n`);
      await app.close();

      // Outbox relay latency: intents committed with a tick, then relayed (enqueue + mark sent).
      const tick = (at: number): DetectorWrites => ({ states: [], points: [], checkpoints: [], checkpointsBefore: 0, lateHandled: [], tick: { at, judgedUntil: at - 2 * MIN } });
      const payload = { notification: { key: 'k' }, notifier: 'log' };
      const latencies: number[] = [];
      for (let i = 0; i < (args.quick ? 20 : 100); i++) {
        const at = now + i * MIN;
        await commitTick(ctx.store, tick(at), { alerts: [], events: [], evidence: [], outbox: [{ key: `bench-${i}-firing-0.log`, alertId: `bench-${i}`, notifier: 'log', payload }] });
        const start = performance.now();
        await relayOutbox(ctx);
        latencies.push(performance.now() - start);
      }
      process.stdout.write(`${db}: outbox relay, one intent per tick: median ${median(latencies).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms (commit → enqueued and marked sent)\n`);
      const burst = args.quick ? 200 : 1000;
      await commitTick(ctx.store, tick(now + DAY), {
        alerts: [],
        events: [],
        evidence: [],
        outbox: Array.from({ length: burst }, (_, i) => ({ key: `burst-${i}-firing-0.log`, alertId: `burst-${i}`, notifier: 'log', payload })),
      });
      const start = performance.now();
      const relayed = await relayOutbox(ctx);
      const ms = performance.now() - start;
      process.stdout.write(`${db}: outbox relay, ${relayed} intents of one tick: ${ms.toFixed(0)} ms (${((ms / relayed) * 1000).toFixed(0)} µs per intent)\n`);
    } finally {
      await svc.cleanup();
    }
  }
}
