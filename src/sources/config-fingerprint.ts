/**
 * The fingerprint of one source's config entry: what a stop on a rejected credential remembers, so a
 * restart with the same entry keeps the source stopped (no repeated failed logins) while a changed entry
 * (a new password in the environment, another host or user) un-stops it.
 *
 * The entry is hashed as loaded, secrets resolved. A secret field (one the schema marks with
 * `fromEnvironment`) enters only as a salted scrypt hash, never as its value: the fingerprint lands in
 * the database, which more people can read than the environment, and a password may be short enough
 * to guess from a fast hash.
 */
import { createHash, scryptSync } from 'node:crypto';
import type { ZodTypeAny } from 'zod';
import { secretValues } from '../config/secret.js';

/** scrypt cost of one secret (2^14: tens of milliseconds, once per source per process start). */
const SCRYPT_COST = 1 << 14;

/** JSON with object keys sorted at every level, so the same entry always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Sets the value at `path` inside a deep copy; `path` comes from `secretValues`, so every step exists. */
function replaceAt(root: unknown, path: ReadonlyArray<string | number>, value: string): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((item, i) => (i === head ? replaceAt(item, rest, value) : item));
  if (root !== null && typeof root === 'object') {
    const obj = root as Record<string, unknown>;
    return { ...obj, [String(head)]: replaceAt(obj[String(head)], rest, value) };
  }
  return root;
}

/**
 * `sha256:<hex>` of the entry (`kind` and `name` included), each secret replaced by
 * `scrypt:<hex>` salted with the kind and source name. `schema` is the entry's schema (it says which
 * fields are secrets).
 *
 * @example configFingerprint('imap', imapSourceSchema, config.sources.imap[0])
 */
export function configFingerprint(kind: string, schema: ZodTypeAny, entry: { readonly name: string }): string {
  let masked: unknown = entry;
  for (const secret of secretValues(schema, entry)) {
    const text = typeof secret.value === 'string' ? secret.value : canonical(secret.value);
    const hashed = scryptSync(text, `complaint-radar:source-fingerprint:${kind}:${entry.name}`, 32, { N: SCRYPT_COST, r: 8, p: 1 }).toString('hex');
    masked = replaceAt(masked, secret.path, `scrypt:${hashed}`);
  }
  return `sha256:${createHash('sha256').update(canonical({ kind, entry: masked })).digest('hex')}`;
}
