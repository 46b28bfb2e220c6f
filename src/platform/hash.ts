import { createHmac } from 'node:crypto';
import { RadarError } from './errors.js';

/**
 * A keyed hash of an identifier of a person (e-mail address, user id), so the store never keeps it in
 * clear: `<prefix>:<hex>`, HMAC-SHA256 under `key`. Stable for the same input and key, so "the same
 * author" can still be counted; without the key, guessing candidates does not reverse it. Every
 * source uses the one deployment key (`resolveAuthorKey` in config/credentials.ts); there is no default.
 *
 * @example keyedHash('mail', key, 'anna@example.com', 32) // 'mail:3f…'
 */
export function keyedHash(prefix: string, key: string, value: string, hexLength: number): string {
  if (key === '') throw new RadarError('ERR_CONFIG', 'the author hash key is empty', { context: { prefix } });
  return `${prefix}:${createHmac('sha256', key).update(value).digest('hex').slice(0, hexLength)}`;
}

/**
 * Authors given to the push API and contacts given to the report form: `h:` + 24 hex, keyed, of the
 * trimmed lower-cased value. Whatever comes from outside is hashed, also a value that already looks
 * hashed (`h:…`): a prefix proves nothing, and trusting it would store such a contact in clear.
 *
 * @example hashAuthor(key, 'Anna@Example.com') === hashAuthor(key, 'anna@example.com')
 */
export function hashAuthor(key: string, value: string): string {
  return keyedHash('h', key, value.trim().toLowerCase(), 24);
}
