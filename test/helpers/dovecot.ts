/**
 * A throwaway Dovecot for integration tests: `dovecot -F -c <config>` as a foreground child (its
 * PID is Dovecot's master, so one SIGTERM stops it), on free loopback ports, with a test user, a
 * Maildir in a temp dir, and optionally implicit TLS (+ STARTTLS) with a self-signed certificate
 * made by `openssl req` at test time. Mail is appended over IMAP.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Imap from 'imap';

export const DOVECOT_USER = 'test';
export const DOVECOT_PASSWORD = 'pass';

function findDovecot(): string {
  for (const p of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot', '/usr/bin/dovecot']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v dovecot'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('dovecot is not installed: the IMAP integration tests need a real Dovecot. Install it with `apt-get install dovecot-imapd` (Debian/Ubuntu).');
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dovecot exited early (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${port} within ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface DovecotOptions {
  /** Also serve implicit TLS (and STARTTLS on the plain port) with a fresh self-signed certificate. */
  readonly tls?: boolean;
}

export interface Dovecot {
  readonly host: '127.0.0.1';
  /** Plain IMAP (STARTTLS offered when tls is on). */
  readonly port: number;
  /** Implicit TLS port, when tls is on. */
  readonly tlsPort: number | null;
  /** The self-signed certificate (PEM) to trust, when tls is on. */
  readonly caFile: string | null;
  readonly dir: string;
  readonly user: string;
  readonly password: string;
  readonly pid: number;
  /** Appends raw messages (in order) to a mailbox, creating it when missing. */
  append(messages: ReadonlyArray<Buffer | string>, mailbox?: string, options?: { internalDate?: Date }): Promise<void>;
  createMailbox(name: string): Promise<void>;
  deleteMailbox(name: string): Promise<void>;
  /** Dovecot's own log so far (stderr). */
  log(): string;
  /** SIGKILL to the whole process group (master and its imap children): a crash. */
  kill(): Promise<void>;
  /** Starts again on the same ports and Maildir (after kill or stop). */
  restart(): Promise<void>;
  /** SIGTERM, wait for exit, remove the temp dir. */
  stop(): Promise<void>;
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'pipe' },
  );
  return { cert, key };
}

function writeConfig(dir: string, port: number, tlsPort: number | null, cert: { cert: string; key: string } | null): string {
  const root = process.getuid?.() === 0;
  const me = root ? null : execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const myGroup = root ? null : execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  const mailUser = root ? 'nobody' : me;
  const mailGroup = root ? 'nogroup' : myGroup;
  if (root) {
    chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', 'nobody:nogroup', join(dir, 'mail')]);
  }
  writeFileSync(join(dir, 'users'), `${DOVECOT_USER}:{PLAIN}${DOVECOT_PASSWORD}\n`);
  const file = join(dir, 'dovecot.conf');
  writeFileSync(
    file,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = radar-test-${port}
log_path = /dev/stderr
${cert ? `ssl = yes\nssl_cert = <${cert.cert}\nssl_key = <${cert.key}` : 'ssl = no'}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = ${root ? 'dovecot' : me}
default_internal_group = ${root ? 'dovecot' : myGroup}
default_login_user = ${root ? 'dovenull' : me}
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u/Maildir
mail_privileged_group =
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailGroup} home=${dir}/mail/%u
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort ?? 0}${cert ? '\n    ssl = yes' : ''}
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0
  }
}
`,
  );
  return file;
}

/** An admin IMAP connection to the test server (plain, loopback). */
async function withAdmin<T>(port: number, run: (conn: Imap) => Promise<T>): Promise<T> {
  const conn = new Imap({ user: DOVECOT_USER, password: DOVECOT_PASSWORD, host: '127.0.0.1', port, tls: false, keepalive: false });
  await new Promise<void>((resolve, reject) => {
    conn.once('ready', () => resolve());
    conn.once('error', reject);
    conn.connect();
  });
  conn.on('error', () => undefined);
  try {
    return await run(conn);
  } finally {
    await new Promise<void>((resolve) => {
      conn.once('close', () => resolve());
      conn.end();
      setTimeout(resolve, 1000).unref();
    });
  }
}

/**
 * APPEND over a raw IMAP connection: one MULTIAPPEND command with LITERAL+ for all messages (fast:
 * one round trip and one Dovecot transaction), bytes sent as they are (8-bit KOI8-R stays intact).
 */
async function rawAppend(port: number, mailbox: string, messages: readonly Buffer[], internalDate?: Date): Promise<void> {
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const d = internalDate;
  const date = d
    ? ` "${String(d.getUTCDate()).padStart(2, ' ')}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)} +0000"`
    : '';
  const socket = connect(port, '127.0.0.1');
  let buffer = '';
  const waiters: Array<{ tag: string; resolve: (line: string) => void }> = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      const waiter = waiters.find((w) => line.startsWith(`${w.tag} `));
      if (waiter) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const closed = new Promise<never>((_, reject) => socket.once('error', reject));
  closed.catch(() => undefined);
  const greeting = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  await Promise.race([greeting, closed]);
  let n = 0;
  const command = async (parts: ReadonlyArray<Buffer | string>, okRequired = true) => {
    const tag = `t${++n}`;
    const done = new Promise<string>((resolve) => waiters.push({ tag, resolve }));
    socket.write(`${tag} `);
    for (const part of parts) socket.write(part);
    socket.write('\r\n');
    const line = await Promise.race([done, closed]);
    if (okRequired && !line.startsWith(`${tag} OK`)) throw new Error(`IMAP ${String(parts[0]).slice(0, 40)}: ${line}`);
  };
  const quoted = `"${mailbox.replace(/["\\]/g, '\\$&')}"`;
  try {
    await command([`LOGIN ${DOVECOT_USER} ${DOVECOT_PASSWORD}`]);
    if (mailbox.toUpperCase() !== 'INBOX') await command([`CREATE ${quoted}`], false);
    for (let i = 0; i < messages.length; i += 500) {
      const parts: Array<Buffer | string> = [`APPEND ${quoted}`];
      for (const message of messages.slice(i, i + 500)) parts.push(`${date} {${message.length}+}\r\n`, message);
      await command(parts);
    }
    await command(['LOGOUT'], false);
  } finally {
    socket.destroy();
  }
}

export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const binary = findDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'radar-dovecot-'));
  for (const d of ['run', 'state', 'mail']) mkdirSync(join(dir, d));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : null;
  const cert = options.tls ? makeCertificate(dir) : null;
  const config = writeConfig(dir, port, tlsPort, cert);
  let stderr = '';
  let child!: ChildProcess;

  const launch = async () => {
    child = spawn(binary, ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-200_000);
    });
    await waitForPort(port, child, () => stderr);
    if (tlsPort !== null) await waitForPort(tlsPort, child, () => stderr);
  };
  let killing: Promise<void> = Promise.resolve();
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once('exit', () => resolve()));

  await launch();

  const run = (fn: (conn: Imap) => Promise<void>) => withAdmin(port, fn);
  const ensureMailbox = (conn: Imap, name: string) =>
    name.toUpperCase() === 'INBOX'
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) =>
          conn.addBox(name, (error) => (error && !/exists/i.test(error.message) ? reject(error) : resolve())),
        );

  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    caFile: cert?.cert ?? null,
    dir,
    user: DOVECOT_USER,
    password: DOVECOT_PASSWORD,
    get pid() {
      return child.pid ?? -1;
    },
    append: (messages, mailbox = 'INBOX', options = {}) =>
      rawAppend(port, mailbox, messages.map((m) => (typeof m === 'string' ? Buffer.from(m, 'utf8') : m)), options.internalDate),
    createMailbox: (name) => run((conn) => ensureMailbox(conn, name)),
    deleteMailbox: (name) =>
      run((conn) => new Promise<void>((resolve, reject) => conn.delBox(name, (error) => (error ? reject(error) : resolve())))),
    log: () => stderr,
    async kill() {
      const pid = child.pid;
      if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
        killing = exited(child);
        process.kill(-pid, 'SIGKILL');
        await killing;
      }
    },
    async restart() {
      // A kill started without waiting (a proxy's callback cuts the connection mid-fetch) may still be
      // reaping the old master: starting before it is gone finds its pid file ("already running").
      await killing;
      await launch();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const done = exited(child);
        child.kill('SIGTERM');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test mail (CRLF line ends). */
export function mail(options: {
  subject?: string;
  body?: string;
  from?: string;
  messageId?: string;
  date?: string;
  headers?: Readonly<Record<string, string>>;
}): string {
  const lines = [
    `From: ${options.from ?? 'Customer <customer@example.com>'}`,
    'To: support@example.org',
    `Subject: ${options.subject ?? 'Order problem'}`,
    `Date: ${options.date ?? 'Mon, 02 Mar 2026 10:00:00 +0000'}`,
    `Message-ID: <${options.messageId ?? `${Math.random().toString(36).slice(2)}@example.com`}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    options.body ?? 'My order never arrived.',
    '',
  ];
  return lines.join('\r\n');
}
