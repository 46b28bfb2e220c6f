/** The Mastodon source: config in `src/config/mastodon.ts`, one poll handler serving every configured instance. */
export { createMastodonPollHandler, createMastodonClient, mastodonFeeds, mastodonIdFromTime, type MastodonHandlerDeps, type MastodonPollHandler, type MastodonPollResult } from './poll-handler.js';
export { mapMastodonError, mastodonRateLimit } from './errors.js';
export { statusToMessage, fullAcct } from './status-to-message.js';
export { htmlToText } from './html-text.js';
