/**
 * The `mastodon` sources: hashtag timelines, a status search and the brand account's mentions on one
 * Mastodon instance per entry, each polled on its own schedule. Parsed strictly here;
 * `src/sources/mastodon/` turns each entry into a masto client and a poll handler.
 */
import { z } from 'zod';
import { sourceName, httpUrl, period, pagesPerPoll, languageCodes } from './source-fields.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { uniqueNames } from './unique-names.js';

const acct = z
  .string()
  .trim()
  .regex(/^@?[A-Za-z0-9_]{1,30}(@[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?)?$/, 'must be an account as `user` or `user@instance`, with or without the leading @')
  .transform((a) => a.replace(/^@/, '').toLowerCase())
  .describe('An account: `user` (on this instance) or `user@instance`, with or without the leading @ (case-insensitive).');

export const mastodonSourceSchema = z
  .object({
    name: sourceName(),
    instance: httpUrl('Base URL of the instance, e.g. `https://mastodon.social` (a local fake server in tests). The host goes into message ids.'),
    accessToken: fromEnvironment(
      z.string().min(1, 'must not be empty (is MASTODON_ACCESS_TOKEN set?)').optional().describe('Access token of the brand account (scope `read`): `${MASTODON_ACCESS_TOKEN}`. Needed for `search` and `mentions`; hashtag timelines work without it. Never logged.'),
      'MASTODON_ACCESS_TOKEN',
    ),
    hashtags: z
      .array(z.string().trim().regex(/^#?[\p{L}\p{N}_]{1,100}$/u, 'must be a hashtag (letters, digits, _), with or without #').transform((t) => t.replace(/^#/, '').toLowerCase()))
      .default([])
      .describe('Hashtag timelines to read, e.g. `[mailru, почтамайл]` (`/api/v1/timelines/tag/:tag`).'),
    search: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe('A full-text status search (`/api/v2/search?type=statuses`); needs accessToken, and the instance must have full-text search enabled.'),
    mentions: z.boolean().default(false).describe('Read the mentions of the token\'s account (`/api/v1/notifications?types[]=mention`); needs accessToken.'),
    pollInterval: period('60s', 'How often the feeds are read (one poll cluster-wide). mastodon.social allows 300 requests / 5 min per token or IP.'),
    lookback: duration().default('15m').describe('First poll only (no cursor yet): how far back to read.'),
    languages: languageCodes('Only statuses in these languages (a status without a language is kept). Default: all languages.'),
    excludeBoosts: z.boolean().default(true).describe('Drop boosts (reblogs): the boosted status is its author\'s words, read where it was posted.'),
    ownAccounts: z.array(acct).default([]).describe('The service\'s own accounts: their statuses (announcements, support replies) are skipped.'),
    pageSize: z.number().int().min(1).max(40).default(40).describe('Statuses per request (Mastodon allows at most 40).'),
    maxPagesPerPoll: pagesPerPoll('Pages per feed per poll at most; the rest is read by the next polls (nothing is skipped).'),
    requestTimeout: period('30s', 'A request with no answer for this long fails and is retried with backoff.'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.hashtags.length === 0 && s.search === undefined && !s.mentions) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['hashtags'], message: 'nothing to read: set hashtags, search or mentions' });
    }
    if ((s.search !== undefined || s.mentions) && s.accessToken === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['accessToken'], message: 'search and mentions need an access token (`${MASTODON_ACCESS_TOKEN}`)' });
    }
  })
  .describe('One Mastodon instance: hashtag timelines, a search and mentions, polled on a schedule.');

export const mastodonSourcesSchema = z.array(mastodonSourceSchema).default([]).superRefine(uniqueNames('source')).describe('Mastodon instances to poll.');

export type MastodonSourceInput = z.input<typeof mastodonSourceSchema>;
export type MastodonSourceConfig = z.output<typeof mastodonSourceSchema>;
