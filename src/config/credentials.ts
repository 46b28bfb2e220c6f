import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { hashPassword } from '../platform/passwords.js';
import type { ServiceConfig } from './service.js';

const credentialsSchema = z
  .object({
    sessionSecret: z.string().min(32),
    admin: z.object({ name: z.string(), password: z.string(), passwordHash: z.string() }).strict(),
    apiToken: z.string().min(16),
  })
  .strict();
export type GeneratedCredentials = z.infer<typeof credentialsSchema>;

/**
 * Secure by default without a setup step: when the config names no users and no tokens, an admin
 * login and an API token are generated once into `<dataDir>/credentials.json` (mode 0600) and reused.
 * Returns the effective auth config and, on the first start, the credentials to print once.
 */
export function resolveAuth(config: ServiceConfig): {
  auth: { tokens: ServiceConfig['auth']['tokens']; users: ServiceConfig['auth']['users']; sessionSecret: string; sessionTtlMs: number };
  generated: GeneratedCredentials | null;
  firstStart: boolean;
  file: string;
} {
  const file = join(config.dataDir, 'credentials.json');
  const needsGenerated = config.auth.users.length === 0 && config.auth.tokens.length === 0;
  const needsSecret = config.auth.sessionSecret === undefined;
  if (!needsGenerated && !needsSecret) {
    return { auth: { ...config.auth, sessionSecret: config.auth.sessionSecret as string, sessionTtlMs: config.auth.sessionTtl }, generated: null, firstStart: false, file };
  }
  let creds: GeneratedCredentials;
  let firstStart = false;
  if (existsSync(file)) {
    creds = credentialsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } else {
    const password = randomBytes(9).toString('base64url');
    creds = {
      sessionSecret: randomBytes(32).toString('base64url'),
      admin: { name: 'admin', password, passwordHash: hashPassword(password) },
      apiToken: `radar_${randomBytes(24).toString('base64url')}`,
    };
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    firstStart = true;
  }
  return {
    auth: {
      tokens: needsGenerated ? [{ name: 'generated', token: creds.apiToken, role: 'admin' }] : config.auth.tokens,
      users: needsGenerated ? [{ name: creds.admin.name, passwordHash: creds.admin.passwordHash, role: 'admin' }] : config.auth.users,
      sessionSecret: config.auth.sessionSecret ?? creds.sessionSecret,
      sessionTtlMs: config.auth.sessionTtl,
    },
    generated: needsGenerated ? creds : null,
    firstStart,
    file,
  };
}
