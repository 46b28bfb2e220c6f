/** Signs fixture bodies the way each vendor does (computed here, never taken from the code under test). */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/helpdesk');

/** A fixture's bytes exactly as on disk (what the vendor would send). */
export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

export function zendeskHeaders(secret: string, body: Buffer, timestamp: string): Record<string, string> {
  const signature = createHmac('sha256', secret).update(timestamp).update(body).digest('base64');
  return { 'content-type': 'application/json', 'x-zendesk-webhook-signature': signature, 'x-zendesk-webhook-signature-timestamp': timestamp };
}

export function hubHeaders(algorithm: 'sha1' | 'sha256', secret: string, body: Buffer): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature': `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}` };
}

export function freshdeskHeaders(secret: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-radar-webhook-secret': secret };
}

export function basicHeaders(user: string, password: string): Record<string, string> {
  return { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
