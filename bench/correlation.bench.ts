/**
 * Correlation evidence and incident grouping over demo time: the demo source with the service defaults
 * (seed 42, its metrics: errors per service, logins, letters sent) runs through the real classifier,
 * store, detector tick and alerting with a pinned clock — three days of history, then minute by minute,
 * as the alerts bench does. For every demo incident visible in both a metric and complaints it prints
 * the share that produced exactly one page whose evidence names the metric that moved first (goal
 * ≥ 90%), and pages per incident for each kind (metrics first, complaints only, metrics only).
 *
 * An alert belongs to the incident whose signals it is about (`complaints.<category>` or the total,
 * `errors.<service>`, the product metric it drops) and whose start is nearest; a page is an alert that
 * sent a `firing` notification (an alert that joined another's incident sends none).
 */
import type { BenchArgs } from './index.js';
import type { Notification } from '../src/alerting/notification.js';
import { ManualClock } from '../src/platform/clock.js';
import { pingRedis } from '../src/queues/connection.js';
import { type DemoMetricIncident } from '../src/sources/demo/index.js';
import { parseSeriesName } from '../src/alerting/series-name.js';
import { createAlerting } from '../workers/alerting.js';
import { runDetectTick } from '../workers/detect.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBench, REDIS_URL } from './support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The series an incident shows in. */
function signals(i: DemoMetricIncident): Set<string> {
  const out = new Set<string>();
  if (i.category !== null) out.add(`complaints.${i.category}`).add('complaints');
  if (i.service !== null) out.add(`errors.${i.service}`);
  if (i.drop !== null) out.add(i.drop.metric);
  return out;
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) {
    process.stdout.write(`skipped: no Redis at ${REDIS_URL}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'radar-bench-corr-'));
  const start = process.env.CORRELATION_START ? Date.parse(process.env.CORRELATION_START) : Date.UTC(2026, 2, 9, 6, 0); // a Monday, 09:00 Moscow time
  const hours = Number(process.env.CORRELATION_HOURS ?? (args.quick ? 12 : 48));
  // Alerting runs live from an hour before the scored stretch, so its first incidents start on a running system.
  const live = start - HOUR;
  const clock = new ManualClock(start - 3 * DAY);
  const { config, ctx, generator, feed } = await demoBench(dir, 'benchcorr', clock);
  try {
    await feed(start - 3 * DAY, live);
    const alerting = createAlerting(ctx, { ackSecret: null, publicUrl: 'http://127.0.0.1:8080' });
    const began = performance.now();
    const end = start + hours * HOUR;
    for (let t = live; t < end; t += MIN) {
      await feed(t, t + MIN);
      clock.set(t + 2 * MIN + 5_000);
      await alerting.onTick(await runDetectTick(ctx, clock.now()));
    }
    const seconds = (performance.now() - began) / 1000;

    const jobs = await ctx.queues.get('notify').getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    const firingPage = new Map<string, Notification>();
    for (const j of jobs) {
      const n = (j.data as { notification: Notification }).notification;
      if (n.kind === 'firing' && !firingPage.has(n.alert.id)) firingPage.set(n.alert.id, n);
    }
    const alerts = (await ctx.store.alerts.list({ limit: 100_000 })).filter((a) => a.firingAt !== null && a.startsAt >= live && a.startsAt < end);
    // Incidents that began in the scored stretch and ended early enough to be judged.
    const incidents = generator.metricIncidentsBetween(start, end).filter((i) => i.from >= start && i.to <= end - 15 * MIN);
    const byIncident = new Map<string, string[]>(incidents.map((i) => [i.id, []]));
    let unmatched = 0;
    for (const a of alerts) {
      const series = new Set(a.members.map((m) => m.series).map((s) => (parseSeriesName(s).kind === 'channel' ? 'complaints' : s)));
      const candidates = incidents.filter((i) => [...signals(i)].some((s) => series.has(s)) && a.startsAt >= i.from - 10 * MIN && a.startsAt <= i.to + 10 * MIN);
      // The incident under way when the alert started (errors may lead by minutes), else the nearest.
      const active = (i: DemoMetricIncident) => (a.startsAt >= i.from - 3 * MIN && a.startsAt < i.to ? 0 : 1);
      const best = candidates.sort((x, y) => active(x) - active(y) || Math.abs(a.startsAt - x.from) - Math.abs(a.startsAt - y.from))[0];
      if (best) byIncident.get(best.id)?.push(a.id);
      else unmatched += 1;
    }

    if (process.env.CORRELATION_VERBOSE) {
      const hm = (t: number) => new Date(t).toISOString().slice(11, 16);
      for (const i of incidents) {
        process.stdout.write(`${hm(i.from)}–${hm(i.to)} ${i.visibility} ${i.category ?? '-'} ${i.firstMetric ?? '-'} errors ${hm(i.errorsFrom)} ×${i.errorFactor}${i.drop ? ` ${i.drop.metric} ×${i.drop.factor}` : ''}\n`);
        for (const id of byIncident.get(i.id) ?? []) {
          const a = alerts.find((x) => x.id === id);
          const ev = firingPage.get(id)?.evidence;
          process.stdout.write(`    ${id} ${a?.members.map((m) => m.series).join(',')} ${a?.attachedTo ? `joined ${a.attachedTo}` : firingPage.has(id) ? 'PAGED' : 'silent'}${ev ? ` | ${ev.series}; ${(ev.correlated ?? []).map((c) => `${c.series} ${c.size} ${c.leadMs / MIN}`).join(', ')}` : ''}\n`);
        }
      }
      for (const a of alerts) {
        if (![...byIncident.values()].some((ids) => ids.includes(a.id))) process.stdout.write(`  unmatched ${hm(a.startsAt)} ${a.id} ${a.members.map((m) => m.series).join(',')} ${a.attachedTo ? `joined ${a.attachedTo}` : firingPage.has(a.id) ? 'PAGED' : 'silent'}\n`);
      }
    }

    const kinds = ['metrics_first', 'complaints_only', 'metrics_only'] as const;
    for (const kind of kinds) {
      const list = incidents.filter((i) => i.visibility === kind);
      const pages = list.map((i) => (byIncident.get(i.id) ?? []).filter((id) => firingPage.has(id)).length);
      const histogram = new Map<number, number>();
      for (const p of pages) histogram.set(p, (histogram.get(p) ?? 0) + 1);
      const hist = [...histogram.entries()].sort((a, b) => a[0] - b[0]).map(([p, n]) => `${n}× ${p} page${p === 1 ? '' : 's'}`).join(', ');
      process.stdout.write(`${kind.replace('_', ' ').padEnd(15)}: ${String(list.length).padStart(3)} incidents; pages per incident: ${hist || '-'}\n`);
    }

    const both = incidents.filter((i) => i.visibility === 'metrics_first');
    let good = 0;
    let namesComplaints = 0;
    let headlineMetric = 0;
    for (const i of both) {
      const paged = (byIncident.get(i.id) ?? []).filter((id) => firingPage.has(id));
      if (paged.length !== 1) continue;
      const n = firingPage.get(paged[0] as string);
      const ev = n?.evidence ?? null;
      const names = ev !== null && (ev.series === i.firstMetric || (ev.correlated ?? []).some((c) => c.series === i.firstMetric));
      if (!names) continue;
      good += 1;
      if (ev.series === i.firstMetric) headlineMetric += 1;
      const complaintKeys = new Set([`complaints.${i.category}`, 'complaints']);
      if (complaintKeys.has(ev.series) || (ev.correlated ?? []).some((c) => complaintKeys.has(c.series))) namesComplaints += 1;
    }
    const pct = (x: number, n: number) => (n === 0 ? '-' : `${((100 * x) / n).toFixed(1)}%`);
    process.stdout.write(
      `visible in both a metric and complaints: ${good}/${both.length} = ${pct(good, both.length)} produced exactly one page whose evidence names the metric that moved first (goal ≥ 90%); ` +
        `of those, ${headlineMetric} paged on the metric itself and ${namesComplaints} also name the complaints\n`,
    );
    process.stdout.write(`${hours} h of demo time (seed ${config.demo.seed}, service defaults): ${alerts.length} alerts fired, ${firingPage.size} paged, ${unmatched} not matched to a demo incident; ${(seconds / (hours + 1)).toFixed(1)} s per demo hour\n`);
  } finally {
    await ctx.queues.obliterate();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
