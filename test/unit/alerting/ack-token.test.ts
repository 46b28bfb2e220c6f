import { describe, expect, it } from 'vitest';
import { ACK_CONFIRM_TTL_MS, signAckConfirm, signAckToken, verifyAckConfirm, verifyAckToken } from '../../../src/alerting/ack-token.js';
import { ackLinkOptions } from '../../../src/alerting/compile.js';

const secret = 'k'.repeat(40);
const now = Date.UTC(2026, 10, 26, 14, 0);
const token = signAckToken('complaints-mi3k2x0', now + 60_000, secret);
const [id64, exp36, sig] = token.split('.') as [string, string, string];
const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('signed ack tokens', () => {
  it('verifies a genuine token', () => {
    expect(verifyAckToken(token, secret, now)).toEqual({ ok: true, alertId: 'complaints-mi3k2x0', expiresAt: now + 60_000 });
  });
  it.each([
    ['another alert id', `${b64('complaints-other')}.${exp36}.${sig}`, 'bad_signature'],
    ['a later expiry', `${id64}.${(now + 10 ** 9).toString(36)}.${sig}`, 'bad_signature'],
    ['a different secret', signAckToken('complaints-mi3k2x0', now + 60_000, 'x'.repeat(40)), 'bad_signature'],
    ['a truncated signature', `${id64}.${exp36}.${sig.slice(0, 20)}`, 'bad_signature'],
    ['an empty signature part', `${id64}.${exp36}.`, 'malformed'],
    ['a flipped signature character', `${id64}.${exp36}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`, 'bad_signature'],
    ['two parts', `${id64}.${exp36}`, 'malformed'],
    ['junk', 'not a token', 'malformed'],
    ['padding characters', `${id64}=.${exp36}.${sig}`, 'malformed'],
  ])('rejects %s', (_name, forged, reason) => {
    expect(verifyAckToken(forged, secret, now)).toEqual({ ok: false, reason });
  });
  it('rejects an expired token, at the expiry instant', () => {
    expect(verifyAckToken(token, secret, now + 60_000)).toEqual({ ok: false, reason: 'expired' });
  });
  it('refuses to sign or verify with an empty secret', () => {
    expect(() => signAckToken('a', now, '')).toThrow();
    expect(verifyAckToken(token, '', now)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('ackLinkOptions', () => {
  it.each([
    [{ secret: 'a'.repeat(32), ttl: 1000 }, 'f'.repeat(32), 'a'.repeat(32)],
    [{ secret: '', ttl: 1000 }, 'f'.repeat(32), 'f'.repeat(32)],
    [{ ttl: 1000 }, undefined, null],
    [{ secret: '', ttl: 1000 }, '', null],
  ])('%j with fallback %s → %s', (ack, fallback, secret) => {
    const options = ackLinkOptions({ ack }, fallback, 'https://r.example');
    expect(options?.secret ?? null).toBe(secret);
    if (options) expect(options).toMatchObject({ ttlMs: 1000, baseUrl: 'https://r.example' });
  });
});

describe('the confirm page token (CSRF-safe form field)', () => {
  const issued = now - 5 * 60_000;
  const confirm = signAckConfirm(token, issued, secret);

  it('verifies for the link it was issued for, within its lifetime', () => {
    expect(verifyAckConfirm(confirm, token, secret, now)).toEqual({ ok: true });
    expect(verifyAckConfirm(confirm, token, secret, issued + ACK_CONFIRM_TTL_MS)).toEqual({ ok: true });
  });
  it.each([
    ['another link', () => verifyAckConfirm(confirm, signAckToken('complaints-other', now + 60_000, secret), secret, now), 'bad_signature'],
    ['another secret', () => verifyAckConfirm(confirm, token, 'x'.repeat(40), now), 'bad_signature'],
    ['a changed issue time', () => verifyAckConfirm(`${(issued + 1).toString(36)}${confirm.slice(confirm.indexOf('.'))}`, token, secret, now), 'bad_signature'],
    ['an old page', () => verifyAckConfirm(confirm, token, secret, issued + ACK_CONFIRM_TTL_MS + 1), 'expired'],
    ['a page from the future', () => verifyAckConfirm(signAckConfirm(token, now + 120_000, secret), token, secret, now), 'expired'],
    ['junk', () => verifyAckConfirm('junk', token, secret, now), 'malformed'],
    ['an empty value', () => verifyAckConfirm('', token, secret, now), 'malformed'],
  ])('rejects %s', (_name, check, reason) => {
    expect(check()).toEqual({ ok: false, reason });
  });
});
