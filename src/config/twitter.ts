/**
 * The `twitter` sources: any number of X (Twitter) v2 recent searches, each polled on its own
 * schedule with its own bearer token. Parsed strictly here; `src/sources/twitter/` turns each entry
 * into a client and a poll handler.
 */
import { z } from 'zod';
import { sourceName, httpUrl, period, pagesPerPoll, languageCodes } from './source-fields.js';
import { uniqueNames } from './unique-names.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';

/** X keeps recent search for 7 days; a look-back further than that is refused by the API. */
export const MAX_LOOKBACK_MS = 7 * 24 * 3600 * 1000 - 5 * 60 * 1000;

const username = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9_]{1,15}$/, 'must be an X username (letters, digits, _; at most 15), with or without @')
  .transform((u) => u.replace(/^@/, '').toLowerCase())
  .describe('An X username, with or without the leading @ (case-insensitive).');

export const twitterSourceSchema = z
  .object({
    name: sourceName(),
    query: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(4096, 'must be at most 4096 characters (512 on the Basic tier)')
      .describe(
        'X v2 search query, e.g. `"mail.ru" (не работает OR упала OR down) -is:retweet`. `-is:retweet` is appended when excludeRetweets is on and it is missing; `(lang:xx OR ...)` when languages is set.',
      ),
    bearerToken: fromEnvironment(
      z
        .string()
        .min(1, 'must not be empty (is TWITTER_BEARER_TOKEN set?)')
        .describe('App-only bearer token; keep it in the environment: `${TWITTER_BEARER_TOKEN}`. Never logged.'),
      'TWITTER_BEARER_TOKEN',
    ),
    pollInterval: period('60s', 'How often the search runs (one poll cluster-wide). Recent search allows 450 requests / 15 min per app (Basic: far fewer).'),
    languages: languageCodes('Only tweets in these languages (adds `(lang:en OR lang:ru)` to the query and drops others). Default: all languages.'),
    lookback: duration()
      .default('15m')
      .refine((ms) => ms <= MAX_LOOKBACK_MS, 'must be less than 7 days (X keeps recent search for 7 days)')
      .describe('First poll only (no cursor yet): how far back to search. Never the whole 7 days unless asked.'),
    excludeRetweets: z.boolean().default(true).describe('Drop retweets (quote tweets are kept: they carry the quoter\'s own words).'),
    ownAccounts: z
      .array(username)
      .default([])
      .describe('The service\'s own accounts (usernames): their tweets (announcements, support replies) are skipped.'),
    apiBase: httpUrl('Replaces `https://api.x.com` in every request (a proxy, or a local fake server in tests). Default: the real API.').optional(),
    maxPagesPerPoll: pagesPerPoll('Pages of 100 tweets fetched per poll at most; the rest is fetched by the next polls (nothing is skipped).'),
    requestTimeout: period('30s', 'A request with no answer for this long fails and is retried with backoff.'),
  })
  .strict()
  .describe('One X (Twitter) recent search, polled on a schedule.');

export const twitterSourcesSchema = z
  .array(twitterSourceSchema)
  .default([])
  .superRefine(uniqueNames('source'))
  .describe('X (Twitter) searches to poll.');

export type TwitterSourceInput = z.input<typeof twitterSourceSchema>;
export type TwitterSourceConfig = z.output<typeof twitterSourceSchema>;
