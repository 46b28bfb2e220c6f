/**
 * `radar sources test <name>` for the Mastodon, Bluesky and Reddit sources: one real poll with the
 * real client against the fake server, the first batch only, nothing stored; a rejected credential says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { formatProbe, probeSource } from '../../../workers/source-probe.js';
import { FakeBluesky } from '../../helpers/fake-bluesky.js';
import { FakeMastodon } from '../../helpers/fake-mastodon.js';
import { FakeReddit } from '../../helpers/fake-reddit.js';
import { postsAt as skyPostsAt } from '../bluesky/setup.js';
import { statusesAt } from '../mastodon/setup.js';
import { postsAt as redditPostsAt } from '../reddit/setup.js';

const log = pino({ level: 'silent' });
let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('radar sources test (social sources)', () => {
  it('mastodon: the first page, nothing stored; a refused token is an auth failure', async () => {
    const fake = await FakeMastodon.start();
    close = () => fake.close();
    fake.add(...statusesAt(Date.now(), 5, 30));
    const config = (token: string) => serviceConfigSchema.parse({ sources: { mastodon: [{ name: 'fedi', instance: fake.url, accessToken: token, hashtags: ['mailru'], pageSize: 10 }] } });
    const [ok] = await probeSource(config('TEST'), 'fedi', { log });
    expect(ok).toMatchObject({ kind: 'mastodon', outcome: 'ok', error: null });
    expect(ok?.messages).toHaveLength(10);
    expect(ok?.messages[0]).toMatchObject({ channel: 'mastodon', source: 'fedi' });
    expect(fake.lists).toHaveLength(1);
    expect(formatProbe([ok!])).toMatch(/^fedi \(mastodon\): ok, 10 messages in the first batch; nothing stored/);
    const [bad] = await probeSource(config('WRONG'), 'fedi', { log });
    expect(bad).toMatchObject({ outcome: 'auth', messages: [] });
  });

  it('bluesky: the first page, nothing stored; a wrong app password is an auth failure', async () => {
    const fake = await FakeBluesky.start();
    close = () => fake.close();
    fake.add(...skyPostsAt(Date.now(), 5, 30));
    const config = (password: string) => serviceConfigSchema.parse({ sources: { bluesky: [{ name: 'sky', service: fake.url, identifier: 'brand.bsky.social', appPassword: password, query: 'mail', pageSize: 10 }] } });
    const [ok] = await probeSource(config('app-pass-word-test'), 'sky', { log });
    expect(ok).toMatchObject({ kind: 'bluesky', outcome: 'ok' });
    expect(ok?.messages).toHaveLength(10);
    expect(fake.searches).toHaveLength(1);
    const [bad] = await probeSource(config('nope'), 'sky', { log });
    expect(bad).toMatchObject({ outcome: 'auth', messages: [] });
    expect(bad?.error).toMatch(/rejected the login/);
  });

  it('reddit: the first page, nothing stored; a wrong secret is an auth failure', async () => {
    const fake = await FakeReddit.start();
    close = () => fake.close();
    fake.add(...redditPostsAt(Date.now(), 5, 30));
    const config = (secret: string) =>
      serviceConfigSchema.parse({ sources: { reddit: [{ name: 'rd', clientId: 'CLIENT', clientSecret: secret, userAgent: 'test:complaint-radar:1.0 (by /u/radar-tests)', subreddits: ['mailru'], apiBase: fake.url, authBase: fake.url, pageSize: 10 }] } });
    const [ok] = await probeSource(config('SECRET'), 'rd', { log });
    expect(ok).toMatchObject({ kind: 'reddit', outcome: 'ok' });
    expect(ok?.messages).toHaveLength(10);
    expect(fake.listings).toHaveLength(1);
    const [bad] = await probeSource(config('WRONG'), 'rd', { log });
    expect(bad).toMatchObject({ outcome: 'auth', messages: [] });
  });
});
