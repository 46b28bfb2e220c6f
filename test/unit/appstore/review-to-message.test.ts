import { describe, expect, it } from 'vitest';
import { countIncrements } from '../../../src/series/counts.js';
import { appStoreReviewToMessage, googlePlayReviewToMessage, splitGoogleText, type ReviewOutcome } from '../../../src/sources/appstore/review-to-message.js';

const ctx = { source: 'play', authorKey: 'k'.repeat(32), packageName: 'com.example.mail' };
const play = (text: string, starRating: number) => ({ reviewId: 'gp:1', authorName: 'Jane', comments: [{ userComment: { text, starRating, lastModified: { seconds: '1700000000', nanos: 5_000_000 }, appVersionName: '4.12.0' } }] });

describe('store review → message', () => {
  it.each([
    ['\tbody only', { title: null, body: 'body only' }],
    ['Title\tbody', { title: 'Title', body: 'body' }],
    ['\t', { title: null, body: '' }],
    ['no tab', { title: null, body: 'no tab' }],
  ])('splits Google text %j', (text, expected) => {
    expect(splitGoogleText(text)).toEqual(expected);
  });

  it('keeps a bare rating as an empty message, timed by lastModified', () => {
    const out = googlePlayReviewToMessage(play('\t', 1), ctx);
    expect(out).toMatchObject({ kind: 'message', t: 1_700_000_000_005, message: { text: '', createdAt: '2023-11-14T22:13:20.005Z', meta: { rating: 1, appVersion: '4.12.0', country: null } } });
  });

  it.each([
    [{ reviewId: 'gp:1', comments: [] }, 'malformed Google Play review: comments: must hold the user comment'],
    [{ reviewId: 'gp:1', comments: [{ developerComment: { text: 'hi' } }] }, 'malformed Google Play review: comments: no userComment'],
    [{ reviewId: 'bad id!', comments: [] }, 'malformed Google Play review: reviewId: must be a review id'],
  ])('dead-letters %j', (raw, reason) => {
    expect(googlePlayReviewToMessage(raw, ctx)).toMatchObject({ kind: 'malformed', reason });
  });

  it('App Store: title and body, territory as country, no version', () => {
    const out = appStoreReviewToMessage({ type: 'customerReviews', id: 'r1', attributes: { rating: 2, title: 'T', body: 'B', createdDate: '2024-01-01T00:00:00-08:00', territory: 'USA' } }, ctx);
    expect(out).toMatchObject({ kind: 'message', message: { id: 'appstore:play:r1', text: 'T\nB', createdAt: '2024-01-01T08:00:00.000Z', meta: { rating: 2, country: 'USA', appVersion: null } } });
  });

  it('1–2 star reviews count in messages.appstore.low_rating whatever the classifier says; others do not', () => {
    const step = 60_000;
    const msg = (stars: number) => (googlePlayReviewToMessage(play('\tok', stars), ctx) as Extract<ReviewOutcome, { kind: 'message' }>).message;
    const notComplaint = { complaint: false, score: 0, categories: [], lang: null };
    const keys = countIncrements([1, 2, 3, 5].map((s) => ({ message: msg(s), classification: notComplaint })), step);
    expect(keys.find((k) => k.key === 'messages.appstore.low_rating')?.v).toBe(2);
    expect(keys.find((k) => k.key === 'messages.channel.appstore')?.v).toBe(4);
    // Another channel with a `rating` in its meta does not count.
    const api = { id: 'api:1', channel: 'api' as const, source: 'api', author: null, text: '', lang: null, createdAt: new Date(0).toISOString(), link: null, meta: { rating: 1 } };
    expect(countIncrements([{ message: api, classification: notComplaint }], step).some((k) => k.key === 'messages.appstore.low_rating')).toBe(false);
  });
});
