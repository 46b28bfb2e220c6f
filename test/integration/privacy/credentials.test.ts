/**
 * Generated secrets in <dataDir>/credentials.json: created 0600 in a 0700 folder, generated once (also
 * by processes starting together), older files extended rather than replaced, RADAR_AUTHOR_KEY wins.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCredentials, resolveAuth, resolveAuthorKey } from '../../../src/config/credentials.js';
import { serviceConfigSchema } from '../../../src/config/service.js';
import { isRadarError } from '../../../src/platform/errors.js';

let root: string;
const mode = (path: string) => statSync(path).mode & 0o777;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'radar-creds-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('resolveAuthorKey', () => {
  it('generates a random key once into dataDir/credentials.json: file 0600, folder 0700', () => {
    const dataDir = join(root, 'deep', 'data');
    const key = resolveAuthorKey(dataDir, {});
    expect(key).toMatch(/^[\w-]{43}$/);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'credentials.json'))).toBe(0o600);
    expect(resolveAuthorKey(dataDir, {})).toBe(key);
    expect(resolveAuthorKey(join(root, 'other'), {})).not.toBe(key);
    expect(existsSync(join(dataDir, 'credentials.json.lock'))).toBe(false);
  });

  it('takes RADAR_AUTHOR_KEY from the environment and writes nothing', () => {
    const dataDir = join(root, 'data');
    expect(resolveAuthorKey(dataDir, { RADAR_AUTHOR_KEY: 'k'.repeat(40) })).toBe('k'.repeat(40));
    expect(existsSync(join(dataDir, 'credentials.json'))).toBe(false);
  });

  it('rejects a short RADAR_AUTHOR_KEY with one line naming it', () => {
    let error: unknown;
    try {
      resolveAuthorKey(join(root, 'data'), { RADAR_AUTHOR_KEY: 'short' });
    } catch (e) {
      error = e;
    }
    expect(isRadarError(error, 'ERR_CONFIG')).toBe(true);
    expect((error as Error).message).toBe('RADAR_AUTHOR_KEY must be at least 32 characters (e.g. openssl rand -base64 32)');
  });

  it('refuses the old RADAR_AUTHOR_SALT alone instead of silently hashing under a new key', () => {
    let error: unknown;
    try {
      resolveAuthorKey(join(root, 'data'), { RADAR_AUTHOR_SALT: 's'.repeat(40) });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('RADAR_AUTHOR_SALT is now RADAR_AUTHOR_KEY: set RADAR_AUTHOR_KEY to the same value (authors keep their hashes) and unset RADAR_AUTHOR_SALT');
    expect(existsSync(join(root, 'data', 'credentials.json'))).toBe(false);
    expect(resolveAuthorKey(join(root, 'data'), { RADAR_AUTHOR_SALT: 's'.repeat(40), RADAR_AUTHOR_KEY: 's'.repeat(40) })).toBe('s'.repeat(40));
  });

  it('extends an older credentials.json (no authorKey, mode 0644) without changing what it held, and tightens it', () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, 'credentials.json');
    const old = { sessionSecret: 's'.repeat(43), admin: { name: 'admin', password: 'pw', passwordHash: 'scrypt$x' }, apiToken: `radar_${'t'.repeat(32)}` };
    writeFileSync(file, JSON.stringify(old));
    chmodSync(file, 0o644);
    const key = resolveAuthorKey(dataDir, {});
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...old, authorKey: key });
    expect(mode(file)).toBe(0o600);
    expect(mode(dataDir)).toBe(0o700);
  });

  it('four processes starting together on one dataDir agree on one key', async () => {
    const dataDir = join(root, 'data');
    const child = new URL('../../helpers/author-key-child.ts', import.meta.url).pathname;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', child, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        p.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        p.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
      });
    const keys = await Promise.all([run(), run(), run(), run()]);
    expect(new Set(keys).size).toBe(1);
    expect(JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')).authorKey).toBe(keys[0]);
  });
});

describe('resolveAuth and the author key share one file', () => {
  it('the login is generated (and reported as first start) once; the author key joins the same file', () => {
    const dataDir = join(root, 'data');
    const config = serviceConfigSchema.parse({ dataDir });
    const first = resolveAuth(config);
    expect(first.firstStart).toBe(true);
    expect(first.generated?.apiToken).toMatch(/^radar_/);
    const key = resolveAuthorKey(dataDir, {});
    const second = resolveAuth(config);
    expect(second.firstStart).toBe(false);
    expect(second.auth.sessionSecret).toBe(first.auth.sessionSecret);
    const stored = loadCredentials(dataDir, {}).creds;
    expect(stored).toMatchObject({ apiToken: first.generated?.apiToken, authorKey: key, sessionSecret: first.auth.sessionSecret });
  });

  it('with users, tokens and a session secret configured, no login is generated', () => {
    const dataDir = join(root, 'data');
    const config = serviceConfigSchema.parse({
      dataDir,
      auth: { tokens: [{ name: 'ci', token: 'x'.repeat(20) }], sessionSecret: 'y'.repeat(32) },
    });
    expect(resolveAuth(config).generated).toBeNull();
    resolveAuthorKey(dataDir, {});
    expect(Object.keys(loadCredentials(dataDir, {}).creds)).toEqual(['authorKey']);
  });
});
