/**
 * The keys of an app-store source, read once when its client is built: from the environment (the
 * key's text, `${VAR}` in the config) or from a file path. Errors name the source and the field,
 * never the key.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { AppStoreSourceConfig, GooglePlaySourceConfig } from '../../config/appstore.js';
import { SourceAuthError } from '../poll.js';
import { parsePrivateKey } from './jwt.js';

/** The fields of a Google service account JSON key this source uses (the file has more). */
const serviceAccountSchema = z
  .object({
    type: z.literal('service_account'),
    client_email: z.string().min(3),
    private_key: z.string().min(1),
    private_key_id: z.string().optional(),
    token_uri: z.string().url().optional(),
  })
  .passthrough();

export interface ServiceAccount {
  readonly clientEmail: string;
  readonly privateKeyId: string | null;
  readonly key: KeyObject;
  readonly tokenUri: string;
}

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

function readKeyText(source: string, inline: string | undefined, file: string | undefined, field: string): string {
  if (inline !== undefined) return inline;
  try {
    return readFileSync(file as string, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SourceAuthError(source, `${field} ${file as string} cannot be read (${code})`);
  }
}

export function loadServiceAccount(config: GooglePlaySourceConfig): ServiceAccount {
  const text = readKeyText(config.name, config.serviceAccountKey, config.serviceAccountKeyFile, 'serviceAccountKeyFile');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SourceAuthError(config.name, 'the service account key is not JSON (give the whole downloaded key file)');
  }
  const parsed = serviceAccountSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SourceAuthError(config.name, `the service account key lacks ${issue?.path.join('.') ?? 'fields'} (${issue?.message ?? 'invalid'})`);
  }
  let key: KeyObject;
  try {
    key = parsePrivateKey(parsed.data.private_key, 'private_key of the service account');
  } catch (error) {
    throw new SourceAuthError(config.name, (error as Error).message);
  }
  return {
    clientEmail: parsed.data.client_email,
    privateKeyId: parsed.data.private_key_id ?? null,
    key,
    tokenUri: config.tokenUri ?? parsed.data.token_uri ?? GOOGLE_TOKEN_URI,
  };
}

export function loadAppStoreKey(config: AppStoreSourceConfig): KeyObject {
  const text = readKeyText(config.name, config.privateKey, config.privateKeyFile, 'privateKeyFile');
  try {
    const key = parsePrivateKey(text, 'the App Store Connect key');
    if (key.asymmetricKeyType !== 'ec') throw new Error('the App Store Connect key is not an EC (P-256) key');
    return key;
  } catch (error) {
    throw new SourceAuthError(config.name, (error as Error).message);
  }
}
