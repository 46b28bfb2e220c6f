/**
 * Signature checks of help-desk webhooks: HMACs compared in constant time, never by `===`. Every check
 * returns why it failed (`missing-signature`, `bad-signature`, `stale`), which the route counts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type RejectReason = 'missing-signature' | 'bad-signature' | 'stale';
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: RejectReason };

export const ACCEPTED: Verdict = { ok: true };
export const reject = (reason: RejectReason): Verdict => ({ ok: false, reason });

/** Constant-time equality of two byte strings (a length difference is not hidden: lengths are public). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** HMAC of `parts` (concatenated) under `secret`. */
export function hmac(algorithm: 'sha1' | 'sha256', secret: string, ...parts: ReadonlyArray<Buffer | string>): Buffer {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** The one value of a header (a repeated header is refused: which one was signed is ambiguous). */
export function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks a `<algorithm>=<hex>` header (GitHub style, as Jira, Zammad and Intercom send it) against the
 * HMAC of the raw body under any of `secrets`.
 */
export function checkHubSignature(value: string | undefined, algorithm: 'sha1' | 'sha256', secrets: readonly string[], body: Buffer): Verdict {
  if (value === undefined) return reject('missing-signature');
  const match = /^(sha1|sha256)=([0-9a-fA-F]+)$/.exec(value.trim());
  if (!match || match[1] !== algorithm) return reject('bad-signature');
  const given = Buffer.from(match[2] as string, 'hex');
  return secrets.some((secret) => constantTimeEqual(hmac(algorithm, secret, body), given)) ? ACCEPTED : reject('bad-signature');
}

/** Is `at` (epoch ms) within `toleranceMs` of `now`, either way? */
export function withinWindow(at: number, now: number, toleranceMs: number): boolean {
  return Number.isFinite(at) && Math.abs(now - at) <= toleranceMs;
}
