/**
 * Exactly-once under chaos, the long form of test/integration/chaos/chaos.test.ts: 10,000 messages
 * (`--quick`: 2,000), half mailed to a real Dovecot mailbox and half pushed to the API, into api,
 * ingest ×2, poll and detect+notify as separate `radar` processes on PostgreSQL and a three-master
 * Redis Cluster (append-only, fsync always), while a seeded schedule kill -9s random processes (and
 * starts them again), kill -9s the Redis primary holding the ingest queue twice (and starts it again
 * on its port and folder), and terminates the application's PostgreSQL backends. Prints messages,
 * actions, losses, doubles, count mismatches, pages per injected incident and the time.
 * CHAOS_SEED=<n> repeats a schedule.
 */
import type { BenchArgs } from './index.js';
import { runChaos } from '../test/helpers/chaos.js';
import { postgresUp } from './support.js';

export default async function chaosBench(args: BenchArgs): Promise<void> {
  if (!(await postgresUp())) {
    console.log('chaos: skipped (PostgreSQL does not answer)');
    return;
  }
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);
  const messages = args.quick ? 2_000 : 10_000;
  const report = await runChaos({
    messages,
    seed,
    incidents: 3,
    kills: args.quick ? 6 : 14,
    redisRestarts: 2,
    pgTerminations: args.quick ? 3 : 6,
    feedMs: args.quick ? 30_000 : 75_000,
    log: (line) => console.log(`  ${line}`),
  });
  const pages = Object.entries(report.pages).map(([series, n]) => `${series}=${n}`).join(' ');
  console.log(`chaos (seed ${report.seed}): ${report.stored} stored of ${messages} messages (${report.mailed} IMAP, ${report.pushed} push API)`);
  console.log(`  kill -9: ${report.kills} processes, ${report.redisRestarts} Redis primary restarts, ${report.pgTerminations} PostgreSQL terminations; ${report.pushRetries} pushes sent again`);
  console.log(`  losses=${report.lost.length} doubles=${report.doubled.length} count mismatches=${report.countMismatches.length} crashes=${report.crashes.length} failed starts=${report.startFailures.length}`);
  console.log(`  pages per incident: ${pages}; stray pages: ${report.strayPages.length}; webhook deliveries: ${report.deliveries}`);
  console.log(`  time: ${(report.elapsedMs / 1000).toFixed(1)} s`);
  for (const [label, list] of [['lost', report.lost], ['doubled', report.doubled], ['counts', report.countMismatches], ['crashes', report.crashes], ['failed starts', report.startFailures]] as const) {
    if (list.length > 0) console.log(`  ${label}: ${list.slice(0, 20).join(', ')}${list.length > 20 ? ` … (${list.length})` : ''}`);
  }
}
