/**
 * Alerts per demo incident: the demo source with the default config (seed 42) runs through the real
 * classifier, store, detector tick and alert state machine with a pinned clock — three days of
 * history, then minute by minute. Prints, for one hour and for a whole day of demo time: incidents,
 * incidents with an alert, alerts per incident (at most), alerts with no incident, notifications; for the day, how
 * many of the misses an oracle that knows the demo's true rates could catch at the same false-alarm rate (`oracle`). The
 * demo starts at the scored stretch's start, as a fresh `npm start` does (its first incident, metrics first,
 * 30–45 min later; see schedule.ts).
 */
import type { BenchArgs } from './index.js';
import { ManualClock } from '../src/platform/clock.js';
import { pingRedis } from '../src/queues/connection.js';
import { CATEGORY_SHARES, DEMO_CATEGORIES, type DemoCategory, type DemoGenerator, type DemoIncident } from '../src/sources/demo/index.js';
import { mulberry32, poisson } from '../src/sources/demo/prng.js';
import type { Alert } from '../src/domain/alert.js';
import { parseSeriesName } from '../src/alerting/series-name.js';
import { oracleCusum } from '../test/helpers/complaint-sim.js';
import type { ServiceContext } from '../workers/context.js';
import { createAlerting } from '../workers/alerting.js';
import { runDetectTick } from '../workers/detect.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBench, REDIS_URL } from './support.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Raised from 5 min before the incident to 10 min after it. */
function inTime(a: Alert, i: DemoIncident): boolean {
  return a.startsAt >= i.start - 5 * MIN && a.startsAt <= i.end + 10 * MIN;
}

/**
 * The incidents (of `incidents`) this alert is about: raised from 5 min before one to 10 min after it, on its
 * category's series, or else on the complaint series of a channel its complaints arrive through (an incident
 * reported mostly through the beta form raises `complaints.channel.beta_form`, and that page is about it). An alert
 * of one incident's category is about that one only, not also about the incident before it whose channel it shares
 * (a send_fail page in the last minutes of a spam incident is not a second page for the spam).
 */
function aboutWhich(a: Alert, incidents: readonly DemoIncident[]): DemoIncident[] {
  const timely = incidents.filter((i) => inTime(a, i));
  const byCategory = timely.filter((i) => a.groupKey.includes(i.category));
  if (byCategory.length > 0) return byCategory;
  return timely.filter((i) =>
    a.members.some((m) => {
      const name = parseSeriesName(m.series);
      return name.kind === 'channel' && name.channel !== null && (i.channels as readonly string[]).includes(name.channel);
    }),
  );
}

interface Window {
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await pingRedis(REDIS_URL))) {
    process.stdout.write(`skipped: no Redis at ${REDIS_URL}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'radar-bench-alerts-'));
  const start = Date.UTC(2026, 2, 9, 6, 0); // a Monday, 09:00 Moscow time
  const scoreHours = args.quick ? 6 : 24;
  const clock = new ManualClock(start - 3 * DAY);
  // The demo as `npm start` plays it: started at `start` (its first incident follows within the hour).
  const { config, ctx, generator, feed } = await demoBench(dir, 'benchal', clock, start, args.seed);
  try {
    await feed(start - 3 * DAY, start);
    const alerting = createAlerting(ctx, { ackSecret: null, publicUrl: 'http://127.0.0.1:8080' });
    let notifications = 0;
    const queued = ctx.queues.get('notify');
    const began = performance.now();
    for (let t = start; t < start + scoreHours * HOUR; t += MIN) {
      await feed(t, t + MIN);
      clock.set(t + 2 * MIN + 5_000);
      await alerting.onTick(await runDetectTick(ctx, clock.now()));
    }
    notifications = await queued.count();
    const seconds = (performance.now() - began) / 1000;
    // Complaint alerts only: the demo's service metrics page through their own rule (see the correlation bench).
    const alerts = (await ctx.store.alerts.list({ limit: 10_000 })).filter((a) => a.firingAt !== null && a.rule === 'complaints');
    const windows: Window[] = [
      { label: 'first hour', from: start, to: start + HOUR },
      { label: `${scoreHours} h`, from: start, to: start + scoreHours * HOUR },
    ];
    for (const w of windows) {
      // Scored: the incidents that start in the window. An alert about one already under way when the window opens
      // (it started in the history before) is about an incident all the same, not a false alert.
      const overlapping: DemoIncident[] = generator.incidentsBetween(w.from, w.to);
      const incidents = overlapping.filter((i) => i.start >= w.from);
      const inWindow = alerts.filter((a) => a.startsAt >= w.from && a.startsAt < w.to);
      const matches = (i: DemoIncident) => inWindow.filter((a) => aboutWhich(a, overlapping).includes(i));
      const perIncident = incidents.map((i) => matches(i).length);
      const matched = new Set(overlapping.flatMap((i) => matches(i).map((a) => a.id)));
      const caught = perIncident.filter((n) => n > 0).length;
      process.stdout.write(
        `${w.label.padEnd(10)}: ${incidents.length} demo incidents, ${caught} with an alert, at most ${Math.max(0, ...perIncident)} alert(s) per incident, ` +
          `${inWindow.length} alerts in all (${inWindow.length - matched.size} with no incident)\n`,
      );
      if (w.to - w.from === scoreHours * HOUR) {
        const missed = incidents.filter((_, k) => perIncident[k] === 0);
        const budget = Math.max(1, inWindow.length - matched.size) / (scoreHours / 24);
        const o = oracle(generator, config.demo.complaintsPerMillionVisits, w.from, w.to, overlapping, budget);
        const caughtMisses = missed.filter((i) => o.caught.has(i.id)).length;
        process.stdout.write(
          `oracle (Poisson CUSUM ×${ORACLE_RHO} on each category's true complaints, knowing the demo's true rate): could catch ${caughtMisses} of ${missed.length} misses ` +
            `(${incidents.filter((i) => o.caught.has(i.id)).length} of ${incidents.length} incidents) at ${budget.toFixed(1)} false alarms/day (threshold ${o.threshold.toFixed(2)} nats; ${o.falseAlarms} false alarms on this day)\n`,
        );
        if (process.env.ALERTS_VERBOSE) {
          const msk = (t: number) => new Date(t + 3 * HOUR).toISOString().slice(11, 16);
          process.stdout.write(`  misses the oracle catches: ${missed.filter((i) => o.caught.has(i.id)).map((i) => `${msk(i.start)} ${i.category}`).join(', ') || '-'}\n`);
          process.stdout.write(`  oracle false alarms (MSK, category, count/true rate at the alarm): ${o.falseAt.join(', ') || '-'}\n`);
          process.stdout.write(`  incidents alerted that the oracle misses: ${incidents.filter((i, k) => (perIncident[k] ?? 0) > 0 && !o.caught.has(i.id)).map((i) => `${msk(i.start)} ${i.category}`).join(', ') || '-'}\n`);
        }
      }
    }
    if (process.env.ALERTS_VERBOSE) await explain(ctx, generator, alerts, start, start + scoreHours * HOUR);
    // The demo's first incident (metrics first): what paged for it in the first hour, and what joined that page.
    const first = generator.incidentsBetween(start, start + HOUR).find((i) => i.metricsFirst === true);
    const effect = first === undefined ? undefined : generator.metricIncidentsBetween(first.start, first.end).find((m) => m.id === first.id);
    if (first !== undefined && effect !== undefined) {
      const mine = new Set([`complaints.${first.category}`, effect.firstMetric ?? '', effect.drop?.metric ?? '']);
      const all = await ctx.store.alerts.list({ limit: 10_000 });
      const about = all.filter((a) => a.firingAt !== null && a.firingAt < start + HOUR && a.startsAt >= effect.from - 5 * MIN && a.members.some((m) => mine.has(m.series)));
      const rel = (t: number) => `+${Math.round((t - start) / MIN)} min`;
      const paged = about.filter((a) => a.notifiedFiring).map((a) => `${a.members[0]?.series ?? '?'} at ${rel(a.firingAt as number)}`);
      const joined = about.filter((a) => (a.attachedTo ?? null) !== null).map((a) => a.members[0]?.series ?? '?');
      process.stdout.write(
        `the demo's first incident: ${first.category}, ${effect.visibility}, ${effect.firstMetric ?? '-'} rising at ${rel(effect.errorsFrom)}, complaints at ${rel(first.start)}; ` +
          `in the first hour paged: ${paged.join(', ') || 'nothing'}; joined that page: ${joined.join(', ') || 'nothing'}\n`,
      );
    }
    process.stdout.write(`seed ${config.demo.seed}; notifications queued over ${scoreHours} h: ${notifications} (log notifier; firing + resolved + escalations); replay ran ${(seconds / scoreHours).toFixed(1)} s per demo hour\n`);
  } finally {
    await ctx.queues.obliterate();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ALERTS_VERBOSE=1`: every incident (size, what the detector said on its series, its alerts) and every unmatched alert. */
async function explain(ctx: ServiceContext, generator: DemoGenerator, alerts: readonly Alert[], from: number, to: number): Promise<void> {
  const msk = (t: number) => new Date(t + 3 * HOUR).toISOString().slice(11, 16);
  const overlapping = generator.incidentsBetween(from, to);
  const incidents = overlapping.filter((i) => i.start >= from);
  const keys = await ctx.store.series.keys();
  const watched = keys.filter((k) => k.startsWith('complaints'));
  const points = await ctx.store.detectorPoints.readMany(watched, from, to + HOUR);
  const peak = (key: string, a: number, b: number) => {
    const list = (points.get(key) ?? []).filter((p) => p.t >= a && p.t < b);
    const best = list.reduce<(typeof list)[number] | null>((m, p) => (m === null || p.score > m.score ? p : m), null);
    const sum = (f: (p: (typeof list)[number]) => number | null) => list.reduce((x, p) => x + (f(p) ?? 0), 0);
    return best === null ? '-' : `max ${best.score.toFixed(2)}${list.some((p) => p.alert) ? '!' : ''} sum ${sum((p) => p.value)}/${sum((p) => p.expected).toFixed(0)}`;
  };
  for (const i of incidents) {
    let extra = 0;
    let base = 0;
    for (let t = i.start; t < i.end; t += MIN) {
      for (const m of generator.minute(t).messages) {
        const truth = m.meta?.truth as { category?: string | null } | undefined;
        if (m.meta?.incident === i.id) extra += 1;
        else if (truth?.category === i.category) base += 1;
      }
    }
    const mine = alerts.filter((a) => aboutWhich(a, overlapping).includes(i));
    process.stdout.write(
      `${msk(i.start)} MSK ${String((i.end - i.start) / MIN).padStart(3)} min ${i.category.padEnd(11)} ×${i.factor} ${i.channels.join('+').padEnd(24)} extra ${String(extra).padStart(3)} on base ${String(base).padStart(3)} | ` +
        `cat ${peak(`complaints.${i.category}`, i.start, i.end + 10 * MIN)}; total ${peak('complaints', i.start, i.end + 10 * MIN)} | ` +
        `${mine.map((a) => `${a.members.map((m) => m.series).join(',')} +${Math.round((a.firingAt ?? a.startsAt) - i.start) / MIN}m${a.endedAt !== null ? `–${Math.round((a.endedAt - i.start) / MIN)}m` : ''}${a.attachedTo ? ` joined ${a.attachedTo}` : ''}`).join('; ') || 'MISSED'}\n`,
    );
  }
  for (const a of alerts.filter((x) => x.startsAt >= from && x.startsAt < to)) {
    const matched = aboutWhich(a, overlapping).length > 0;
    if (matched) continue;
    const near = incidents.filter((i) => Math.abs(i.start - a.startsAt) < 60 * MIN).map((i) => `${i.category} ${msk(i.start)}–${msk(i.end)}`);
    process.stdout.write(`  unmatched ${msk(a.startsAt)} MSK ${a.groupKey} [${a.members.map((m) => `${m.series} ${m.peak ? `${m.peak.value}/${m.peak.expected.toFixed(1)} s${m.peak.score.toFixed(2)}` : ''}`).join(', ')}]${a.attachedTo ? ` joined ${a.attachedTo}` : ''}; near: ${near.join(', ') || '-'}\n`);
  }
}

/** The oracle's alternative: the least factor by which the demo multiplies a category during an incident. */
const ORACLE_RHO = 4;
/** Simulated incident-free days the oracle's threshold is set on (Poisson at the true rate, a fixed seed). */
const ORACLE_DAYS = 40;

/**
 * What a detector that knows the demo's true expected rate could catch: a one-sided Poisson CUSUM (log-likelihood ratio
 * of ×ORACLE_RHO against the true rate μ(t) = traffic × complaints per visit × the category's share) on each
 * category's true complaint count (the demo's own labels, so no classifier error), reset after each alarm. Its
 * threshold gives `budget` false alarms per day over the nine category series, set on incident-free days simulated
 * at the same rates. An incident (of `incidents`: every one overlapping the window) is caught when its category
 * alarms from 5 min before it to 10 min after it (as `aboutWhich` times alerts); any other alarm is a false one.
 */
function oracle(
  generator: DemoGenerator,
  perMillion: number,
  from: number,
  to: number,
  incidents: readonly DemoIncident[],
  budget: number,
): { caught: Set<string>; threshold: number; falseAlarms: number; falseAt: string[] } {
  const minutes = Math.round((to - from) / MIN);
  const cats = DEMO_CATEGORIES as readonly DemoCategory[];
  const mu = cats.map((c) => Float64Array.from({ length: minutes }, (_, k) => (generator.trafficAt(from + k * MIN) * perMillion * CATEGORY_SHARES[c]) / 1_000_000));
  const counts = cats.map(() => new Float64Array(minutes));
  for (let k = 0; k < minutes; k++) {
    for (const m of generator.minute(from + k * MIN).messages) {
      const truth = m.meta?.truth as { complaint?: boolean; category?: string | null } | undefined;
      const c = truth?.complaint === true && truth.category ? cats.indexOf(truth.category as DemoCategory) : -1;
      const row = counts[c];
      if (row) row[k] = (row[k] ?? 0) + 1;
    }
  }
  // Incident-free days at the true rates: the same draws for every threshold tried.
  const simulated = mu.map((rates, c) => Array.from({ length: ORACLE_DAYS }, (_, d) => {
    const rand = mulberry32(1_000 * c + d + 1);
    return Float64Array.from(rates, (r) => poisson(r, rand));
  }));
  const perDay = (h: number): number =>
    simulated.reduce((n, days, c) => n + days.reduce((m, day) => m + oracleCusum(day, mu[c] as Float64Array, ORACLE_RHO, h).length, 0), 0) / ORACLE_DAYS / (minutes / 1440);
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (perDay(mid) > budget) lo = mid;
    else hi = mid;
  }
  const caught = new Set<string>();
  let falseAlarms = 0;
  const falseAt: string[] = [];
  cats.forEach((c, ci) => {
    const row = counts[ci] as Float64Array;
    for (const k of oracleCusum(row, mu[ci] as Float64Array, ORACLE_RHO, hi)) {
      const t = from + k * MIN;
      const hit = incidents.find((i) => i.category === c && t >= i.start - 5 * MIN && t <= i.end + 10 * MIN);
      if (hit) caught.add(hit.id);
      else {
        falseAlarms += 1;
        falseAt.push(`${new Date(t + 3 * HOUR).toISOString().slice(11, 16)} ${c} ${row[k]}/${(mu[ci]?.[k] ?? 0).toFixed(2)}`);
      }
    }
  });
  return { caught, threshold: hi, falseAlarms, falseAt };
}
