import { createHash } from 'node:crypto';

/**
 * Hashes an identifier of a person (e-mail address, user id) so the store never keeps it in clear.
 * Stable for the same input and salt, so "the same author" can still be counted.
 */
export function hashAuthor(value: string, salt = process.env.RADAR_AUTHOR_SALT ?? 'complaint-radar'): string {
  if (value.startsWith('h:')) return value;
  return `h:${createHash('sha256').update(salt).update('\u0000').update(value.trim().toLowerCase()).digest('hex').slice(0, 24)}`;
}
