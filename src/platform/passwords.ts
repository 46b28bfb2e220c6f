import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** scrypt on libuv's thread pool: a login never blocks the event loop (about 50 ms of CPU per call). */
function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function encode(salt: Buffer, hash: Buffer): string {
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * `scrypt$N$r$p$<salt b64>$<hash b64>`, synchronously: for the `radar hash-password` command and
 * start-up only. A running service verifies with `verifyPassword` (asynchronous).
 */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return encode(salt, scryptSync(password, salt, KEYLEN, { N, r: R, p: P }));
}

/** The same encoding as `hashPassword`, computed off the event loop. */
export async function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await scryptAsync(password, salt, KEYLEN, { N, r: R, p: P }));
}

/** Checks a password against an encoded hash, off the event loop; a malformed hash is false. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64');
  if (expected.length === 0) return false;
  let actual: Buffer;
  try {
    actual = await scryptAsync(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  } catch {
    return false; // parameters scrypt refuses (a hand-edited hash)
  }
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
