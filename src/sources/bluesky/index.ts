/** The Bluesky source: config in `src/config/bluesky.ts`, one poll handler serving every configured search. */
export { createBlueskyPollHandler, type BlueskyHandlerDeps, type BlueskyPollHandler, type BlueskyPollResult } from './poll-handler.js';
export { createBlueskyClient } from './client.js';
export { mapBlueskyError, blueskyRateLimit } from './errors.js';
export { postToMessage, sortAt } from './post-to-message.js';
export { parseBlueskyCursor, nextBlueskyCursor, blueskyWindow, type BlueskyCursor } from './cursor.js';
