/**
 * The `reddit` sources: subreddit `new` listings (posts, optionally comments) and a search, read through
 * Reddit's OAuth API with an application-only token, one entry per app. Parsed strictly here;
 * `src/sources/reddit/` turns each entry into a poll handler.
 */
import { z } from 'zod';
import { httpUrl, sourceName, period, pagesPerPoll, languageCodes } from './source-fields.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { uniqueNames } from './unique-names.js';

export const redditSourceSchema = z
  .object({
    name: sourceName(),
    clientId: fromEnvironment(
      z.string().min(1, 'must not be empty (is REDDIT_CLIENT_ID set?)').describe('The app\'s client id (under the app name on reddit.com/prefs/apps): `${REDDIT_CLIENT_ID}`.'),
      'REDDIT_CLIENT_ID',
    ),
    clientSecret: fromEnvironment(
      z.string().min(1, 'must not be empty (is REDDIT_CLIENT_SECRET set?)').describe('The app\'s secret: `${REDDIT_CLIENT_SECRET}`. Never logged.'),
      'REDDIT_CLIENT_SECRET',
    ),
    userAgent: z
      .string()
      .trim()
      .min(10)
      .max(300)
      .refine((ua) => !/^(python|curl|node|undici|axios|mozilla)/i.test(ua), 'must describe this app (Reddit blocks generic user agents), e.g. `server:complaint-radar:1.0 (by /u/yourname)`')
      .describe('User-Agent of every request; Reddit requires a descriptive one: `<platform>:<app id>:<version> (by /u/<reddit username>)`.'),
    subreddits: z
      .array(z.string().trim().regex(/^(r\/)?[A-Za-z0-9_]{2,21}$/, 'must be a subreddit name, with or without r/').transform((s) => s.replace(/^r\//, '')))
      .default([])
      .describe('Subreddits whose new posts are read (`/r/<name>/new`).'),
    comments: z.boolean().default(false).describe('Also read the new comments of those subreddits (`/r/<name>/comments`).'),
    search: z.string().trim().min(1).max(512).optional().describe('A site-wide search, newest first (`/search?sort=new`), e.g. `"mail.ru" OR mailru`.'),
    pollInterval: period('60s', 'How often the feeds are read (one poll cluster-wide). Reddit allows 100 requests a minute per OAuth client (averaged over 10 minutes).'),
    lookback: duration().default('15m').describe('First poll only (no cursor yet): how far back to read.'),
    languages: languageCodes('Only posts whose detected language is one of these (Reddit gives none). Default: all.'),
    ownAccounts: z
      .array(z.string().trim().regex(/^(\/?u\/)?[A-Za-z0-9_-]{3,20}$/, 'must be a Reddit username, with or without u/').transform((u) => u.replace(/^\/?u\//, '').toLowerCase()))
      .default([])
      .describe('The service\'s own accounts: their posts and comments are skipped.'),
    pageSize: z.number().int().min(1).max(100).default(100).describe('Items per request (Reddit allows at most 100).'),
    maxPagesPerPoll: pagesPerPoll('Pages per feed per poll at most; the rest is read by the next polls (nothing is skipped). A listing goes back about 1000 items.', { max: 10, defaultValue: 5 }),
    apiBase: httpUrl('The OAuth API, `https://oauth.reddit.com` (a local fake server in tests).').default('https://oauth.reddit.com'),
    authBase: httpUrl('Where tokens come from (`<authBase>/api/v1/access_token`): `https://www.reddit.com`.').default('https://www.reddit.com'),
    requestTimeout: period('30s', 'A request with no answer for this long fails and is retried with backoff.'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.subreddits.length === 0 && s.search === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['subreddits'], message: 'nothing to read: set subreddits or search' });
    if (s.comments && s.subreddits.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['comments'], message: 'comments are read per subreddit: set subreddits' });
  })
  .describe('One Reddit app reading subreddits and a search, polled on a schedule.');

export const redditSourcesSchema = z.array(redditSourceSchema).default([]).superRefine(uniqueNames('source')).describe('Reddit subreddits and searches to poll.');

export type RedditSourceInput = z.input<typeof redditSourceSchema>;
export type RedditSourceConfig = z.output<typeof redditSourceSchema>;
