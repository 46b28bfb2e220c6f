/**
 * The shapes of VK answers, checked before anything is used. A response that does not match is an
 * error of the whole poll (nothing from it is enqueued, the cursor stays); a single post or comment
 * that does not match is dead-lettered and the others go on.
 */
import { z } from 'zod';

export const searchPageSchema = z
  .object({
    items: z.array(z.unknown()).describe('Posts, newest first.'),
    count: z.number().int().optional(),
    total_count: z.number().int().optional(),
    next_from: z.string().optional().describe('Where the next (older) page starts; absent or empty on the last.'),
  })
  .passthrough();

export const listPageSchema = z
  .object({
    count: z.number().int().min(0).describe('Items in the whole list.'),
    items: z.array(z.unknown()).describe('Items, newest first (as asked).'),
  })
  .passthrough();

const vkId = z.number().int();

export const postSchema = z
  .object({
    id: vkId.positive(),
    owner_id: vkId,
    from_id: vkId,
    date: z.number().int().positive().describe('Unix seconds.'),
    text: z.string(),
    post_type: z.string().optional().catch(undefined),
    copy_history: z.array(z.unknown()).optional().catch(undefined),
    is_pinned: z.union([z.literal(0), z.literal(1), z.boolean()]).optional().catch(undefined),
    marked_as_ads: z.union([z.literal(0), z.literal(1), z.boolean()]).optional().catch(undefined),
  })
  .passthrough();
export type VkPost = z.infer<typeof postSchema>;

export const commentSchema = z
  .object({
    id: vkId.positive(),
    from_id: vkId,
    date: z.number().int().positive(),
    text: z.string(),
    post_id: vkId.optional().catch(undefined),
    owner_id: vkId.optional().catch(undefined),
    reply_to_comment: vkId.optional().catch(undefined),
    thread: z.object({ items: z.array(z.unknown()).optional() }).passthrough().optional().catch(undefined),
  })
  .passthrough();
export type VkComment = z.infer<typeof commentSchema>;

export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/** The numeric `id` of a raw item that failed its schema, when it has one (for the dead letter). */
export function rawId(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}
