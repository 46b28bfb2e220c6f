/**
 * A separate detector process for crash tests: reads its config from RADAR_TEST_CONFIG (JSON) and runs
 * detector ticks with a pinned clock, one a minute from RADAR_TEST_FROM to RADAR_TEST_TO (epoch ms; it
 * resumes after the last committed tick), each through alerting (commit + relay), then tells the parent
 * "done". With RADAR_FAILPOINT set it kills itself with SIGKILL at that point (src/platform/failpoint.ts).
 */
import { serviceConfigSchema } from '../../src/config/service.js';
import { ManualClock } from '../../src/platform/clock.js';
import { silentLogger } from '../../src/platform/log.js';
import { TICK_KEY, type TickInfo } from '../../src/store/tick-store.js';
import { createAlerting } from '../../workers/alerting.js';
import { createContext } from '../../workers/context.js';
import { runDetectTick } from '../../workers/detect.js';
import { testClassifierHolder } from './classifier.js';

const MIN = 60_000;
const config = serviceConfigSchema.parse(JSON.parse(process.env.RADAR_TEST_CONFIG ?? '{}'));
const from = Number(process.env.RADAR_TEST_FROM);
const to = Number(process.env.RADAR_TEST_TO);
const clock = new ManualClock(from);
const ctx = await createContext(config, { log: silentLogger, classifier: testClassifierHolder(), clock });
const alerting = createAlerting(ctx, { ackSecret: 'x'.repeat(40), publicUrl: 'http://127.0.0.1:8080' });
const last = await ctx.store.kv.get<TickInfo>(TICK_KEY);
// Resume after the last committed tick; always run at least one (it relays what a crash left unsent).
let t = Math.min(Math.max(from, (last?.at ?? 0) + MIN), to);
for (; t <= to; t += MIN) {
  clock.set(t);
  await alerting.onTick(await runDetectTick(ctx, t));
}
await ctx.close();
process.send?.('done');
process.exit(0);
