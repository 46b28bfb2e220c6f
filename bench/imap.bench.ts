/**
 * IMAP source throughput: a 1,000-message mailbox on a throwaway Dovecot (loopback), polled by the
 * real handler (node-imap, batches of 200, mailparser, quote/signature stripping), enqueued, then
 * classified (the real keyword classifier), stored and counted by the ingest worker. Prints
 * messages/s from the poll's start to the last message stored, and the poll part alone
 * (connect + fetch + parse + build + enqueue).
 */
import iconv from 'iconv-lite';
import type { BenchArgs } from './index.js';
import { imapSourceSchema } from '../src/config/imap.js';
import { createImapPollHandler } from '../src/sources/imap/poll-handler.js';
import { redisSeenIds } from '../src/sources/imap/seen-ids.js';
import { startIngestWorker } from '../workers/ingest.js';
import { mail, startDovecot, type Dovecot } from '../test/helpers/dovecot.js';
import { benchPollContext, benchService, waitUntil, redisAnswers } from './support.js';

const BODIES = [
  'I cannot log in to my account since this morning, the password is rejected.\n\nOn Mon, 2 Mar 2026 at 10:00, Support <support@example.org> wrote:\n> Please reset your password.\n\nBest regards,\nJohn',
  'Не могу войти в почту, пишет неверный пароль, хотя я его не менял.\n\n-- \nИван Петров',
  'Letters are stuck in the outbox, sending fails with an error every time.\n\nSent from my iPhone',
  'Почта ужасно тормозит, страница с письмами грузится минуту.\n\nС уважением,\nМария',
  'Thanks for the new dark theme, it looks great on my phone!',
  'The app crashes as soon as I open a message with pictures.\n-----Original Message-----\nFrom: Support\nSent: Monday',
];

function koi8(i: number): Buffer {
  const head = `From: ivan${i}@example.ru\r\nSubject: =?KOI8-R?B?${iconv.encode('Вложения не открываются', 'koi8-r').toString('base64')}?=\r\nDate: Mon, 02 Mar 2026 10:00:00 +0300\r\nMessage-ID: <bench-${i}@example.ru>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=KOI8-R\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), iconv.encode('Вложения не открываются, пишет что файл поврежден.\r\n', 'koi8-r')]);
}

function html(i: number): string {
  return [
    `From: Ann <ann${i}@example.com>`,
    'Subject: Checkout broken',
    'Date: Mon, 02 Mar 2026 10:00:00 +0000',
    `Message-ID: <bench-${i}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>The <b>checkout</b> page shows an error 500 when I press <a href="https://x.example">Pay</a>.</p><blockquote>old</blockquote>',
    '',
  ].join('\r\n');
}

function mailbox(n: number): Array<Buffer | string> {
  return Array.from({ length: n }, (_, i) => {
    if (i % 10 === 7) return koi8(i);
    if (i % 10 === 8) return html(i);
    return mail({ subject: `Problem report ${i}`, from: `Customer ${i % 50} <c${i % 50}@example.com>`, messageId: `bench-${i}@example.com`, body: BODIES[i % BODIES.length] ?? '' });
  });
}

interface Run {
  readonly pollSeconds: number;
  readonly totalSeconds: number;
  readonly complaints: number;
}

async function once(dovecot: Dovecot, box: string, n: number, prefix: string, db: 'sqlite' | 'postgres'): Promise<Run> {
  const service = await benchService(prefix, db);
  const { ctx } = service;
  try {
    const source = imapSourceSchema.parse({ name: 'bench', host: dovecot.host, port: dovecot.port, tls: 'none', user: dovecot.user, password: dovecot.password, mailboxes: [box] });
    const handler = createImapPollHandler([source], { authorSalt: ctx.authorKey, seenIds: redisSeenIds(ctx.redis, ctx.keys) });
    const pollCtx = benchPollContext(ctx);
    const ingest = startIngestWorker(ctx);
    const start = performance.now();
    await handler.poll({ source: 'bench', mailbox: box }, pollCtx);
    const pollSeconds = (performance.now() - start) / 1000;
    await waitUntil(async () => (await ctx.store.messages.count()) >= n);
    const totalSeconds = (performance.now() - start) / 1000;
    await ingest.close();
    return { pollSeconds, totalSeconds, complaints: await ctx.store.messages.count({ complaint: true }) };
  } finally {
    await service.cleanup();
  }
}

export default async function run(args: BenchArgs): Promise<void> {
  if (!(await redisAnswers())) return;
  let dovecot: Dovecot;
  try {
    dovecot = await startDovecot();
  } catch (error) {
    process.stdout.write(`skipped: ${(error as Error).message}\n`);
    return;
  }
  const n = 1_000;
  const id = `benchimap${process.pid}`;
  try {
    await dovecot.append(mailbox(n), 'Bench');
    const report = (label: string, r: Run) =>
      process.stdout.write(
        `${label}: ${Math.round(n / r.totalSeconds).toLocaleString('en')} messages/s mailbox → stored + classified (${n} messages, ${r.totalSeconds.toFixed(2)} s, ${r.complaints} complaints); ` +
          `poll alone (connect + fetch + parse + enqueue): ${Math.round(n / r.pollSeconds).toLocaleString('en')} messages/s\n`,
      );
    const runs = args.quick ? 1 : 3;
    for (let i = 0; i < runs; i++) report(`SQLite     #${i + 1}`, await once(dovecot, 'Bench', n, `${id}sq${i}`, 'sqlite'));
    try {
      report('PostgreSQL #1', await once(dovecot, 'Bench', n, `${id}pg`, 'postgres'));
    } catch (error) {
      process.stdout.write(`PostgreSQL: skipped (${(error as Error).message})\n`);
    }
  } finally {
    await dovecot.stop();
  }
}
