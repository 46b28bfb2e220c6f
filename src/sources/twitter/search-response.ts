/**
 * The shape of one page of `GET /2/tweets/search/recent`, checked before anything is used. A page
 * that does not match is an error of the whole poll (nothing is enqueued from it, the cursor stays);
 * a single tweet that does not match is dead-lettered and the others go on.
 */
import { z } from 'zod';
import { TWEET_ID } from './snowflake.js';

export const TWEET_FIELDS = ['id', 'text', 'created_at', 'lang', 'author_id', 'conversation_id', 'referenced_tweets'] as const;
export const USER_FIELDS = ['username'] as const;
export const EXPANSIONS = ['author_id'] as const;

const id = z.string().regex(TWEET_ID, 'must be a numeric id');

export const searchPageSchema = z
  .object({
    data: z.array(z.unknown()).optional().describe('Tweets, newest first; absent when nothing matched.'),
    includes: z
      .object({ users: z.array(z.unknown()).optional().describe('Authors of the tweets (expansion author_id).') })
      .passthrough()
      .optional()
      .describe('Expanded objects.'),
    meta: z
      .object({
        result_count: z.number().int().min(0).describe('Tweets on this page.'),
        newest_id: id.optional().describe('Newest tweet id on this page.'),
        oldest_id: id.optional().describe('Oldest tweet id on this page.'),
        next_token: z.string().min(1).optional().describe('Token of the next (older) page, absent on the last.'),
      })
      .passthrough()
      .describe('Paging information.'),
    errors: z.array(z.unknown()).optional().describe('Partial errors (e.g. an author that could not be expanded).'),
  })
  .passthrough();

export type SearchPage = z.infer<typeof searchPageSchema>;

export const tweetSchema = z
  .object({
    id: id.describe('Tweet id (snowflake).'),
    text: z.string().describe('Full text as X sends it (HTML entities escaped).'),
    created_at: z.string().datetime({ offset: true }).optional().catch(undefined).describe('When it was posted.'),
    lang: z.string().optional().catch(undefined).describe('BCP47 language X detected (`und` when unknown).'),
    author_id: id.optional().catch(undefined).describe('Author user id.'),
    conversation_id: id.optional().catch(undefined).describe('Id of the first tweet of the thread.'),
    referenced_tweets: z
      .array(z.object({ type: z.string(), id: z.string() }).passthrough())
      .optional()
      .catch(undefined)
      .describe('retweeted / quoted / replied_to.'),
  })
  .passthrough();

export type Tweet = z.infer<typeof tweetSchema>;

const userSchema = z.object({ id, username: z.string().min(1) }).passthrough();

/** Authors by id. The client concatenates `includes.users` across pages without de-duplicating; this keeps one per id. */
export function usersById(users: readonly unknown[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of users ?? []) {
    const user = userSchema.safeParse(raw);
    if (user.success && !out.has(user.data.id)) out.set(user.data.id, user.data.username);
  }
  return out;
}

/** A short description of what is wrong with a value that failed `schema` (first issue). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}
