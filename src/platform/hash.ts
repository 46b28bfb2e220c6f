import { createHmac } from 'node:crypto';

/**
 * A keyed hash of an identifier of a person (e-mail address, user id), so the store never keeps it in
 * clear: `<prefix>:<hex>`, HMAC-SHA256 under `key`. Stable for the same input and key, so "the same
 * author" can still be counted; without the key, guessing candidates does not reverse it.
 *
 * @example keyedHash('mail', salt, 'anna@example.com', 32) // 'mail:3f…'
 */
export function keyedHash(prefix: string, key: string, value: string, hexLength: number): string {
  return `${prefix}:${createHmac('sha256', key).update(value).digest('hex').slice(0, hexLength)}`;
}

/** Authors given to the push API and the report form: `h:` + 24 hex, keyed by RADAR_AUTHOR_SALT. */
export function hashAuthor(value: string, salt = process.env.RADAR_AUTHOR_SALT ?? 'complaint-radar'): string {
  if (value.startsWith('h:')) return value;
  return keyedHash('h', salt, value.trim().toLowerCase(), 24);
}
