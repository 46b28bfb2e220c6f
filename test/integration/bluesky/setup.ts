/** Shared pieces of the Bluesky source tests: sources pointed at the fake PDS, posts at given times. */
import { blueskySourceSchema, type BlueskySourceConfig, type BlueskySourceInput } from '../../../src/config/bluesky.js';
import { postUri, type FakePost } from '../../helpers/fake-bluesky.js';

export { enqueuedIds, pollContext, TEST_AUTHOR_KEY } from '../twitter/setup.js';

export function blueskySource(url: string, overrides: Partial<BlueskySourceInput> = {}): BlueskySourceConfig {
  return blueskySourceSchema.parse({ name: 'sky', service: url, identifier: 'brand.bsky.social', appPassword: 'app-pass-word-test', query: 'mail', requestTimeout: '2s', ...overrides });
}

/** `n` posts mentioning mail, `minutesAgo` old, 1 s apart, newest last. */
export function postsAt(now: number, minutesAgo: number, n: number, options: { text?: string; seq?: string } = {}): FakePost[] {
  return Array.from({ length: n }, (_, i) => ({
    rkey: `3k${options.seq ?? 'a'}${String(i).padStart(4, '0')}${(now - minutesAgo * 60_000).toString(36)}`,
    did: i % 2 === 0 ? 'did:plc:alice000000000000000000' : 'did:plc:bob00000000000000000000',
    handle: i % 2 === 0 ? 'alice.bsky.social' : 'bob.example.com',
    text: `${options.text ?? 'cannot login to mail'} ${i} @mailru.bsky.social https://bsky.app/x`,
    indexedAt: now - minutesAgo * 60_000 + i * 1000,
    langs: ['en'],
  }));
}

export const blueskyIds = (posts: readonly FakePost[]) => posts.map((p) => `bluesky:${postUri(p)}`).sort();
