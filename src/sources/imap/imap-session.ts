/**
 * A promise-shaped session over node-imap (`imap`): connect with timeouts, log in, open a mailbox
 * (read-only unless asked), search UIDs, fetch a batch streaming each body into the mail parser.
 *
 * Failures say what to do: credentials / TLS trust / missing STARTTLS → `SourceAuthError` (stop
 * the source, an operator must act); a timeout or a dropped connection → a retryable `RadarError`
 * (the next attempt resumes from the cursor).
 */
import { readFileSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { TLSSocket, type ConnectionOptions } from 'node:tls';
import Imap from 'imap';
import type { ImapSourceConfig } from '../../config/imap.js';
import { RadarError } from '../../platform/errors.js';
import { SourceAuthError } from '../poll.js';
import { assembleMessage, assembleSinglePart, planLargeMessage } from './body-structure.js';
import { parseMailStream, type ParseOutcome } from './parse-mail.js';

export interface MailboxInfo {
  readonly uidvalidity: number;
  /** UIDNEXT, or 0 when the server did not say. */
  readonly uidnext: number;
  readonly messages: number;
}

export interface FetchedMail {
  readonly uid: number;
  /** INTERNALDATE, epoch ms. */
  readonly internalDate: number | null;
  readonly parsed: ParseOutcome;
}

export interface ImapSession {
  openMailbox(name: string, readOnly: boolean): Promise<MailboxInfo>;
  /** UIDs strictly greater than `lastUid`, ascending (the `UID n:*` quirk is filtered out). */
  uidsAfter(lastUid: number): Promise<number[]>;
  /** UIDs of messages the server received on or after this day (IMAP SEARCH SINCE, by INTERNALDATE), ascending. */
  uidsSince(day: Date): Promise<number[]>;
  /** Fetches and parses these UIDs; the result is in ascending UID order. */
  fetch(uids: readonly number[], options: { markSeen: boolean }): Promise<FetchedMail[]>;
  /** Logs out (or drops the connection when that does not finish promptly). Never throws. */
  close(): Promise<void>;
}

export type OpenSession = (config: ImapSourceConfig) => Promise<ImapSession>;

const TLS_TRUST_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

type ImapError = Error & { source?: string; textCode?: string; code?: string };

/** Messages up to this size are fetched whole (and parsed as they stream in). */
export const FULL_FETCH_MAX_BYTES = 2 * 1024 * 1024;
/** Most bytes one FETCH of whole messages may return (node-imap holds a FETCH response in memory). */
export const FETCH_GROUP_BYTES = 8 * 1024 * 1024;
/** Text parts of a large message above this size are not read (listed like attachments). */
export const TEXT_PART_MAX_BYTES = 1024 * 1024;

function connectionError(config: ImapSourceConfig, what: string, cause: unknown): RadarError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RadarError('ERR_SOURCE', `IMAP ${config.host}:${config.port}: ${what}: ${detail}`, {
    context: { source: config.name, host: config.host, port: config.port },
    cause,
    retryable: true,
  });
}

function tlsOptions(config: ImapSourceConfig): ConnectionOptions {
  return {
    ...(isIP(config.host) === 0 ? { servername: config.host } : {}),
    ...(config.tlsCaFile ? { ca: readFileSync(config.tlsCaFile) } : {}),
    rejectUnauthorized: !config.tlsInsecure,
    minVersion: 'TLSv1.2',
  };
}

/** Opens a logged-in session. */
export const openImapSession: OpenSession = async (config) => {
  const conn = new Imap({
    user: config.user,
    password: config.password,
    host: config.host,
    port: config.port,
    tls: config.tls === 'implicit',
    tlsOptions: tlsOptions(config),
    autotls: config.tls === 'starttls' ? 'always' : 'never',
    connTimeout: config.connectTimeout,
    authTimeout: config.loginTimeout,
    keepalive: false,
    // node-imap: no byte in or out for this long → 'socket-timeout' error and the socket is destroyed.
    ...{ socketTimeout: config.idleTimeout },
  });

  // node-imap sends LOGIN in clear when a STARTTLS-mode server does not advertise STARTTLS (a downgrade
  // anyone on the path can force). Claim the capability exists so it always sends STARTTLS first: a
  // server without it answers BAD, and the password is never sent.
  let forcedStartTls = false;
  if (config.tls === 'starttls') {
    const supports = conn.serverSupports.bind(conn);
    conn.serverSupports = (capability: string) => {
      const has = supports(capability);
      const encrypted = (conn as unknown as { _sock?: unknown })._sock instanceof TLSSocket;
      if (capability === 'STARTTLS' && !has && conn.state === 'connected' && !encrypted) {
        forcedStartTls = true;
        return true;
      }
      return has;
    };
  }

  let lost: RadarError | null = null;
  const waiters = new Set<(error: RadarError) => void>();
  const fail = (error: RadarError) => {
    lost ??= error;
    for (const w of waiters) w(lost);
    waiters.clear();
  };

  await new Promise<void>((resolve, reject) => {
    const onError = (error: ImapError) => {
      conn.removeListener('ready', onReady);
      conn.removeListener('close', onClose);
      conn.destroy();
      if (forcedStartTls) {
        reject(new SourceAuthError(config.name, `IMAP ${config.host}:${config.port} does not offer STARTTLS; refusing to send the password in clear`, error));
      } else if (error.source === 'authentication') {
        reject(new SourceAuthError(config.name, `IMAP login rejected for ${config.user} at ${config.host}: ${error.message}`, error));
      } else if (error.code !== undefined && TLS_TRUST_ERRORS.has(error.code)) {
        reject(new SourceAuthError(config.name, `IMAP ${config.host}:${config.port}: TLS certificate not trusted (${error.code}); set tlsCaFile`, error));
      } else if (error.source === 'timeout' || error.source === 'timeout-auth') {
        reject(connectionError(config, error.source === 'timeout' ? 'connect timed out' : 'login timed out', error));
      } else {
        reject(connectionError(config, 'cannot connect', error));
      }
    };
    const onClose = () => onError(Object.assign(new Error('connection closed before login'), { source: 'socket' }));
    const onReady = () => {
      conn.removeListener('error', onError);
      conn.removeListener('close', onClose);
      resolve();
    };
    conn.once('ready', onReady);
    conn.once('error', onError);
    conn.once('close', onClose);
    conn.connect();
  });

  conn.on('error', (error: ImapError) => fail(connectionError(config, error.source === 'socket-timeout' ? 'idle timeout' : 'connection error', error)));
  conn.on('close', () => fail(connectionError(config, 'connection lost', new Error('connection closed by the server'))));
  conn.on('end', () => fail(connectionError(config, 'connection lost', new Error('connection ended by the server'))));

  // Our own idle watchdog on the socket node-imap talks through (its socketTimeout is set on the raw TCP
  // socket but listened for on the TLS one, so with implicit TLS a stalled server could hang a poll).
  const active = (conn as unknown as { _sock?: unknown })._sock;
  if (active instanceof Socket) {
    active.setTimeout(config.idleTimeout);
    active.on('timeout', () => {
      fail(connectionError(config, 'idle timeout', new Error(`nothing received for ${config.idleTimeout} ms`)));
      active.destroy();
    });
  }

  if (config.tls !== 'none') {
    const sock = (conn as unknown as { _sock?: unknown })._sock;
    if (!(sock instanceof TLSSocket) || !sock.encrypted) {
      conn.destroy();
      throw new SourceAuthError(config.name, `IMAP ${config.host}:${config.port}: session is not encrypted`);
    }
  }

  /** Runs one operation; a lost connection rejects it at once instead of leaving it hanging. */
  const guarded = <T>(run: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (lost) return reject(lost);
      const onLost = (error: RadarError) => reject(error);
      waiters.add(onLost);
      const done = <F extends (...args: never[]) => void>(f: F) =>
        ((...args: Parameters<F>) => {
          waiters.delete(onLost);
          f(...args);
        }) as F;
      try {
        run(done(resolve), done(reject));
      } catch (error) {
        waiters.delete(onLost);
        reject(error);
      }
    });

  interface MailInfo {
    readonly uid: number;
    readonly size: number;
    readonly internalDate: number | null;
    readonly struct: readonly unknown[];
  }
  const dateOf = (attrs: Imap.ImapMessageAttributes) => {
    const ms = attrs.date instanceof Date ? attrs.date.getTime() : Number.NaN;
    return Number.isFinite(ms) ? ms : null;
  };

  /** UID, RFC822.SIZE and INTERNALDATE (and BODYSTRUCTURE when asked: costly on a cold server cache) of each message. */
  const fetchInfo = (uids: readonly number[], struct = false) =>
    guarded<MailInfo[]>((resolve, reject) => {
      const infos: MailInfo[] = [];
      const request = conn.fetch(uids as number[], { struct, size: true });
      request.on('message', (msg) => {
        msg.once('attributes', (attrs) => {
          const size = (attrs as { size?: unknown }).size;
          infos.push({ uid: Number(attrs.uid), size: typeof size === 'number' ? size : 0, internalDate: dateOf(attrs), struct: Array.isArray(attrs.struct) ? attrs.struct : [] });
        });
      });
      request.once('error', (error: Error) => reject(connectionError(config, 'UID FETCH (sizes) failed', error)));
      request.once('end', () => resolve(infos.sort((a, b) => a.uid - b.uid)));
    });

  /** Whole messages, each body streamed into the parser as it arrives. */
  const fetchWhole = (uids: readonly number[], markSeen: boolean) =>
    guarded<FetchedMail[]>((resolve, reject) => {
      const pending: Array<Promise<FetchedMail | null>> = [];
      const request = conn.fetch(uids as number[], { bodies: '', markSeen });
      request.on('message', (msg) => {
        let parsing: Promise<ParseOutcome> | null = null;
        let attributes: Imap.ImapMessageAttributes | null = null;
        let ended!: () => void;
        const end = new Promise<void>((r) => (ended = r));
        msg.on('body', (stream) => {
          parsing = parseMailStream(stream instanceof Readable ? stream : Readable.from(stream));
        });
        msg.once('attributes', (attrs) => {
          attributes = attrs;
        });
        msg.once('end', () => ended());
        pending.push(
          end.then(async () => {
            const attrs = attributes as Imap.ImapMessageAttributes | null;
            if (!attrs || parsing === null) return null;
            return { uid: Number(attrs.uid), internalDate: dateOf(attrs), parsed: await parsing };
          }),
        );
      });
      request.once('error', (error: Error) => reject(connectionError(config, 'UID FETCH failed', error)));
      request.once('end', () => {
        Promise.all(pending).then((all) => resolve(all.filter((m): m is FetchedMail => m !== null)), reject);
      });
    });

  /** A large message: header and text parts only; attachments are listed from the structure, never downloaded. */
  const fetchLarge = async (sized: MailInfo, markSeen: boolean): Promise<FetchedMail> => {
    const info = (await fetchInfo([sized.uid], true))[0] ?? sized;
    const plan = planLargeMessage(info.struct, TEXT_PART_MAX_BYTES);
    const sections = ['HEADER', ...(plan.multipart ? plan.textParts.flatMap((p) => [`${p.partID}.MIME`, p.partID]) : plan.textParts.length > 0 ? ['TEXT'] : [])];
    const bodies = await guarded<Map<string, Buffer>>((resolve, reject) => {
      const got = new Map<string, Buffer>();
      const reads: Array<Promise<void>> = [];
      const request = conn.fetch([info.uid], { bodies: sections, markSeen });
      request.on('message', (msg) => {
        msg.on('body', (stream, bodyInfo) => {
          const chunks: Buffer[] = [];
          reads.push(
            new Promise<void>((done) => {
              stream.on('data', (chunk: Buffer) => chunks.push(chunk));
              stream.once('end', () => {
                got.set(bodyInfo.which.toUpperCase(), Buffer.concat(chunks));
                done();
              });
            }),
          );
        });
      });
      request.once('error', (error: Error) => reject(connectionError(config, 'UID FETCH (parts) failed', error)));
      request.once('end', () => {
        Promise.all(reads).then(() => resolve(got), reject);
      });
    });
    const header = bodies.get('HEADER') ?? Buffer.alloc(0);
    const raw = plan.multipart
      ? assembleMessage(
          header,
          plan.textParts.map((p) => ({ mime: bodies.get(`${p.partID}.MIME`) ?? Buffer.alloc(0), body: bodies.get(p.partID) ?? Buffer.alloc(0) })),
        )
      : assembleSinglePart(header, bodies.get('TEXT') ?? null);
    const parsed = await parseMailStream(Readable.from([raw]));
    return {
      uid: info.uid,
      internalDate: info.internalDate,
      parsed: { ...parsed, rawSize: info.size, mail: parsed.mail === null ? null : { ...parsed.mail, attachments: plan.attachments } },
    };
  };

  return {
    openMailbox(name, readOnly) {
      return guarded<MailboxInfo>((resolve, reject) =>
        conn.openBox(name, readOnly, (error, box) => {
          if (error) {
            const e = error as ImapError;
            const missing = e.textCode === 'NONEXISTENT' || /doesn'?t exist|not exist|unknown mailbox/i.test(e.message);
            return reject(
              new RadarError('ERR_SOURCE', missing ? `mailbox "${name}" does not exist` : `cannot open mailbox "${name}": ${e.message}`, {
                context: { source: config.name, mailbox: name },
                cause: error,
                retryable: !missing,
              }),
            );
          }
          resolve({ uidvalidity: Number(box.uidvalidity), uidnext: Number(box.uidnext) || 0, messages: box.messages.total });
        }),
      );
    },

    uidsSince(day) {
      return guarded<number[]>((resolve, reject) =>
        conn.search([['SINCE', day]], (error, uids) => {
          if (error) return reject(connectionError(config, 'SEARCH SINCE failed', error));
          resolve([...new Set(uids.map(Number))].sort((a, b) => a - b));
        }),
      );
    },

    uidsAfter(lastUid) {
      return guarded<number[]>((resolve, reject) =>
        conn.search([['UID', `${lastUid + 1}:*`]], (error, uids) => {
          if (error) return reject(connectionError(config, 'UID SEARCH failed', error));
          resolve([...new Set(uids.map(Number))].filter((uid) => uid > lastUid).sort((a, b) => a - b));
        }),
      );
    },

    async fetch(uids, options) {
      if (uids.length === 0) return [];
      // node-imap pushes a FETCH response into the body streams as fast as the socket delivers it (no
      // backpressure), so what one FETCH returns is held in memory. Hence: sizes first; small mails
      // are fetched whole in groups of bounded total size; large ones only as header + text parts.
      const infos = await fetchInfo(uids);
      const out: FetchedMail[] = [];
      const small = infos.filter((i) => i.size <= FULL_FETCH_MAX_BYTES);
      let group: number[] = [];
      let groupBytes = 0;
      for (const info of small) {
        if (group.length > 0 && groupBytes + info.size > FETCH_GROUP_BYTES) {
          out.push(...(await fetchWhole(group, options.markSeen)));
          group = [];
          groupBytes = 0;
        }
        group.push(info.uid);
        groupBytes += info.size;
      }
      if (group.length > 0) out.push(...(await fetchWhole(group, options.markSeen)));
      for (const info of infos) if (info.size > FULL_FETCH_MAX_BYTES) out.push(await fetchLarge(info, options.markSeen));
      return out.sort((a, b) => a.uid - b.uid);
    },

    async close() {
      if (lost || conn.state === 'disconnected') {
        conn.destroy();
        return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          conn.destroy();
          resolve();
        }, 2000);
        conn.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          conn.end();
        } catch {
          clearTimeout(timer);
          conn.destroy();
          resolve();
        }
      });
    },
  };
};
