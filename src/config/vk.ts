/**
 * The `vk` sources: VK (VKontakte) brand searches (`newsfeed.search`) and the brand community's wall
 * (`wall.get`) with its comments (`wall.getComments`), each entry polled on its own schedule with its
 * own access token. Parsed strictly here; `src/sources/vk/` turns each entry into a vk-io client and a
 * poll handler.
 */
import { z } from 'zod';
import { sourceName, httpUrl, period, pagesPerPoll } from './source-fields.js';
import { uniqueNames } from './unique-names.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';

/** `newsfeed.search` looks back at most this far; older posts are not searchable. */
export const VK_MAX_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

export const vkSourceSchema = z
  .object({
    name: sourceName(),
    token: fromEnvironment(
      z
        .string()
        .min(1, 'must not be empty (is VK_TOKEN set?)')
        .describe('VK access token (a service token of your VK app, or a user token); keep it in the environment: `${VK_TOKEN}`. Never logged.'),
      'VK_TOKEN',
    ),
    query: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(500, 'must be at most 500 characters')
      .optional()
      .describe('`newsfeed.search` query over public posts, e.g. `скаймейл не работает`. Default: no search.'),
    communityId: z
      .number()
      .int()
      .positive('must be the positive id of the community (club123 → 123)')
      .optional()
      .describe('The brand community (club<id>): its wall posts by others and the comments under its recent posts are read. Default: no wall.'),
    comments: z.boolean().default(true).describe('Read the comments under the community\'s most recent posts (needs communityId).'),
    commentPosts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('How many of the most recent wall posts have their comments read on every poll.'),
    ownIds: z
      .array(z.number().int())
      .default([])
      .describe('VK ids whose posts and comments are skipped (support staff; a community as -id). The community itself (-communityId) is always own.'),
    excludeReposts: z.boolean().default(true).describe('Skip reposts (`copy_history`): the words are someone else\'s.'),
    pollInterval: period('60s', 'How often the source is polled (one poll cluster-wide).'),
    lookback: duration()
      .default('15m')
      .refine((ms) => ms <= VK_MAX_LOOKBACK_MS, 'must be at most 7 days')
      .describe('First poll only (no cursor yet): how far back to search and read the wall.'),
    requestsPerSecond: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(3)
      .describe('Requests per second this token may make (VK: 3 for a user token, 20 for a community token); the client paces itself to it.'),
    maxPagesPerPoll: pagesPerPoll('Pages (of 200 search results, 100 wall posts or comments) fetched per poll and part at most; the rest follows in the next polls.'),
    apiBase: httpUrl('Replaces `https://api.vk.ru/method` (a proxy, or a local fake server in tests). Default: the real API.').optional(),
    requestTimeout: period('30s', 'A request with no answer for this long fails and is retried with backoff (also a request VK keeps refusing with error 6).'),
  })
  .strict()
  .refine((s) => s.query !== undefined || s.communityId !== undefined, { message: 'needs a query, a communityId or both', path: ['query'] })
  .describe('One VK source: a brand search, the brand community\'s wall, or both.');

export const vkSourcesSchema = z.array(vkSourceSchema).default([]).superRefine(uniqueNames('source')).describe('VK sources to poll.');

export type VkSourceInput = z.input<typeof vkSourceSchema>;
export type VkSourceConfig = z.output<typeof vkSourceSchema>;
