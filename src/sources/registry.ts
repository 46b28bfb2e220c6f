/**
 * Every poll handler the service config asks for: one line per source kind. A new source kind adds its
 * config list to `sources` (src/config/service.ts), its kind to `POLL_KINDS` (poll.ts) and one line here;
 * the poll worker, the status API and `radar sources test` then know it.
 */
import type { ServiceConfig } from '../config/service.js';
import type { Metrics } from '../platform/metrics.js';
import type { PollHandler } from './poll.js';
import { createAppStorePollHandler } from './appstore/index.js';
import { createGraphitePollHandler } from './graphite/index.js';
import { createHelpdeskPollHandler } from './helpdesk/index.js';
import { createImapPollHandler, type SeenIds } from './imap/index.js';
import { createPrometheusPollHandler } from './prometheus/index.js';
import { createTwitterPollHandler } from './twitter/index.js';
import { createTelegramPollHandler } from './telegram/index.js';
import { createVkPollHandler } from './vk/index.js';
import { createMastodonPollHandler } from './mastodon/index.js';
import { createRedditPollHandler } from './reddit/index.js';
import { createBlueskyPollHandler } from './bluesky/index.js';

export interface PollHandlerDeps {
  /** The deployment's author key (`ServiceContext.authorKey`): authors are stored as keyed hashes. */
  readonly authorKey: string;
  /** IMAP Message-IDs already queued, per source (`redisSeenIds` in the service). */
  readonly seenIds: SeenIds;
  readonly metrics?: Pick<Metrics, 'rateLimitRemaining'>;
}

/** The handlers of every configured source kind (a kind with no configured source gets none). */
export function buildPollHandlers(config: Pick<ServiceConfig, 'sources' | 'series' | 'ingest'>, deps: PollHandlerDeps): PollHandler[] {
  const { twitter, imap, prometheus, graphite, helpdesk, appstore, vk, telegram } = config.sources;
  const seriesStep = config.series.step;
  const handlers: PollHandler[] = [];
  if (twitter.length > 0) handlers.push(createTwitterPollHandler(twitter, { authorKey: deps.authorKey, ...(deps.metrics ? { metrics: deps.metrics } : {}) }));
  if (imap.length > 0) handlers.push(createImapPollHandler(imap, { authorSalt: deps.authorKey, seenIds: deps.seenIds }));
  if (prometheus.length > 0) handlers.push(createPrometheusPollHandler(prometheus, { seriesStep }));
  if (graphite.length > 0) handlers.push(createGraphitePollHandler(graphite, { seriesStep }));
  if (helpdesk.some((s) => s.poll !== undefined)) handlers.push(createHelpdeskPollHandler(helpdesk, { authorKey: deps.authorKey, maxFutureSkewMs: config.ingest.maxFutureSkew }));
  if (appstore.length > 0) handlers.push(createAppStorePollHandler(appstore, { authorKey: deps.authorKey, ...(deps.metrics ? { metrics: deps.metrics } : {}) }));
  if (vk.length > 0) handlers.push(createVkPollHandler(vk, { authorKey: deps.authorKey }));
  if (telegram.length > 0) handlers.push(createTelegramPollHandler(telegram, { authorKey: deps.authorKey }));
  if (config.sources.mastodon.length > 0) handlers.push(createMastodonPollHandler(config.sources.mastodon, { authorKey: deps.authorKey, ...(deps.metrics ? { metrics: deps.metrics } : {}) }));
  if (config.sources.bluesky.length > 0) handlers.push(createBlueskyPollHandler(config.sources.bluesky, { authorKey: deps.authorKey, ...(deps.metrics ? { metrics: deps.metrics } : {}) }));
  if (config.sources.reddit.length > 0) handlers.push(createRedditPollHandler(config.sources.reddit, { authorKey: deps.authorKey, ...(deps.metrics ? { metrics: deps.metrics } : {}) }));
  return handlers;
}
