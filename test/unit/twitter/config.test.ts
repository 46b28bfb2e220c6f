import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { twitterSourceSchema, twitterSourcesSchema } from '../../../src/config/twitter.js';

describe('twitter source config', () => {
  it('fills the defaults', () => {
    expect(twitterSourceSchema.parse({ name: 'brand', query: 'mail down', bearerToken: 't' })).toEqual({
      name: 'brand',
      query: 'mail down',
      bearerToken: 't',
      pollInterval: 60_000,
      lookback: 15 * 60_000,
      excludeRetweets: true,
      ownAccounts: [],
      maxPagesPerPoll: 10,
      requestTimeout: 30_000,
    });
  });

  it('reads YAML with the token from the environment', () => {
    const text = [
      '- name: brand',
      '  query: \'"mail.ru" (не работает OR упала OR down) -is:retweet\'',
      '  bearerToken: ${TWITTER_BEARER_TOKEN}',
      '  pollInterval: 2m',
      '  languages: [ru, en]',
      '  ownAccounts: ["@MailRu_Support"]',
      '  apiBase: http://127.0.0.1:9999/',
    ].join('\n');
    const [source] = parseConfigText(text, 'twitter.yaml', twitterSourcesSchema, { TWITTER_BEARER_TOKEN: 'secret' });
    expect(source).toMatchObject({ bearerToken: 'secret', pollInterval: 120_000, languages: ['ru', 'en'], ownAccounts: ['mailru_support'], apiBase: 'http://127.0.0.1:9999' });
  });

  it.each([
    [[{ name: 'a b', query: 'q', bearerToken: 't' }], '0.name'],
    [[{ name: 'a', query: '', bearerToken: 't' }], '0.query'],
    [[{ name: 'a', query: 'q', bearerToken: 't', lookback: '8d' }], '0.lookback'],
    [[{ name: 'a', query: 'q', bearerToken: 't', pollInterval: 'soon' }], '0.pollInterval'],
    [[{ name: 'a', query: 'q', bearerToken: 't', languages: ['english'] }], '0.languages.0'],
    [[{ name: 'a', query: 'q', bearerToken: 't', apiBase: 'ftp://x' }], '0.apiBase'],
    [[{ name: 'a', query: 'q', bearerToken: 't', extra: 1 }], '0'],
    [[{ name: 'a', query: 'q', bearerToken: 't' }, { name: 'a', query: 'r', bearerToken: 't' }], '1.name'],
  ])('rejects %j at %s', (input, path) => {
    const result = twitterSourcesSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
