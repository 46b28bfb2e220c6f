/**
 * Signed acknowledgement links: `<base64url(alertId)>.<expiry base36>.<base64url(HMAC-SHA256)>`.
 * The signature covers the alert id and the expiry; verification is constant-time. Pure (no clock).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type AckTokenCheck =
  | { readonly ok: true; readonly alertId: string; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'expired' };

function sign(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`ack:${payload}`).digest();
}

export function signAckToken(alertId: string, expiresAt: number, secret: string): string {
  if (secret.length === 0) throw new Error('ack secret is empty');
  const payload = `${Buffer.from(alertId, 'utf8').toString('base64url')}.${Math.floor(expiresAt).toString(36)}`;
  return `${payload}.${sign(payload, secret).toString('base64url')}`;
}

export function verifyAckToken(token: string, secret: string, now: number): AckTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || secret.length === 0) return { ok: false, reason: 'malformed' };
  const [id64, exp36, sig64] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(id64) || !/^[0-9a-z]+$/.test(exp36) || !/^[A-Za-z0-9_-]+$/.test(sig64)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = sign(`${id64}.${exp36}`, secret);
  const given = Buffer.from(sig64, 'base64url');
  // Compare equal-length buffers only; a wrong length is still a bad signature (no early exit on content).
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  if (!same) return { ok: false, reason: 'bad_signature' };
  const expiresAt = parseInt(exp36, 36);
  if (!(now < expiresAt)) return { ok: false, reason: 'expired' };
  return { ok: true, alertId: Buffer.from(id64, 'base64url').toString('utf8'), expiresAt };
}

/** The link put into notifications; the API serves it (GET shows a confirm page, POST acknowledges). */
export function ackUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/ack/${token}`;
}

/** How long the confirm page's button stays valid after the page was served. */
export const ACK_CONFIRM_TTL_MS = 60 * 60_000;

function confirmMac(token: string, issuedAt: number, secret: string): Buffer {
  return createHmac('sha256', secret).update(`ack-confirm:${issuedAt}:${token}`).digest();
}

/**
 * The CSRF token of the confirm page's form: an HMAC over the ack token and the time the page was
 * served, so the POST proves it came from a page this service rendered for this very link (a
 * cross-site form cannot produce it, and it expires after `ACK_CONFIRM_TTL_MS`).
 */
export function signAckConfirm(token: string, issuedAt: number, secret: string): string {
  if (secret.length === 0) throw new Error('ack secret is empty');
  return `${Math.floor(issuedAt).toString(36)}.${confirmMac(token, Math.floor(issuedAt), secret).toString('base64url')}`;
}

export type AckConfirmCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'malformed' | 'bad_signature' | 'expired' };

/** Checks the form token against the ack token it was issued for; constant-time, pure (`now` given). */
export function verifyAckConfirm(confirm: string, token: string, secret: string, now: number, ttlMs: number = ACK_CONFIRM_TTL_MS): AckConfirmCheck {
  const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{20,100})$/.exec(confirm);
  if (!match || secret.length === 0) return { ok: false, reason: 'malformed' };
  const issuedAt = parseInt(match[1] as string, 36);
  const expected = confirmMac(token, issuedAt, secret);
  const given = Buffer.from(match[2] as string, 'base64url');
  if (!(given.length === expected.length && timingSafeEqual(given, expected))) return { ok: false, reason: 'bad_signature' };
  // A page "served" in the future (clock skew beyond a minute) is as suspicious as an old one.
  if (issuedAt > now + 60_000 || now - issuedAt > ttlMs) return { ok: false, reason: 'expired' };
  return { ok: true };
}
