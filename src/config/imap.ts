import { z } from 'zod';
import { uniqueNames } from './unique-names.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';

export const IMAP_TLS_MODES = ['implicit', 'starttls', 'none'] as const;
export type ImapTlsMode = (typeof IMAP_TLS_MODES)[number];

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** One support mailbox account. Every configured mailbox gets its own poll scheduler and cursor. */
export const imapSourceSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "." or "-"')
      .max(100)
      .describe('Source name, unique among all sources (shown in GET /api/sources and in message ids `imap:<name>:<mailbox>:<uidvalidity>:<uid>`).'),
    host: z.string().min(1).describe('IMAP server host name, e.g. imap.gmail.com or outlook.office365.com.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('IMAP port. Default 993 for tls: implicit, 143 otherwise.'),
    tls: z
      .enum(IMAP_TLS_MODES)
      .default('implicit')
      .describe(
        'implicit: TLS from the first byte (port 993); starttls: plain connect then STARTTLS, refused when the server does not offer it (the password is never sent in clear); none: no encryption, allowed only for a loopback host.',
      ),
    tlsCaFile: z
      .string()
      .optional()
      .describe('PEM file with the CA (or the self-signed certificate) to trust in addition to the system CAs.'),
    tlsInsecure: z
      .boolean()
      .default(false)
      .describe('Accept any server certificate (testing only: anyone on the path can read the password).'),
    user: z.string().min(1).describe('Login name (usually the full e-mail address).'),
    password: fromEnvironment(
      z.string().min(1).describe('Password or app password. Put it in the environment and write `${SUPPORT_IMAP_PASSWORD}` here.'),
      'SUPPORT_IMAP_PASSWORD',
    ),
    mailboxes: z
      .array(z.string().min(1))
      .min(1)
      .default(['INBOX'])
      .refine((list) => new Set(list).size === list.length, 'mailboxes must be unique')
      .describe('Mailboxes (folders) to watch, e.g. [INBOX, "Support/Complaints"].'),
    pollInterval: duration().default('1m').describe('How often each mailbox is polled.'),
    batchSize: z.number().int().min(1).max(5000).default(200).describe('Messages fetched per IMAP FETCH; the cursor advances after each batch is queued.'),
    markSeen: z
      .boolean()
      .default(false)
      .describe('Open the mailbox read-write and mark fetched mail \\Seen. Default false: read-only, the mailbox is never changed.'),
    connectTimeout: duration().default('15s').describe('Longest wait for the TCP (and TLS) connection.'),
    loginTimeout: duration().default('15s').describe('Longest wait from connected to logged in.'),
    idleTimeout: duration()
      .default('60s')
      .describe('A poll whose connection receives nothing for this long is aborted and retried from the cursor.'),
    backfill: duration()
      .optional()
      .describe('On the very first poll of a mailbox, read only mail received within this period (e.g. 14d); older mail is never read. Unset: the whole mailbox.'),
    selfAddresses: z
      .array(z.string().email())
      .default([])
      .describe('Our own addresses (support replies copied into the mailbox): mail from them is skipped and counted.'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.tls === 'none' && !LOOPBACK.test(value.host)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tls'], message: 'tls: none is allowed only for a loopback host; use implicit or starttls' });
    }
  })
  .transform((value) => ({ ...value, port: value.port ?? (value.tls === 'implicit' ? 993 : 143) }));

export const imapSourcesSchema = z
  .array(imapSourceSchema)
  .default([])
  .superRefine(uniqueNames('source'))
  .describe('Support mailboxes polled over IMAP.');

export type ImapSourceConfig = z.output<typeof imapSourceSchema>;
export type ImapSourceInput = z.input<typeof imapSourceSchema>;
