/**
 * The shapes of one page of reviews from each store, checked before anything is used. A page that
 * does not match is an error of the whole poll (nothing from it is enqueued, the cursor stays); one
 * review that does not match is dead-lettered and the others go on.
 */
import { z } from 'zod';
import type { RateLimitInfo } from '../source-state.js';

/** One page of either store: raw reviews (each checked on its own), and where the next page is. */
export interface ReviewsPage {
  readonly items: readonly unknown[];
  /** Google: the next page token; Apple: the `links.next` URL. Null on the last page. */
  readonly next: string | null;
  readonly rateLimit: RateLimitInfo | null;
}

/** A store's reviews, a page at a time. `ref` is null for the first (newest) page. */
export interface ReviewsClient {
  page(ref: string | null, signal?: AbortSignal): Promise<ReviewsPage>;
}

export const reviewsPageSchema = {
  /** `reviews.list` of the Android Publisher API v3. */
  googlePlay: z
    .object({
      reviews: z.array(z.unknown()).optional(),
      tokenPagination: z.object({ nextPageToken: z.string().min(1).optional() }).passthrough().optional(),
      pageInfo: z.unknown().optional(),
    })
    .passthrough(),
  /** `GET /v1/apps/{id}/customerReviews` of the App Store Connect API (JSON:API). */
  appStore: z
    .object({
      data: z.array(z.unknown()),
      links: z.object({ self: z.string().optional(), next: z.string().min(1).optional() }).passthrough().optional(),
      meta: z.unknown().optional(),
    })
    .passthrough(),
};

const int64 = z.union([z.number().int(), z.string().regex(/^-?\d{1,19}$/)]).transform(Number);

/** Google's `Timestamp` as JSON: `{seconds: "1700000000", nanos: 123}` (seconds is an int64 string). */
export const googleTimestamp = z
  .object({ seconds: int64, nanos: z.number().int().min(0).max(999_999_999).optional() })
  .passthrough()
  .transform((t) => t.seconds * 1000 + Math.floor((t.nanos ?? 0) / 1_000_000))
  .refine((ms) => Number.isFinite(ms) && ms > 0, 'must be a time after 1970');

export const REVIEW_ID = /^[A-Za-z0-9:_.\-]{1,200}$/;

export const googlePlayReviewSchema = z
  .object({
    reviewId: z.string().regex(REVIEW_ID, 'must be a review id'),
    authorName: z.string().optional().catch(undefined),
    comments: z
      .array(
        z
          .object({
            userComment: z
              .object({
                text: z.string().default(''),
                lastModified: googleTimestamp,
                starRating: z.number().int().min(1).max(5),
                reviewerLanguage: z.string().optional().catch(undefined),
                device: z.string().optional().catch(undefined),
                androidOsVersion: z.number().int().optional().catch(undefined),
                appVersionCode: z.number().int().optional().catch(undefined),
                appVersionName: z.string().optional().catch(undefined),
                originalText: z.string().optional().catch(undefined),
                thumbsUpCount: z.number().int().optional().catch(undefined),
                deviceMetadata: z
                  .object({
                    productName: z.string().optional(),
                    manufacturer: z.string().optional(),
                    deviceClass: z.string().optional(),
                    ramMb: z.number().optional(),
                  })
                  .passthrough()
                  .optional()
                  .catch(undefined),
              })
              .passthrough()
              .optional(),
            developerComment: z.unknown().optional(),
          })
          .passthrough(),
      )
      .min(1, 'must hold the user comment'),
  })
  .passthrough();

export const appStoreReviewSchema = z
  .object({
    type: z.literal('customerReviews'),
    id: z.string().regex(REVIEW_ID, 'must be a review id'),
    attributes: z
      .object({
        rating: z.number().int().min(1).max(5),
        title: z.string().nullable().optional(),
        body: z.string().nullable().optional(),
        reviewerNickname: z.string().nullable().optional().catch(undefined),
        createdDate: z.string().datetime({ offset: true }),
        territory: z.string().regex(/^[A-Z]{2,3}$/).nullable().optional().catch(undefined),
      })
      .passthrough(),
  })
  .passthrough();

/** A short description of what is wrong with a value that failed a schema (first issue). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
