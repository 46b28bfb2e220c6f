/**
 * The `telegram` sources: a Telegram bot added to the service's support group and to the discussion
 * group of the brand's channel, reading their messages, replies and edits through the Bot API's
 * `getUpdates` (long polling). One entry per bot token. Parsed strictly here; `src/sources/telegram/`
 * turns each entry into a grammY `Api` client and a poll handler.
 */
import { z } from 'zod';
import { sourceName, httpUrl, period, pagesPerPoll } from './source-fields.js';
import { uniqueNames } from './unique-names.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';

const chatSchema = z
  .object({
    id: z.number().int().describe('Chat id as the Bot API gives it (a supergroup is -100…).'),
    username: z
      .string()
      .regex(/^@?[A-Za-z0-9_]{4,32}$/, 'must be a public chat username (letters, digits, _; 4–32)')
      .transform((u) => u.replace(/^@/, ''))
      .optional()
      .describe('Public username of the chat, for links `https://t.me/<username>/<message_id>` when the update does not carry it. Default: none (a private group has no links).'),
  })
  .strict();

export const telegramSourceSchema = z
  .object({
    name: sourceName(),
    botToken: fromEnvironment(
      z
        .string()
        .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a bot token as @BotFather gives it (is TELEGRAM_BOT_TOKEN set?)')
        .describe('Bot token from @BotFather; keep it in the environment: `${TELEGRAM_BOT_TOKEN}`. Never logged. One source per bot: Telegram serves a bot\'s updates to one reader.'),
      'TELEGRAM_BOT_TOKEN',
    ),
    chats: z
      .array(chatSchema)
      .min(1, 'must list the chats to read (the support group, the channel\'s discussion group)')
      .describe('The chats read: messages from any other chat the bot is in are skipped.'),
    mode: z
      .enum(['polling', 'webhook'])
      .default('polling')
      .describe('`polling`: the poll worker long-polls `getUpdates`. `webhook`: Telegram posts each update to `POST /api/hooks/telegram/<name>` (set it with `setWebhook`, see the README); nothing is polled.'),
    webhookSecret: fromEnvironment(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 letters, digits, _ or - (is TELEGRAM_WEBHOOK_SECRET set?)')
        .optional()
        .describe('Webhook mode: the `secret_token` given to `setWebhook`; every update must carry it in `X-Telegram-Bot-Api-Secret-Token` (checked in constant time). Keep it in the environment: `${TELEGRAM_WEBHOOK_SECRET}`.'),
      'TELEGRAM_WEBHOOK_SECRET',
    ),
    ownUserIds: z
      .array(z.number().int().positive())
      .default([])
      .describe('Telegram user ids of the service\'s own people (support staff): their messages are skipped. Bots, anonymous admins and the channel\'s own posts are always skipped.'),
    edits: z
      .boolean()
      .default(true)
      .describe('Store an edited message as a new revision (`telegram:<chat>:<message>:e<edit_date>`); off: edits are skipped.'),
    pollInterval: period('10s', 'How often a poll starts (one poll cluster-wide; a poll waits up to longPollTimeout for the first update).'),
    longPollTimeout: duration()
      .default('10s')
      .refine((ms) => ms <= 50_000, 'must be at most 50s')
      .describe('`getUpdates` timeout: how long the first request of a poll waits for an update (long polling; `0s` asks and returns at once). It holds one poll-worker slot meanwhile.'),
    maxPagesPerPoll: pagesPerPoll('Pages of 100 updates fetched per poll at most; the rest follows in the next polls (Telegram keeps updates for 24 hours).'),
    apiRoot: httpUrl('Replaces `https://api.telegram.org` (a local Bot API server, or a fake server in tests). Default: the real API.').optional(),
    requestTimeout: period('30s', 'A request with no answer for this long (plus the long-poll wait) fails and is retried with backoff.'),
  })
  .strict()
  .refine((s) => s.mode !== 'webhook' || s.webhookSecret !== undefined, { message: 'webhook mode needs webhookSecret (`${TELEGRAM_WEBHOOK_SECRET}`)', path: ['webhookSecret'] })
  .describe('One Telegram bot reading the support group and the channel\'s discussion group.');

export const telegramSourcesSchema = z.array(telegramSourceSchema).default([]).superRefine(uniqueNames('source')).describe('Telegram bots to poll.');

export type TelegramSourceInput = z.input<typeof telegramSourceSchema>;
export type TelegramSourceConfig = z.output<typeof telegramSourceSchema>;
