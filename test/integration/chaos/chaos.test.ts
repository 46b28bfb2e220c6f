/**
 * Exactly-once under chaos (short form of bench/chaos.bench.ts): api, ingest ×2, poll and
 * detect+notify as separate `radar` processes on PostgreSQL and a three-master Redis Cluster, fed from a real
 * IMAP mailbox and the push API while a seeded schedule kill -9s random processes, kill -9s and
 * restarts the Redis primary holding the ingest queue, and terminates the application's PostgreSQL
 * backends. Afterwards every mail and every accepted push is stored exactly once, every counter bucket
 * equals the messages stored in it, and each injected incident is paged exactly once. A failure names
 * the ids, the buckets and the seed (CHAOS_SEED=<seed> runs the same schedule again).
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../../helpers/chaos.js';
import { postgresAvailable, requireRedis } from '../../helpers/services.js';

const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);

describe('chaos: exactly-once across processes, Redis Cluster and PostgreSQL', async () => {
  const available = await postgresAvailable();

  it.skipIf(!available)(
    'nothing lost, nothing doubled, counts equal messages, each incident paged once',
    async () => {
      await requireRedis();
      const lines: string[] = [];
      const report = await runChaos({ messages: 1000, seed, incidents: 2, kills: 5, redisRestarts: 1, pgTerminations: 3, feedMs: 20_000, log: (l) => lines.push(l) });
      const context = `seed ${seed} (CHAOS_SEED=${seed} to repeat)\n${lines.join('\n')}\nfailed starts: ${report.startFailures.join('\n') || 'none'}`;
      expect(report.kills, context).toBe(5);
      expect(report.redisRestarts, context).toBe(1);
      expect(report.pgTerminations, context).toBe(3);
      expect(report.lost, context).toEqual([]);
      expect(report.doubled, context).toEqual([]);
      expect(report.stored, context).toBe(1000);
      expect(report.countMismatches, context).toEqual([]);
      expect(report.pages, context).toEqual({ 'incident.k0': 1, 'incident.k1': 1 });
      expect(report.strayPages, context).toEqual([]);
      // After a process has started it never exits on its own; a start that fails because the database
      // was cut under it exits with one line and is started again (report.startFailures, not a crash).
      expect(report.crashes, context).toEqual([]);
    },
    // A safety net, not a timing assertion: five processes start on a shared 2-core machine.
    300_000,
  );
});
