import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RadarError } from '../platform/errors.js';
import { hashPassword } from '../platform/passwords.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, replacePrivateFile, tightenFile } from '../platform/private-files.js';
import type { ServiceConfig } from './service.js';

/** The environment variable that gives the author hash key (otherwise it is generated into credentials.json). */
export const AUTHOR_KEY_ENV = 'RADAR_AUTHOR_KEY';
/** Shortest accepted secret: 32 characters (`openssl rand -base64 32` gives 44). */
export const MIN_SECRET_LENGTH = 32;

const credentialsSchema = z
  .object({
    sessionSecret: z.string().min(MIN_SECRET_LENGTH).optional(),
    admin: z.object({ name: z.string(), password: z.string(), passwordHash: z.string() }).strict().optional(),
    apiToken: z.string().min(16).optional(),
    authorKey: z.string().min(MIN_SECRET_LENGTH).optional(),
  })
  .strict();
/** What `<dataDir>/credentials.json` holds: each part is generated the first time it is needed. */
export type StoredCredentials = z.infer<typeof credentialsSchema>;

export interface GeneratedCredentials {
  readonly sessionSecret: string;
  readonly admin: { readonly name: string; readonly password: string; readonly passwordHash: string };
  readonly apiToken: string;
}

/** Which generated parts the caller needs. */
export interface CredentialNeeds {
  readonly login?: boolean;
  readonly sessionSecret?: boolean;
  readonly authorKey?: boolean;
}

export function credentialsFile(dataDir: string): string {
  return join(dataDir, 'credentials.json');
}

function readCredentials(file: string): StoredCredentials | null {
  if (!existsSync(file)) return null;
  let parsed: z.SafeParseReturnType<unknown, StoredCredentials>;
  try {
    parsed = credentialsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (cause) {
    throw new RadarError('ERR_CONFIG', `${file}: not valid JSON (${(cause as Error).message})`, { context: { file }, cause });
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RadarError('ERR_CONFIG', `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { context: { file } });
  }
  return parsed.data;
}

function missing(creds: StoredCredentials | null, needs: CredentialNeeds): boolean {
  return (
    creds === null ||
    (needs.login === true && (creds.admin === undefined || creds.apiToken === undefined)) ||
    (needs.sessionSecret === true && creds.sessionSecret === undefined) ||
    (needs.authorKey === true && creds.authorKey === undefined)
  );
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `<file>.lock` (processes starting together on one host generate once, not twice). */
function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', PRIVATE_FILE_MODE));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > 30_000) {
        unlinkSync(lock); // left by a process that died while writing
        continue;
      }
      if (Date.now() > deadline) throw new RadarError('ERR_CONFIG', `${lock} is held by another process; remove it if none is running`, { context: { file } });
      sleepSync(25);
    }
  }
  try {
    return fn();
  } finally {
    unlinkSync(lock);
  }
}

/**
 * Reads `<dataDir>/credentials.json` (mode 0600 in a 0700 folder), generating once, with a
 * cryptographic random source, whatever `needs` asks for and the file does not hold yet; older files
 * are extended, never replaced. `generated` lists what this call created.
 */
export function loadCredentials(dataDir: string, needs: CredentialNeeds): { creds: StoredCredentials; file: string; generated: ReadonlySet<keyof StoredCredentials> } {
  ensurePrivateDir(dataDir);
  const file = credentialsFile(dataDir);
  const found = readCredentials(file);
  if (!missing(found, needs) && found !== null) {
    tightenFile(file);
    return { creds: found, file, generated: new Set() };
  }
  return withFileLock(file, () => {
    const current = readCredentials(file) ?? {};
    const next: StoredCredentials = { ...current };
    const generated = new Set<keyof StoredCredentials>();
    if (needs.sessionSecret && next.sessionSecret === undefined) {
      next.sessionSecret = randomBytes(32).toString('base64url');
      generated.add('sessionSecret');
    }
    if (needs.login && (next.admin === undefined || next.apiToken === undefined)) {
      const password = randomBytes(9).toString('base64url');
      next.admin = { name: 'admin', password, passwordHash: hashPassword(password) };
      next.apiToken = `radar_${randomBytes(24).toString('base64url')}`;
      generated.add('admin').add('apiToken');
    }
    if (needs.authorKey && next.authorKey === undefined) {
      next.authorKey = randomBytes(32).toString('base64url');
      generated.add('authorKey');
    }
    if (generated.size > 0 || !existsSync(file)) replacePrivateFile(file, `${JSON.stringify(next, null, 2)}\n`);
    return { creds: next, file, generated };
  });
}

/**
 * The one key of every author and contact hash (X authors, mail senders, pushed authors, report-form
 * contacts): `RADAR_AUTHOR_KEY` from the environment, else generated once into
 * `<dataDir>/credentials.json`. There is no built-in default: a public key would let anyone with read
 * access confirm an address by hashing guesses. Processes on several hosts must share it through the
 * environment.
 */
export function resolveAuthorKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[AUTHOR_KEY_ENV];
  if (env.RADAR_AUTHOR_SALT !== undefined && (fromEnv === undefined || fromEnv === '')) {
    // Its holders hashed every source under it: a silently generated key would split each author in two.
    throw new RadarError('ERR_CONFIG', `RADAR_AUTHOR_SALT is now ${AUTHOR_KEY_ENV}: set ${AUTHOR_KEY_ENV} to the same value (authors keep their hashes) and unset RADAR_AUTHOR_SALT`, {
      context: { env: 'RADAR_AUTHOR_SALT' },
    });
  }
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_SECRET_LENGTH) {
      throw new RadarError('ERR_CONFIG', `${AUTHOR_KEY_ENV} must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -base64 32)`, { context: { env: AUTHOR_KEY_ENV } });
    }
    return fromEnv;
  }
  return loadCredentials(dataDir, { authorKey: true }).creds.authorKey as string;
}

/**
 * Secure by default without a setup step: when the config names no users and no tokens, an admin
 * login and an API token are generated once into `<dataDir>/credentials.json` (mode 0600) and reused;
 * so is the session secret when the config sets none.
 * Returns the effective auth config and, when the login was generated by this call, the credentials
 * to print once.
 */
export function resolveAuth(config: ServiceConfig): {
  auth: { tokens: ServiceConfig['auth']['tokens']; users: ServiceConfig['auth']['users']; sessionSecret: string; sessionTtlMs: number };
  generated: GeneratedCredentials | null;
  firstStart: boolean;
  file: string;
} {
  const file = credentialsFile(config.dataDir);
  const needsGenerated = config.auth.users.length === 0 && config.auth.tokens.length === 0;
  const needsSecret = config.auth.sessionSecret === undefined;
  if (!needsGenerated && !needsSecret) {
    return { auth: { ...config.auth, sessionSecret: config.auth.sessionSecret as string, sessionTtlMs: config.auth.sessionTtl }, generated: null, firstStart: false, file };
  }
  const loaded = loadCredentials(config.dataDir, { login: needsGenerated, sessionSecret: needsSecret });
  const { creds } = loaded;
  const admin = creds.admin;
  const apiToken = creds.apiToken;
  const sessionSecret = config.auth.sessionSecret ?? (creds.sessionSecret as string);
  return {
    auth: {
      tokens: needsGenerated && apiToken ? [{ name: 'generated', token: apiToken, role: 'admin' }] : config.auth.tokens,
      users: needsGenerated && admin ? [{ name: admin.name, passwordHash: admin.passwordHash, role: 'admin' }] : config.auth.users,
      sessionSecret,
      sessionTtlMs: config.auth.sessionTtl,
    },
    generated: needsGenerated && admin && apiToken ? { sessionSecret, admin, apiToken } : null,
    firstStart: loaded.generated.has('admin'),
    file: loaded.file,
  };
}
