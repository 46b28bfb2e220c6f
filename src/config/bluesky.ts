/**
 * The `bluesky` sources: a post search (`app.bsky.feed.searchPosts`, newest first) per entry, logged in
 * with an app password, polled on its own schedule. Parsed strictly here; `src/sources/bluesky/` turns
 * each entry into an @atproto/api agent and a poll handler.
 */
import { z } from 'zod';
import { sourceName, httpUrl, period, pagesPerPoll, languageCodes } from './source-fields.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { uniqueNames } from './unique-names.js';

const handle = z
  .string()
  .trim()
  .regex(/^@?([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$|^did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}$/, 'must be a handle (`brand.bsky.social`) or a DID')
  .transform((h) => h.replace(/^@/, '').toLowerCase());

export const blueskySourceSchema = z
  .object({
    name: sourceName(),
    service: httpUrl('The PDS (or entryway) to log in to and search through: `https://bsky.social` for accounts hosted by Bluesky (a local fake server in tests).').default('https://bsky.social'),
    identifier: handle.describe('The account that logs in: its handle (`brand.bsky.social`) or DID.'),
    appPassword: fromEnvironment(
      z.string().min(1, 'must not be empty (is BLUESKY_APP_PASSWORD set?)').describe('An app password of that account (Settings → Privacy and security → App passwords): `${BLUESKY_APP_PASSWORD}`. Never logged.'),
      'BLUESKY_APP_PASSWORD',
    ),
    query: z.string().trim().min(1).max(1000).describe('The search query (Lucene-like syntax), e.g. `"mail.ru" OR mailru`.'),
    pollInterval: period('60s', 'How often the search runs (one poll cluster-wide). Bluesky allows 3000 requests / 5 min per IP.'),
    lookback: duration().default('15m').describe('First poll only (no cursor yet): how far back to search.'),
    languages: languageCodes('Only posts in these languages (the post\'s `langs`; a post without one is kept). Default: all languages.'),
    ownAccounts: z.array(handle).default([]).describe('The service\'s own accounts (handles or DIDs): their posts are skipped.'),
    pageSize: z.number().int().min(1).max(100).default(100).describe('Posts per request (searchPosts allows at most 100).'),
    maxPagesPerPoll: pagesPerPoll('Pages per poll at most; the rest is read by the next polls (nothing is skipped).'),
    requestTimeout: period('30s', 'A request with no answer for this long fails and is retried with backoff.'),
  })
  .strict()
  .describe('One Bluesky post search, polled on a schedule.');

export const blueskySourcesSchema = z.array(blueskySourceSchema).default([]).superRefine(uniqueNames('source')).describe('Bluesky searches to poll.');

export type BlueskySourceInput = z.input<typeof blueskySourceSchema>;
export type BlueskySourceConfig = z.output<typeof blueskySourceSchema>;
