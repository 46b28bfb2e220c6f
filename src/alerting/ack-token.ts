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
