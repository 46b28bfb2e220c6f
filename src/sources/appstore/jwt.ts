/**
 * Compact JWS signing for the two store APIs, with node:crypto only: RS256 (Google's OAuth2
 * JWT-bearer grant, signed with the service account's RSA key) and ES256 (App Store Connect, signed
 * with the .p8 EC P-256 key; the signature is the raw r||s pair, not DER, as RFC 7518 §3.4 asks).
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'RS256' | 'ES256';

export function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Parses a PEM private key; the error names `what` and never includes the key. */
export function parsePrivateKey(pem: string, what: string): KeyObject {
  try {
    return createPrivateKey({ key: pem.replace(/\\n/g, '\n'), format: 'pem' });
  } catch (error) {
    throw new Error(`${what} is not a PEM private key (${error instanceof Error ? error.message.split('\n')[0] : 'unreadable'})`);
  }
}

/**
 * `header.payload.signature`, signed with `key`.
 *
 * @example signJwt('ES256', { kid: 'ABC123', typ: 'JWT' }, { iss, iat, exp, aud: 'appstoreconnect-v1' }, key)
 */
export function signJwt(alg: JwtAlgorithm, header: Readonly<Record<string, unknown>>, claims: Readonly<Record<string, unknown>>, key: KeyObject): string {
  const input = `${base64url(JSON.stringify({ alg, ...header }))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}
