/** Pieces shared by the Mastodon, Bluesky and Reddit sources. */
export { cleanSocialText, emptyCounts, headerNumber, languageAllowed, messageLang, refuseWhileQuotaSpent, storeOutcomes, type ItemOutcome, type PageCounts } from './page.js';
export { firstProblem, SocialApiError } from './errors.js';
