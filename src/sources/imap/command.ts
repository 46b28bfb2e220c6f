/**
 * `radar imap check [source]` — logs in to every configured mailbox (read-only) and says what it
 * found, before the service polls it. `radar imap parse <file.eml>` — shows the Message the poller
 * would build from a raw mail (charset, quotes, signature, skip reason), to debug one odd e-mail.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { exitWithError } from '../../cli/errors.js';
import { RadarError, describeError } from '../../platform/errors.js';

function fail(error: unknown): never {
  exitWithError(error);
}

export function register(program: Command): void {
  const imap = program.command('imap').description('IMAP mailboxes: check logins, preview how a mail is read');

  imap
    .command('check')
    .description('log in to each configured mailbox (read-only) and report UIDVALIDITY and message counts')
    .argument('[source]', 'only this source')
    .option('-c, --config <file>', 'service config (default: RADAR_CONFIG, config/radar.yaml, the example)')
    .action(async (only: string | undefined, options: { config?: string }) => {
      try {
        // The config schema and the IMAP client load when the command runs (`radar --help` does without them).
        const [{ loadServiceConfig, serviceConfigPath }, { openImapSession }] = await Promise.all([import('../../config/service.js'), import('./imap-session.js')]);
        const config = loadServiceConfig(options.config ?? serviceConfigPath());
        const sources = config.sources.imap.filter((s) => only === undefined || s.name === only);
        if (sources.length === 0) throw new RadarError('ERR_CONFIG', only ? `no imap source named "${only}"` : 'no imap sources configured (sources.imap)');
        let failed = 0;
        for (const source of sources) {
          let session;
          try {
            session = await openImapSession(source);
          } catch (error) {
            failed++;
            process.stdout.write(`${source.name} (${source.user}@${source.host}:${source.port}, tls ${source.tls}): FAILED ${describeError(error)}\n`);
            continue;
          }
          try {
            for (const mailbox of source.mailboxes) {
              try {
                const box = await session.openMailbox(mailbox, true);
                process.stdout.write(`${source.name} ${mailbox}: ok, ${box.messages} messages, uidvalidity ${box.uidvalidity}, uidnext ${box.uidnext}\n`);
              } catch (error) {
                failed++;
                process.stdout.write(`${source.name} ${mailbox}: FAILED ${describeError(error)}\n`);
              }
            }
          } finally {
            await session.close();
          }
        }
        process.exit(failed === 0 ? 0 : 1);
      } catch (error) {
        fail(error);
      }
    });

  imap
    .command('parse')
    .description('show the message the IMAP poller would build from a raw .eml file')
    .argument('<file>', 'a raw RFC 822 message')
    .option('--self <addresses>', 'comma-separated own addresses to skip', '')
    .action(async (file: string, options: { self: string }) => {
      try {
        const [{ parseMailBuffer }, { buildMessage }] = await Promise.all([import('./parse-mail.js'), import('./build-message.js')]);
        const parsed = await parseMailBuffer(readFileSync(file));
        if (parsed.mail === null) throw new RadarError('ERR_SOURCE', `cannot parse ${file}: ${parsed.error ?? 'unknown error'}`);
        const result = buildMessage(
          parsed.mail,
          { source: 'preview', mailbox: 'INBOX', uidvalidity: 0, uid: 0, internalDate: null },
          {
            authorSalt: randomBytes(32).toString('hex'), // a throw-away key: a preview's hash matches nothing stored
            selfAddresses: new Set(options.self.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '')),
            now: Date.now(),
          },
        );
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } catch (error) {
        fail(error);
      }
    });
}
