import { describe, expect, it } from 'vitest';
import { hashAuthor, tweetToMessage, type TweetContext } from '../../../src/sources/twitter/tweet-to-message.js';

const ctx: TweetContext = {
  source: 'brand',
  config: { excludeRetweets: true, ownAccounts: ['mailru_support'], languages: undefined },
  users: new Map([
    ['11', 'alice'],
    ['22', 'Mailru_Support'],
  ]),
  authorKey: 'k',
};

const base = { id: '1861000000000000001', text: '@mailru почта не работает https://t.co/x', created_at: '2026-11-26T12:00:00.000Z', lang: 'ru', author_id: '11', conversation_id: '1861000000000000001' };

describe('tweetToMessage', () => {
  it('makes a Message: id, cleaned text, raw text in meta, link, hashed author', () => {
    const out = tweetToMessage(base, ctx);
    expect(out).toEqual({
      kind: 'message',
      id: base.id,
      message: {
        id: `twitter:${base.id}`,
        channel: 'twitter',
        source: 'brand',
        author: hashAuthor('11', 'k'),
        text: 'почта не работает',
        lang: 'ru',
        createdAt: '2026-11-26T12:00:00.000Z',
        link: `https://x.com/alice/status/${base.id}`,
        meta: { tweetId: base.id, rawText: base.text, xLang: 'ru', conversationId: base.id },
      },
    });
    expect(hashAuthor('11', 'k')).not.toContain('11');
    expect(hashAuthor('11', 'k')).not.toBe(hashAuthor('11', 'other key'));
  });

  it.each([
    ['a retweet is skipped', { ...base, referenced_tweets: [{ type: 'retweeted', id: '5' }] }, { kind: 'skipped', reason: 'retweet' }],
    ['the own account is skipped (any case)', { ...base, author_id: '22' }, { kind: 'skipped', reason: 'own-account' }],
    ['a quote tweet is kept', { ...base, referenced_tweets: [{ type: 'quoted', id: '5' }] }, { kind: 'message' }],
    ['a reply is kept', { ...base, referenced_tweets: [{ type: 'replied_to', id: '6' }] }, { kind: 'message' }],
    ['missing text is malformed', { id: base.id }, { kind: 'malformed', id: base.id }],
    ['missing id is malformed', { text: 'hi' }, { kind: 'malformed', id: null }],
    ['a non-numeric id is malformed', { id: 'x1', text: 'hi' }, { kind: 'malformed', id: null }],
    ['not an object is malformed', 'oops', { kind: 'malformed', id: null }],
  ])('%s', (_name, tweet, expected) => {
    expect(tweetToMessage(tweet, ctx)).toMatchObject(expected);
  });

  it('keeps retweets when asked', () => {
    const out = tweetToMessage({ ...base, referenced_tweets: [{ type: 'retweeted', id: '5' }] }, { ...ctx, config: { ...ctx.config, excludeRetweets: false } });
    expect(out.kind).toBe('message');
  });

  it.each([
    ['en', ['en'], 'message'],
    ['ru', ['en'], 'skipped'],
    ['und', ['en'], 'message'],
    ['en-GB', ['en'], 'message'],
  ])('lang %s with languages %j → %s', (lang, languages, kind) => {
    expect(tweetToMessage({ ...base, lang }, { ...ctx, config: { ...ctx.config, languages } }).kind).toBe(kind);
  });

  it('falls back when optional fields are missing or odd', () => {
    const out = tweetToMessage({ id: '1861000000000000001', text: 'hi', lang: 'de', created_at: 'yesterday' }, ctx);
    expect(out.kind).toBe('message');
    if (out.kind !== 'message') return;
    expect(out.message.lang).toBeNull();
    expect(out.message.author).toBeNull();
    expect(out.message.link).toBe('https://x.com/i/web/status/1861000000000000001');
    expect(out.message.createdAt).toMatch(/^20\d\d-\d\d-\d\dT/); // from the snowflake id
    expect(out.message.meta?.quotedTweetId).toBeUndefined();
  });
});
