/** App-store reviews (Google Play, App Store): config in `src/config/appstore.ts`, one poll handler for every configured app. */
export { createAppStorePollHandler, defaultReviewsClient, type AppStoreHandlerDeps, type AppStorePollHandler, type AppStorePollResult } from './poll-handler.js';
export { createGooglePlayClient, GOOGLE_PLAY_API_BASE, ANDROID_PUBLISHER_SCOPE, GOOGLE_PLAY_PAGE_SIZE } from './google-play-client.js';
export { createAppStoreClient, APP_STORE_API_BASE, APP_STORE_PAGE_SIZE, APP_STORE_TOKEN_TTL_S } from './app-store-client.js';
export { AppStoreApiError, retryAfter, appleRateLimit, DEFAULT_RATE_LIMIT_WAIT_MS } from './errors.js';
export { googlePlayReviewToMessage, appStoreReviewToMessage, splitGoogleText, type ReviewMeta, type ReviewOutcome } from './review-to-message.js';
export { parseReviewCursor, nextReviewCursor, startCursor, covered, type ReviewCursor, type Instant } from './cursor.js';
export { signJwt, parsePrivateKey, base64url } from './jwt.js';
export type { ReviewsClient, ReviewsPage } from './reviews-page.js';
