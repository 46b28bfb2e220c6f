import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordAsync, verifyPassword } from '../../../src/platform/passwords.js';

describe('passwords (scrypt)', () => {
  it('verifies what either hash function produced, and nothing else', async () => {
    const sync = hashPassword('correct horse');
    const async = await hashPasswordAsync('correct horse');
    expect(sync).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(async).not.toBe(sync); // a fresh salt each time
    expect(await verifyPassword('correct horse', sync)).toBe(true);
    expect(await verifyPassword('correct horse', async)).toBe(true);
    expect(await verifyPassword('correct horsE', async)).toBe(false);
  });

  it.each([
    ['not a hash', 'plain'],
    ['another scheme', 'bcrypt$1$2$3$4$5'],
    ['an empty hash part', 'scrypt$16384$8$1$AAAA$'],
    ['parameters scrypt refuses', 'scrypt$3$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
  ])('rejects %s', async (_name, encoded) => {
    expect(await verifyPassword('x', encoded)).toBe(false);
  });

  it('does not block the event loop: other callbacks run while a password is checked', async () => {
    const encoded = hashPassword('pw');
    let ran = false;
    const checking = verifyPassword('pw', encoded);
    setImmediate(() => {
      ran = true;
    });
    expect(await checking).toBe(true);
    // A synchronous scrypt would have finished (and resolved) before the immediate callback could run.
    expect(ran).toBe(true);
  });
});
