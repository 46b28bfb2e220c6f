/**
 * `radar sources test <name>` with app-store sources: the registry builds the real clients from the
 * service config, one poll reads the first page against the fakes (JWTs verified), nothing is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { configuredPolls } from '../../../src/sources/poll.js';
import { formatProbe, probeSource } from '../../../workers/source-probe.js';
import { FakeAppStoreConnect, FakeGooglePlay } from '../../helpers/fake-store-servers.js';
import { APP_ID, appReview, CLIENT_EMAIL, ecKeys, ISSUER, KEY_ID, PACKAGE, playReview, rsaKeys, serviceAccountJson } from './setup.js';

const log = pino({ level: 'silent' });
let play: FakeGooglePlay | undefined;
let apple: FakeAppStoreConnect | undefined;

afterEach(async () => {
  await play?.close();
  await apple?.close();
  play = apple = undefined;
});

describe('radar sources test (appstore)', () => {
  it('probes a Google Play and an App Store source through the registry', async () => {
    const rsa = rsaKeys();
    const ec = ecKeys();
    play = await FakeGooglePlay.start({ publicKey: rsa.publicKey, clientEmail: CLIENT_EMAIL, packageName: PACKAGE });
    apple = await FakeAppStoreConnect.start({ publicKey: ec.publicKey, issuerId: ISSUER, keyId: KEY_ID, appId: APP_ID });
    play.reviews = Array.from({ length: 3 }, (_, i) => playReview(`gp:${i}`, Date.now() - (i + 1) * 60_000));
    play.pageSize = 2;
    apple.reviews = [appReview('a1', Date.now() - 60_000)];
    const config = serviceConfigSchema.parse({
      sources: {
        appstore: [
          { store: 'google-play', name: 'play', packageName: PACKAGE, serviceAccountKey: serviceAccountJson(rsa.privatePem, play.tokenUri), apiBase: play.url },
          { store: 'app-store', name: 'ios', appId: APP_ID, issuerId: ISSUER, keyId: KEY_ID, privateKey: ec.privatePem, apiBase: apple.url },
        ],
      },
    });
    expect(configuredPolls(config.sources).filter((p) => p.kind === 'appstore').map((p) => [p.source, p.everyMs])).toEqual([['play', 900_000], ['ios', 900_000]]);

    const [p] = await probeSource(config, 'play', { log });
    expect(p).toMatchObject({ source: 'play', kind: 'appstore', outcome: 'ok', error: null });
    expect(p?.messages.map((m) => m.id)).toEqual(['appstore:play:gp:0', 'appstore:play:gp:1']); // the first page only
    expect(play.requests.filter((r) => r.path.endsWith('/reviews'))).toHaveLength(1);
    expect(formatProbe([p!])).toMatch(/^play \(appstore\): ok, 2 messages in the first batch; nothing stored/);

    const [i] = await probeSource(config, 'ios', { log });
    expect(i).toMatchObject({ outcome: 'ok', messages: [{ id: 'appstore:ios:a1', meta: { country: 'USA' } }] });

    const wrong = serviceConfigSchema.parse({ sources: { appstore: [{ store: 'app-store', name: 'ios', appId: APP_ID, issuerId: 'other-issuer', keyId: KEY_ID, privateKey: ec.privatePem, apiBase: apple.url }] } });
    const [denied] = await probeSource(wrong, 'ios', { log });
    expect(denied).toMatchObject({ outcome: 'auth', messages: [] });
    expect(formatProbe([denied!])).toMatch(/^ios \(appstore\): FAILED \(auth\)/);
  });
});
