import { describe, expect, it } from 'vitest';
import { isRadarError } from '../../../src/platform/errors.js';
import { hashAuthor, keyedHash } from '../../../src/platform/hash.js';

const KEY = 'unit-test-author-key-0123456789abcdef';

describe('hashAuthor', () => {
  it('is h: + 24 hex, stable, case- and space-insensitive', () => {
    expect(hashAuthor(KEY, 'anna@example.com')).toMatch(/^h:[0-9a-f]{24}$/);
    expect(hashAuthor(KEY, '  Anna@Example.COM ')).toBe(hashAuthor(KEY, 'anna@example.com'));
  });

  it.each(['h:0123456789abcdef01234567', 'h:anna@example.com', 'H:x', 'mail:0123', 'x:42'])('hashes %s like any other value (a prefix proves nothing)', (value) => {
    const hashed = hashAuthor(KEY, value);
    expect(hashed).not.toBe(value);
    expect(hashed).toBe(keyedHash('h', KEY, value.trim().toLowerCase(), 24));
  });

  it('depends on the key: another deployment cannot confirm an address by hashing it', () => {
    expect(hashAuthor(KEY, 'anna@example.com')).not.toBe(hashAuthor(`${KEY}x`, 'anna@example.com'));
  });

  it('refuses an empty key', () => {
    let error: unknown;
    try {
      keyedHash('h', '', 'anna', 24);
    } catch (e) {
      error = e;
    }
    expect(isRadarError(error, 'ERR_CONFIG')).toBe(true);
  });
});
