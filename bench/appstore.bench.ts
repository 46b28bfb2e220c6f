/**
 * App-store source throughput, per store: N reviews served by the local fakes (Google Play pages of
 * 100 behind the JWT-bearer token endpoint, App Store Connect pages of 200 behind an ES256 JWT, both
 * verified by the fakes), fetched by the real clients through the poll handler, enqueued, then
 * classified (the real keyword classifier), stored and counted by the ingest worker. Prints messages/s
 * from the first page request to the last message stored, and the poll part alone (fetch + parse + enqueue).
 */
import type { BenchArgs } from './index.js';
import { appStoreReviewSourceSchema } from '../src/config/appstore.js';
import { createAppStorePollHandler } from '../src/sources/appstore/index.js';
import { FakeAppStoreConnect, FakeGooglePlay } from '../test/helpers/fake-store-servers.js';
import { APP_ID, appReview, CLIENT_EMAIL, ecKeys, ISSUER, KEY_ID, PACKAGE, playReview, rsaKeys, serviceAccountJson } from '../test/integration/appstore/setup.js';
import { benchPollContext, benchService, onBothDatabases, pageToStored, pageToStoredFigures, redisAnswers, type PageToStored } from './support.js';

const TEXTS = [
  'The app crashes every time I open an attachment since the last update',
  'Не приходят письма после обновления, уведомлений нет',
  'cannot log in, it says wrong password although it is right',
  'Приложение тормозит, список писем грузится минуту',
  'Works great, fast and clean',
  '',
];

async function once(store: 'google-play' | 'app-store', n: number, prefix: string, db: 'sqlite' | 'postgres'): Promise<PageToStored> {
  const service = await benchService(prefix, db);
  const { ctx } = service;
  const now = Date.now();
  const at = (i: number) => now - 6 * 86_400_000 + Math.floor((i * 5 * 86_400_000) / n);
  let close: () => Promise<void>;
  let config;
  if (store === 'google-play') {
    const keys = rsaKeys();
    const fake = await FakeGooglePlay.start({ publicKey: keys.publicKey, clientEmail: CLIENT_EMAIL, packageName: PACKAGE });
    fake.reviews = Array.from({ length: n }, (_, i) => playReview(`gp:${i}`, at(i), { text: `${TEXTS[i % TEXTS.length]}`, stars: 1 + (i % 5), version: `4.${10 + (i % 3)}.0` }));
    config = { store, name: 'bench', packageName: PACKAGE, serviceAccountKey: serviceAccountJson(keys.privatePem, fake.tokenUri), apiBase: fake.url, maxPagesPerPoll: 100 };
    close = () => fake.close();
  } else {
    const keys = ecKeys();
    const fake = await FakeAppStoreConnect.start({ publicKey: keys.publicKey, issuerId: ISSUER, keyId: KEY_ID, appId: APP_ID });
    fake.reviews = Array.from({ length: n }, (_, i) => appReview(`r${i}`, at(i), { title: 'Review', body: TEXTS[i % TEXTS.length] as string, rating: 1 + (i % 5) }));
    config = { store, name: 'bench', appId: APP_ID, issuerId: ISSUER, keyId: KEY_ID, privateKey: keys.privatePem, apiBase: fake.url, maxPagesPerPoll: 100 };
    close = () => fake.close();
  }
  try {
    const handler = createAppStorePollHandler([appStoreReviewSourceSchema.parse(config)], { authorKey: ctx.authorKey });
    const pollCtx = benchPollContext(ctx);
    return await pageToStored(ctx, n, () => handler.pollOnce({ source: 'bench' }, pollCtx));
  } finally {
    await close();
    await service.cleanup();
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  const n = args.quick ? 2_000 : 10_000;
  const id = `benchas${process.pid}`;
  for (const store of ['google-play', 'app-store'] as const) {
    await onBothDatabases(`${store.padEnd(11)} `, async (db) => pageToStoredFigures(n, 'reviews', await once(store, n, `${id}${store === 'google-play' ? 'g' : 'a'}${db === 'sqlite' ? 'sq' : 'pg'}`, db)));
  }
}
