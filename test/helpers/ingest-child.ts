/**
 * A separate ingest worker process for crash tests: reads its config from RADAR_TEST_CONFIG (JSON),
 * runs the ingest worker, says "ready" to the parent, and is killed with SIGKILL mid-work.
 */
import { serviceConfigSchema } from '../../src/config/service.js';
import { silentLogger } from '../../src/platform/log.js';
import { createContext } from '../../workers/context.js';
import { startIngestWorker } from '../../workers/ingest.js';
import { testClassifierHolder } from './classifier.js';

const config = serviceConfigSchema.parse(JSON.parse(process.env.RADAR_TEST_CONFIG ?? '{}'));
const ctx = await createContext(config, { log: silentLogger, classifier: testClassifierHolder() });
startIngestWorker(ctx, { lockDurationMs: 2000, stalledIntervalMs: 1000 });
process.send?.('ready');
