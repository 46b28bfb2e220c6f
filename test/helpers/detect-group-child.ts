/**
 * A separate detect process that runs series-group jobs only (workers/detect-groups.ts), for the
 * partition and crash tests and the detect-tick bench: reads its config from RADAR_TEST_CONFIG (JSON),
 * starts the group worker with short BullMQ locks and group leases (a killed process's job runs again
 * within seconds), says "ready" to the parent, and stops on SIGTERM. With RADAR_FAILPOINT set it kills
 * itself with SIGKILL at that point (src/platform/failpoint.ts).
 */
import { serviceConfigSchema } from '../../src/config/service.js';
import { silentLogger } from '../../src/platform/log.js';
import { createContext } from '../../workers/context.js';
import { commitJudged, startDetectWorker } from '../../workers/detect-groups.js';
import { testClassifierHolder } from './classifier.js';

const config = serviceConfigSchema.parse(JSON.parse(process.env.RADAR_TEST_CONFIG ?? '{}'));
const ctx = await createContext(config, { log: silentLogger, classifier: testClassifierHolder() });
const worker = await startDetectWorker(ctx, commitJudged(ctx), {
  ticks: false,
  lockDurationMs: 2000,
  stalledIntervalMs: 1000,
  leaseMs: 3000,
  concurrency: Number(process.env.RADAR_TEST_CONCURRENCY ?? 1),
});
process.once('SIGTERM', () => {
  void (async () => {
    await worker.close();
    await ctx.close();
    process.exit(0);
  })();
});
process.send?.('ready');
