/** Shared pieces of the Mastodon source tests: sources pointed at the fake instance, statuses at given times. */
import { mastodonSourceSchema, type MastodonSourceConfig, type MastodonSourceInput } from '../../../src/config/mastodon.js';
import { mastodonIdAt, type FakeStatus } from '../../helpers/fake-mastodon.js';

export { enqueuedIds, pollContext, TEST_AUTHOR_KEY } from '../twitter/setup.js';

export function mastodonSource(url: string, overrides: Partial<MastodonSourceInput> = {}): MastodonSourceConfig {
  return mastodonSourceSchema.parse({ name: 'fedi', instance: url, accessToken: 'TEST', hashtags: ['mailru'], requestTimeout: '2s', ...overrides });
}

/** `n` statuses tagged #mailru, `minutesAgo` old, 1 s apart, newest last. */
export function statusesAt(now: number, minutesAgo: number, n: number, options: { text?: string; seq?: number; extra?: Partial<FakeStatus> } = {}): FakeStatus[] {
  return Array.from({ length: n }, (_, i) => {
    const at = now - minutesAgo * 60_000 + i * 1000;
    return {
      id: mastodonIdAt(at, options.seq ?? 0),
      content: `<p>${options.text ?? 'cannot login to mail'} ${i} <a href="https://example.org/tags/mailru" class="mention hashtag">#<span>mailru</span></a></p>`,
      acct: i % 2 === 0 ? 'alice' : 'bob@other.example',
      tags: ['mailru'],
      ...options.extra,
    };
  });
}

export const mastodonIds = (host: string, statuses: readonly FakeStatus[]) => statuses.map((s) => `mastodon:${host}:${s.id}`).sort();
