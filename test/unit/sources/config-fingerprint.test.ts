import { describe, expect, it } from 'vitest';
import { imapSourceSchema } from '../../../src/config/imap.js';
import { twitterSourceSchema } from '../../../src/config/twitter.js';
import { configFingerprint } from '../../../src/sources/config-fingerprint.js';

const imap = (overrides: Record<string, unknown> = {}) =>
  imapSourceSchema.parse({ name: 'support', host: 'imap.example.com', user: 'support@example.com', password: 'hunter2-secret', ...overrides });

describe('configFingerprint', () => {
  it('is the same for the same entry, whatever the key order', () => {
    const a = imap();
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(configFingerprint('imap', imapSourceSchema, a)).toBe(configFingerprint('imap', imapSourceSchema, reordered));
    expect(configFingerprint('imap', imapSourceSchema, a)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes with the password, with any other field, and with the kind', () => {
    const base = configFingerprint('imap', imapSourceSchema, imap());
    expect(configFingerprint('imap', imapSourceSchema, imap({ password: 'hunter3-secret' }))).not.toBe(base);
    expect(configFingerprint('imap', imapSourceSchema, imap({ user: 'help@example.com' }))).not.toBe(base);
    expect(configFingerprint('imap', imapSourceSchema, imap({ mailboxes: ['INBOX', 'Spam'] }))).not.toBe(base);
    expect(configFingerprint('other', imapSourceSchema, imap())).not.toBe(base);
  });

  it('hashes a secret only through scrypt: the fingerprint is not the hash of the entry with the secret in clear', async () => {
    const { createHash } = await import('node:crypto');
    const entry = imap();
    const fingerprint = configFingerprint('imap', imapSourceSchema, entry);
    expect(fingerprint).not.toContain('hunter2');
    // Were the password hashed in clear (or left out), a changed password would not matter / be guessable from a fast hash.
    const keys = Object.keys(entry).sort();
    const clear = `{"entry":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(entry[k as keyof typeof entry])}`).join(',')}},"kind":"imap"}`;
    expect(fingerprint).not.toBe(`sha256:${createHash('sha256').update(clear).digest('hex')}`);
  });

  it('covers the bearer token of an X source', () => {
    const x = (bearerToken: string) => twitterSourceSchema.parse({ name: 'brand', query: 'mail down', bearerToken });
    expect(configFingerprint('twitter', twitterSourceSchema, x('TOKEN-A'))).not.toBe(configFingerprint('twitter', twitterSourceSchema, x('TOKEN-B')));
    expect(configFingerprint('twitter', twitterSourceSchema, x('TOKEN-A'))).toBe(configFingerprint('twitter', twitterSourceSchema, x('TOKEN-A')));
  });
});
