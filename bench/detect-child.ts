/**
 * One detect process for the detect-tick bench: the service config (as written) from RADAR_BENCH_CONFIG,
 * the detect worker running series-group jobs only (the bench's own process runs the ticks); says
 * "ready" to the parent, answers "cpu" with the CPU time it has used (ms), and closes cleanly on "stop".
 */
import { serviceConfigSchema } from '../src/config/service.js';
import { silentLogger } from '../src/platform/log.js';
import { LiveClassifier } from '../workers/classifier.js';
import { createContext } from '../workers/context.js';
import { commitJudged, startDetectWorker } from '../workers/detect-groups.js';

const config = serviceConfigSchema.parse(JSON.parse(process.env.RADAR_BENCH_CONFIG ?? '{}'));
const classifier = new LiveClassifier(config.classify.keywords, silentLogger, () => Date.now());
const ctx = await createContext(config, { log: silentLogger, classifier, migrations: 'check' });
const worker = await startDetectWorker(ctx, commitJudged(ctx), { ticks: false });
process.on('message', (message) => {
  if (message === 'cpu') {
    const used = process.cpuUsage();
    process.send?.({ cpu: (used.user + used.system) / 1000 });
    return;
  }
  if (message !== 'stop') return;
  void (async () => {
    await worker.close();
    await ctx.close();
    classifier.close();
    process.exit(0);
  })();
});
process.send?.('ready');
