import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import { timeInput } from '../schemas.js';

const versionsQuery = z
  .object({
    window: z.string().max(10).default('7d').describe('How far back from `to` (a duration up to 31d).'),
    to: timeInput.optional().describe('End of the window (default: now).'),
    source: z.string().max(200).optional().describe('Only this app-store source.'),
  })
  .strict();

export function registerAppReviewRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /**
   * Store reviews per app version in the window: `{from, to, items: [{appVersion, reviews, lowRating,
   * lowRatingShare, meanRating}]}`, most reviewed first (at most 30). `appVersion` null collects the
   * reviews whose store gives no version (the App Store).
   */
  app.get('/api/reviews/versions', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(versionsQuery, request.query, 'query');
    const window = parseDuration(q.window);
    if (window === null || window <= 0 || window > 31 * 86_400_000) throw new HttpError(400, 'ERR_VALIDATION', `query.window: "${q.window}" is not a duration up to 31d`, 'query.window');
    const to = q.to ?? deps.clock.now();
    const from = to - window;
    const rows = await deps.store.messages.reviewsByVersion({ from, to, ...(q.source === undefined ? {} : { source: q.source }) });
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      items: rows.map((r) => ({ ...r, lowRatingShare: r.reviews === 0 ? 0 : Math.round((r.lowRating / r.reviews) * 1000) / 1000 })),
    };
  });
}
