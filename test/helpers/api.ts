import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { Authenticator } from '../../src/api/auth.js';
import type { ApiDeps } from '../../src/api/deps.js';
import { hashPassword } from '../../src/platform/passwords.js';
import type { ServiceContext } from '../../workers/context.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const VIEWER_TOKEN = 'test-viewer-token-0123456789';
export const PASSWORD = 'correct horse battery';

let cachedHash: string | undefined;

export function testAuthenticator(): Authenticator {
  cachedHash ??= hashPassword(PASSWORD);
  return new Authenticator({
    tokens: [
      { name: 'ci-admin', token: ADMIN_TOKEN, role: 'admin' },
      { name: 'ci-viewer', token: VIEWER_TOKEN, role: 'viewer' },
    ],
    users: [
      { name: 'anna', passwordHash: cachedHash, role: 'viewer' },
      { name: 'ops', passwordHash: cachedHash, role: 'admin' },
    ],
    sessionSecret: 'test-session-secret-0123456789-0123456789',
    sessionTtlMs: 3_600_000,
  });
}

export async function buildTestApp(ctx: ServiceContext, extra: Partial<ApiDeps> = {}): Promise<FastifyInstance> {
  return buildApp({ ...ctx, auth: testAuthenticator(), ...extra });
}

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
export const viewer = { authorization: `Bearer ${VIEWER_TOKEN}` };
