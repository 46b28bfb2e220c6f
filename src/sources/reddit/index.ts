/** The Reddit source: config in `src/config/reddit.ts`, one poll handler serving every configured app. */
export { createRedditPollHandler, redditFeeds, type RedditHandlerDeps, type RedditPollHandler, type RedditPollResult } from './poll-handler.js';
export { RedditClient, redditRateLimit } from './client.js';
export { childToMessage, idToDecimal, decimalToId } from './item-to-message.js';
