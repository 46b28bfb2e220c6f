/**
 * The IMAP poll handler: one poll = one mailbox of one source. Connect, log in, open the mailbox
 * read-only, fetch every UID above the cursor in batches, build Messages, enqueue, THEN save the
 * cursor. A crash or a dropped connection at any point resumes from the last saved cursor: nothing
 * is lost, and re-reading a batch creates no duplicate (same message id, and the Message-ID set).
 */
import { imapSourceSchema, type ImapSourceConfig } from '../../config/imap.js';
import { configFingerprint } from '../config-fingerprint.js';
import type { Message } from '../../domain/message.js';
import { RadarError } from '../../platform/errors.js';
import type { PollContext, PollHandler } from '../poll.js';
import { buildMessage, imapMessageId } from './build-message.js';
import { openImapSession, type FetchedMail, type OpenSession } from './imap-session.js';
import type { SeenIds } from './seen-ids.js';

/** Saved per (source, mailbox) once a batch is queued. */
export interface ImapCursor {
  readonly uidvalidity: number;
  readonly lastUid: number;
  /** True while a re-scan after a UIDVALIDITY change is under way. */
  readonly rescan?: boolean;
}

export interface ImapHandlerDeps {
  /** Secret salt of sender hashes; one per deployment, shared by every source. */
  readonly authorSalt: string;
  /** Message-IDs already queued, per source (`redisSeenIds(ctx.redis, ctx.keys)`). */
  readonly seenIds: SeenIds;
  /** Opens an IMAP session (default: node-imap). */
  readonly openSession?: OpenSession;
}

export interface BatchCounts {
  fetched: number;
  skipped: number;
  duplicates: number;
  deadLettered: number;
}

/** The SourceState cursor name of one mailbox (source names cannot contain "|"). */
export function imapCursorName(source: string, mailbox: string): string {
  return `${source}|${mailbox}`;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function deadLetterPayload(mail: FetchedMail, mailbox: string, uidvalidity: number): string {
  const raw = mail.parsed.rawHead;
  const utf8 = raw.toString('utf8');
  const lossless = Buffer.from(utf8, 'utf8').equals(raw);
  return JSON.stringify({
    mailbox,
    uidvalidity,
    uid: mail.uid,
    size: mail.parsed.rawSize,
    truncated: raw.length < mail.parsed.rawSize,
    encoding: lossless ? 'utf8' : 'base64',
    raw: lossless ? utf8 : raw.toString('base64'),
  });
}

export function createImapPollHandler(configs: readonly ImapSourceConfig[], deps: ImapHandlerDeps): PollHandler {
  const byName = new Map(configs.map((c) => [c.name, c]));
  const open = deps.openSession ?? openImapSession;

  async function processBatch(
    config: ImapSourceConfig,
    mailbox: string,
    uidvalidity: number,
    fetched: readonly FetchedMail[],
    rescanHorizon: number | null,
    ctx: PollContext,
  ): Promise<BatchCounts> {
    const counts: BatchCounts = { fetched: 0, skipped: 0, duplicates: 0, deadLettered: 0 };
    const selfAddresses = new Set(config.selfAddresses.map((a) => a.toLowerCase()));
    const candidates: Array<{ message: Message; dedupeKey: string }> = [];
    for (const mail of fetched) {
      const origin = { source: config.name, mailbox, uidvalidity, uid: mail.uid, internalDate: mail.internalDate };
      const result =
        mail.parsed.mail === null
          ? ({ kind: 'malformed', reason: `cannot parse: ${mail.parsed.error ?? 'unknown error'}` } as const)
          : buildMessage(mail.parsed.mail, origin, { authorSalt: deps.authorSalt, selfAddresses, now: ctx.now() });
      if (result.kind === 'malformed') {
        await ctx.deadLetter({
          messageId: imapMessageId(origin),
          source: config.name,
          payload: deadLetterPayload(mail, mailbox, uidvalidity),
          reason: `malformed mail: ${result.reason}`,
          attempts: 1,
        });
        counts.deadLettered++;
        ctx.log.warn({ uid: mail.uid, reason: result.reason }, 'malformed mail dead-lettered');
      } else if (result.kind === 'skipped') {
        counts.skipped++;
        ctx.log.debug({ uid: mail.uid, reason: result.reason }, 'mail skipped');
      } else {
        candidates.push(result);
      }
    }
    const seen = await deps.seenIds.has(config.name, candidates.map((c) => c.dedupeKey));
    const keys = new Set<string>();
    const fresh: Array<{ message: Message; dedupeKey: string }> = [];
    candidates.forEach((c, i) => {
      const old = rescanHorizon !== null && Date.parse(c.message.createdAt) < rescanHorizon;
      if (seen[i] === true || old || keys.has(c.dedupeKey)) {
        counts.duplicates++;
        return;
      }
      keys.add(c.dedupeKey);
      fresh.push(c);
    });
    if (fresh.length > 0) {
      await ctx.enqueue(fresh.map((f) => f.message));
      await deps.seenIds.add(
        config.name,
        fresh.map((f) => ({ key: f.dedupeKey, at: Date.parse(f.message.createdAt) })),
      );
    }
    counts.fetched = fresh.length;
    return counts;
  }

  /** Saves the mailbox cursor unless another poll already moved it further. */
  async function saveCursor(ctx: PollContext, source: string, mailbox: string, cursor: ImapCursor): Promise<void> {
    const name = imapCursorName(source, mailbox);
    const current = await ctx.state.getCursor<ImapCursor>(name);
    if (current && current.uidvalidity === cursor.uidvalidity && current.lastUid > cursor.lastUid) return;
    await ctx.state.setCursor(name, cursor);
  }

  /** The source-level cursor shown by GET /api/sources: every mailbox's cursor. */
  async function saveSummary(ctx: PollContext, config: ImapSourceConfig): Promise<void> {
    const mailboxes: Record<string, ImapCursor | null> = {};
    for (const m of config.mailboxes) mailboxes[m] = await ctx.state.getCursor<ImapCursor>(imapCursorName(config.name, m));
    await ctx.state.setCursor(config.name, { mailboxes });
  }

  return {
    kind: 'imap',
    schedules: configs.flatMap((c) => {
      const fingerprint = configFingerprint('imap', imapSourceSchema, c);
      return c.mailboxes.map((mailbox) => ({ source: c.name, everyMs: c.pollInterval, mailbox, fingerprint }));
    }),

    async poll(job, ctx) {
      const config = byName.get(job.source);
      if (!config) throw new RadarError('ERR_SOURCE', `no imap source named "${job.source}"`, { context: { source: job.source } });
      const mailbox = job.mailbox ?? config.mailboxes[0] ?? 'INBOX';
      const log = ctx.log.child({ module: 'imap', source: config.name, mailbox });
      const pollCtx: PollContext = { ...ctx, log };
      const total: BatchCounts = { fetched: 0, skipped: 0, duplicates: 0, deadLettered: 0 };

      const session = await open(config);
      try {
        const box = await session.openMailbox(mailbox, !config.markSeen);
        const stored = await ctx.state.getCursor<ImapCursor>(imapCursorName(config.name, mailbox));
        let cursor: ImapCursor;
        if (stored === null) cursor = { uidvalidity: box.uidvalidity, lastUid: 0 };
        else if (stored.uidvalidity === box.uidvalidity) cursor = stored;
        else {
          log.warn({ was: stored.uidvalidity, now: box.uidvalidity }, 'UIDVALIDITY changed; re-scanning the mailbox (Message-ID dedupe)');
          cursor = { uidvalidity: box.uidvalidity, lastUid: 0, rescan: true };
        }
        const horizon = cursor.rescan ? await deps.seenIds.horizon(config.name) : null;

        let uids: number[];
        if (stored === null && config.backfill !== undefined) {
          // First poll: only the recent past; older mail is left alone for good (the cursor starts after it).
          const recent = await session.uidsSince(new Date(ctx.now() - config.backfill));
          const startAfter =
            recent.length > 0 ? (recent[0] ?? 1) - 1 : box.uidnext > 0 ? box.uidnext - 1 : ((await session.uidsAfter(0)).at(-1) ?? 0);
          cursor = { uidvalidity: box.uidvalidity, lastUid: startAfter };
          uids = recent;
          log.info({ backfillMs: config.backfill, messages: recent.length, startAfter }, 'first poll: backfilling the recent past only');
        } else {
          uids = await session.uidsAfter(cursor.lastUid);
        }
        for (const batch of chunks(uids, config.batchSize)) {
          if (ctx.signal.aborted) break;
          const fetched = await session.fetch(batch, { markSeen: config.markSeen });
          const counts = await processBatch(config, mailbox, box.uidvalidity, fetched, horizon, pollCtx);
          cursor = { uidvalidity: box.uidvalidity, lastUid: batch[batch.length - 1] ?? cursor.lastUid, ...(cursor.rescan ? { rescan: true } : {}) };
          await saveCursor(ctx, config.name, mailbox, cursor);
          await ctx.state.addCounts(config.name, { fetched: counts.fetched, skipped: counts.skipped + counts.duplicates, deadLettered: counts.deadLettered });
          total.fetched += counts.fetched;
          total.skipped += counts.skipped;
          total.duplicates += counts.duplicates;
          total.deadLettered += counts.deadLettered;
          log.debug({ lastUid: cursor.lastUid, ...counts }, 'batch queued');
        }
        if (!ctx.signal.aborted && (cursor.rescan === true || stored?.uidvalidity !== box.uidvalidity)) {
          // Caught up: a finished re-scan becomes an ordinary cursor; a first poll of an empty mailbox records UIDVALIDITY.
          await saveCursor(ctx, config.name, mailbox, { uidvalidity: box.uidvalidity, lastUid: cursor.lastUid });
        }
        await saveSummary(ctx, config);
        await ctx.state.recordSuccess(config.name, { now: ctx.now(), fetched: 0 });
        log.info({ ...total, lastUid: cursor.lastUid }, 'mailbox polled');
      } finally {
        await session.close();
      }
    },
  };
}
