/** The Twitter/X source: config in `src/config/twitter.ts`, one poll handler serving every configured search. */
export { createTwitterPollHandler, searchParams, PAGE_SIZE, type TwitterHandlerDeps, type TwitterPollHandler, type TwitterPollResult } from './poll-handler.js';
export { createTwitterClient, requestPlugin, X_API_BASE } from './client.js';
export { mapTwitterError, toRateLimitInfo, TwitterApiError } from './errors.js';
export { buildQuery } from './query.js';
export { cleanTweetText } from './clean-text.js';
export { tweetToMessage, hashAuthor, type TweetOutcome } from './tweet-to-message.js';
export { parseCursor, searchWindow, nextCursor, type TwitterCursor, type SearchWindow } from './cursor.js';
