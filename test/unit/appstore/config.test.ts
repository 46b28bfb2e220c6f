import { describe, expect, it } from 'vitest';
import { appStoreSourcesSchema } from '../../../src/config/appstore.js';
import { parseConfigText } from '../../../src/config/load.js';

describe('appstore config', () => {
  it('reads both stores from YAML, keys from the environment, with the defaults', () => {
    const text = [
      '- store: google-play',
      '  name: play',
      '  packageName: com.example.mail',
      '  serviceAccountKey: ${GOOGLE_PLAY_SERVICE_ACCOUNT_JSON}',
      '- store: app-store',
      '  name: ios',
      '  appId: "1234567890"',
      '  issuerId: 57246542-96fe-1a63-e053-0824d011072a',
      '  keyId: 2X9R4HXF34',
      '  privateKey: ${APP_STORE_CONNECT_KEY}',
      '  pollInterval: 30m',
    ].join('\n');
    const [play, ios] = parseConfigText(text, 'radar.yaml', appStoreSourcesSchema, { GOOGLE_PLAY_SERVICE_ACCOUNT_JSON: '{"k":1}', APP_STORE_CONNECT_KEY: 'pem' });
    expect(play).toEqual({ store: 'google-play', name: 'play', packageName: 'com.example.mail', serviceAccountKey: '{"k":1}', pollInterval: 900_000, maxPagesPerPoll: 10, requestTimeout: 30_000, lookback: 604_800_000 });
    expect(ios).toMatchObject({ store: 'app-store', appId: '1234567890', privateKey: 'pem', pollInterval: 1_800_000 });
  });

  it.each([
    ['a key written in the file', '- {store: app-store, name: ios, appId: "1", issuerId: i, keyId: K1, privateKey: "-----BEGIN PRIVATE KEY-----"}', 'radar.yaml:1: [0].privateKey: a secret written in the file: set it in the environment and write ${APP_STORE_CONNECT_KEY} here'],
    ['no key at all', '- {store: app-store, name: ios, appId: "1", issuerId: i, keyId: K1}', 'radar.yaml:1: [0].privateKey: give exactly one of privateKey (from the environment) and privateKeyFile'],
    ['both a key and a key file', '- {store: google-play, name: p, packageName: com.x.y, serviceAccountKey: "${K}", serviceAccountKeyFile: /k.json}', 'radar.yaml:1: [0].serviceAccountKey: give exactly one of serviceAccountKey (from the environment) and serviceAccountKeyFile'],
    ['an unknown store', '- {store: huawei, name: h}', 'radar.yaml:1: [0].store: Invalid discriminator value. Expected \'google-play\' | \'app-store\''],
    ['a bad package name', '- {store: google-play, name: p, packageName: mail, serviceAccountKeyFile: /k.json}', 'radar.yaml:1: [0].packageName: must be an Android package name such as com.example.mail'],
    ['an app id that is not numeric', '- {store: app-store, name: ios, appId: com.x, issuerId: i, keyId: K1, privateKeyFile: /k.p8}', 'radar.yaml:1: [0].appId: must be the numeric Apple ID of the app'],
  ])('%s is refused with its place', (_name, text, message) => {
    let error: unknown;
    try {
      parseConfigText(text, 'radar.yaml', appStoreSourcesSchema, { K: 'x' });
    } catch (e) {
      error = e;
    }
    expect(String((error as Error | undefined)?.message)).toContain(message);
  });
});
