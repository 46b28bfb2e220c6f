/**
 * Shared pieces of the app-store source tests: keys made per run (the fakes verify signatures with
 * the public halves), the documented fixtures moved to "now" (Google serves only the last week),
 * sources pointed at the fakes, and a recording PollContext.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appStoreReviewSourceSchema, type AppReviewSourceConfig } from '../../../src/config/appstore.js';
import type { Message } from '../../../src/domain/message.js';
import type { PollContext } from '../../../src/sources/poll.js';
import type { ServiceContext } from '../../../workers/context.js';
import type { PlayReview } from '../../helpers/fake-store-servers.js';
import { pollContext } from '../twitter/setup.js';

export const TEST_AUTHOR_KEY = 'appstore-test-author-key-0123456789abcdef';
export const PACKAGE = 'com.example.mail';
export const CLIENT_EMAIL = 'radar-reviews@example-project.iam.gserviceaccount.com';
export const APP_ID = '1234567890';
export const ISSUER = '57246542-96fe-1a63-e053-0824d011072a';
export const KEY_ID = '2X9R4HXF34';

export interface RsaKeys {
  readonly publicKey: KeyObject;
  readonly privatePem: string;
}

export function rsaKeys(): RsaKeys {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export function ecKeys(): RsaKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { publicKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A service account JSON key as Google's console downloads it. */
export function serviceAccountJson(privatePem: string, tokenUri: string): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'example-project',
    private_key_id: 'a1b2c3d4e5f6',
    private_key: privatePem,
    client_email: CLIENT_EMAIL,
    client_id: '101234567890123456789',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  });
}

export function googlePlaySource(fake: { url: string; tokenUri: string }, privatePem: string, overrides: Record<string, unknown> = {}): AppReviewSourceConfig {
  return appStoreReviewSourceSchema.parse({
    store: 'google-play',
    name: 'play',
    packageName: PACKAGE,
    serviceAccountKey: serviceAccountJson(privatePem, fake.tokenUri),
    apiBase: fake.url,
    requestTimeout: '2s',
    ...overrides,
  });
}

export function appStoreSource(fakeUrl: string, privatePem: string, overrides: Record<string, unknown> = {}): AppReviewSourceConfig {
  return appStoreReviewSourceSchema.parse({
    store: 'app-store',
    name: 'ios',
    appId: APP_ID,
    issuerId: ISSUER,
    keyId: KEY_ID,
    privateKey: privatePem,
    apiBase: fakeUrl,
    requestTimeout: '2s',
    ...overrides,
  });
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/appstore/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** The documented Google Play page's reviews, the newest `minutesAgo` before `now`, spacing kept. */
export function playFixtureReviews(now: number, minutesAgo = 10): PlayReview[] {
  const reviews = fixture('google-play-reviews.json').reviews as PlayReview[];
  const times = reviews.map(playReviewTime);
  const shift = now - minutesAgo * 60_000 - Math.max(...times);
  return reviews.map((r) => withPlayTime(r, playReviewTime(r) + shift));
}

export function playReviewTime(review: PlayReview): number {
  const u = review.comments[0]?.userComment as { lastModified: { seconds: string; nanos?: number } };
  return Number(u.lastModified.seconds) * 1000 + Math.floor((u.lastModified.nanos ?? 0) / 1e6);
}

/** The same review with its user comment modified at `ms` (and other fields replaced). */
export function withPlayTime(review: PlayReview, ms: number, changes: Record<string, unknown> = {}): PlayReview {
  const [user, ...rest] = review.comments;
  const u = (user?.userComment ?? {}) as Record<string, unknown>;
  const lastModified = { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
  return { ...review, comments: [{ userComment: { ...u, ...changes, lastModified } }, ...rest] };
}

/** A Google Play review shaped like the documented ones. */
export function playReview(id: string, ms: number, options: { text?: string; stars?: number; version?: string } = {}): PlayReview {
  return withPlayTime(
    {
      reviewId: id,
      authorName: `user ${id}`,
      comments: [{ userComment: { text: `\t${options.text ?? 'mail does not load'}`, starRating: options.stars ?? 1, reviewerLanguage: 'en', device: 'oriole', androidOsVersion: 34, appVersionCode: 4120, appVersionName: options.version ?? '4.12.0', thumbsUpCount: 0, thumbsDownCount: 0 } }],
    },
    ms,
  );
}

export function appFixtureReviews(now: number, minutesAgo = 10): Array<Record<string, unknown>> {
  const reviews = fixture('app-store-customer-reviews.json').data as Array<{ attributes: { createdDate: string } }>;
  const times = reviews.map((r) => Date.parse(r.attributes.createdDate));
  const shift = now - minutesAgo * 60_000 - Math.max(...times);
  return reviews.map((r, i) => ({ ...r, attributes: { ...r.attributes, createdDate: new Date((times[i] as number) + shift).toISOString() } }));
}

/** An App Store `customerReviews` resource shaped like the documented ones. */
export function appReview(id: string, ms: number, options: { title?: string; body?: string; rating?: number; territory?: string } = {}): Record<string, unknown> {
  return {
    type: 'customerReviews',
    id,
    attributes: { rating: options.rating ?? 1, title: options.title ?? 'Broken', body: options.body ?? 'cannot log in', reviewerNickname: `nick${id}`, createdDate: new Date(ms).toISOString(), territory: options.territory ?? 'USA' },
    links: { self: `https://api.appstoreconnect.apple.com/v1/customerReviews/${id}` },
  };
}

/** The worker's PollContext, recording what each poll enqueued (in order, duplicates kept). */
export function recordingContext(ctx: ServiceContext, signal?: AbortSignal): PollContext & { enqueued: Message[] } {
  const base = pollContext(ctx, signal);
  const enqueued: Message[] = [];
  return {
    ...base,
    enqueued,
    enqueue: async (messages) => {
      enqueued.push(...messages);
      await base.enqueue(messages);
    },
  };
}
