/**
 * A separate poll worker process for crash tests: reads its config from RADAR_TEST_CONFIG (JSON),
 * schedules and runs the polls of its Twitter sources, says "ready" to the parent, and is killed
 * with SIGKILL mid-poll.
 */
import { serviceConfigSchema } from '../../src/config/service.js';
import { silentLogger } from '../../src/platform/log.js';
import { createTwitterPollHandler } from '../../src/sources/twitter/index.js';
import { createContext } from '../../workers/context.js';
import { startPollWorker, syncPollSchedulers } from '../../workers/poll.js';
import { testClassifierHolder } from './classifier.js';

const config = serviceConfigSchema.parse(JSON.parse(process.env.RADAR_TEST_CONFIG ?? '{}'));
const ctx = await createContext(config, { log: silentLogger, classifier: testClassifierHolder() });
const handler = createTwitterPollHandler(config.sources.twitter, { authorKey: process.env.RADAR_TEST_AUTHOR_KEY ?? 'poll-child-author-key-0123456789abcdef' });
await syncPollSchedulers(ctx, [handler]);
startPollWorker(ctx, [handler]);
process.send?.('ready');
