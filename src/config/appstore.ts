/**
 * The `appstore` sources: store reviews of one app each, either Google Play (Android Publisher reviews
 * API, service-account OAuth2) or the App Store (App Store Connect customer reviews, ES256 API key).
 * Parsed strictly here; `src/sources/appstore/` turns each entry into a client and a poll handler.
 *
 * A private key comes from the environment (`${VAR}`, the key's text) or from a file path, never from
 * the config file itself.
 */
import { z } from 'zod';
import { httpUrl, pagesPerPoll, period, sourceName } from './source-fields.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { uniqueNames } from './unique-names.js';

const common = {
  name: sourceName(),
  pollInterval: period('15m', 'How often the reviews are read (one poll cluster-wide). Reviews arrive slowly; both APIs have hourly/daily quotas.'),
  maxPagesPerPoll: pagesPerPoll('Pages fetched per poll at most; the rest follows in the next polls (nothing is skipped).'),
  requestTimeout: period('30s', 'A request with no answer for this long fails and is retried with backoff.'),
  lookback: duration()
    .default('7d')
    .describe('First poll only (no cursor yet): how far back to read reviews. Google Play returns only the last week anyway.'),
};

export const googlePlaySourceSchema = z
  .object({
    store: z.literal('google-play').describe('Google Play: the Android Publisher reviews API.'),
    ...common,
    packageName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'must be an Android package name such as com.example.mail')
      .describe('The app\'s package name, e.g. `com.example.mail`.'),
    serviceAccountKey: fromEnvironment(
      z
        .string()
        .min(1, 'must not be empty (is GOOGLE_PLAY_SERVICE_ACCOUNT_JSON set?)')
        .optional()
        .describe('The service account\'s JSON key (its whole text), from the environment: `${GOOGLE_PLAY_SERVICE_ACCOUNT_JSON}`. Or give serviceAccountKeyFile.'),
      'GOOGLE_PLAY_SERVICE_ACCOUNT_JSON',
    ),
    serviceAccountKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe('Path of the service account\'s JSON key file (readable by the service only). Or give serviceAccountKey.'),
    translationLanguage: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'must be a language code such as en or en-US')
      .optional()
      .describe('Ask Google to translate reviews into this language (`translationLanguage`); the original text is kept in meta. Default: no translation.'),
    apiBase: httpUrl('Replaces `https://androidpublisher.googleapis.com` (a proxy, or a local fake server in tests). Default: the real API.').optional(),
    tokenUri: httpUrl('Where the signed JWT is exchanged for an access token. Default: the key file\'s `token_uri` (`https://oauth2.googleapis.com/token`).').optional(),
  })
  .strict()
  .describe('Reviews of one Android app on Google Play.');

export const appStoreSourceSchema = z
  .object({
    store: z.literal('app-store').describe('The App Store: App Store Connect customer reviews.'),
    ...common,
    appId: z.string().regex(/^[0-9]{1,20}$/, 'must be the numeric Apple ID of the app').describe('The app\'s Apple ID (App Store Connect → App Information), e.g. `1234567890`.'),
    issuerId: z.string().min(1).max(100).describe('Issuer ID of the API keys (App Store Connect → Users and Access → Integrations).'),
    keyId: z.string().regex(/^[A-Za-z0-9]{1,40}$/, 'must be the key\'s id such as 2X9R4HXF34').describe('Key ID of the API key.'),
    privateKey: fromEnvironment(
      z
        .string()
        .min(1, 'must not be empty (is APP_STORE_CONNECT_KEY set?)')
        .optional()
        .describe('The .p8 private key (PEM text), from the environment: `${APP_STORE_CONNECT_KEY}`. Or give privateKeyFile.'),
      'APP_STORE_CONNECT_KEY',
    ),
    privateKeyFile: z.string().min(1).optional().describe('Path of the downloaded `AuthKey_<keyId>.p8` file. Or give privateKey.'),
    apiBase: httpUrl('Replaces `https://api.appstoreconnect.apple.com` (a proxy, or a local fake server in tests). Default: the real API.').optional(),
  })
  .strict()
  .describe('Customer reviews of one iOS/macOS app on the App Store.');

export const appStoreReviewSourceSchema = z
  .discriminatedUnion('store', [googlePlaySourceSchema, appStoreSourceSchema])
  .superRefine((c, ctx) => {
    // One key per source, from exactly one place.
    const [inline, file] = c.store === 'google-play' ? (['serviceAccountKey', 'serviceAccountKeyFile'] as const) : (['privateKey', 'privateKeyFile'] as const);
    const given = [(c as Record<string, unknown>)[inline], (c as Record<string, unknown>)[file]].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [inline], message: `give exactly one of ${inline} (from the environment) and ${file}` });
  })
  .describe('One app\'s store reviews, polled on a schedule (`store: google-play | app-store`).');

export const appStoreSourcesSchema = z
  .array(appStoreReviewSourceSchema)
  .default([])
  .superRefine(uniqueNames('source'))
  .describe('App-store reviews to poll (Google Play and the App Store).');

export type GooglePlaySourceConfig = z.output<typeof googlePlaySourceSchema>;
export type AppStoreSourceConfig = z.output<typeof appStoreSourceSchema>;
export type AppReviewSourceConfig = GooglePlaySourceConfig | AppStoreSourceConfig;
export type AppReviewSourceInput = z.input<typeof appStoreReviewSourceSchema>;
