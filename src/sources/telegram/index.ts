/** The Telegram source: config in `src/config/telegram.ts`, one poll handler serving every configured bot. */
export {
  createTelegramPollHandler,
  parseTelegramCursor,
  ALLOWED_UPDATES,
  UPDATES_PAGE_SIZE,
  type TelegramCursor,
  type TelegramHandlerDeps,
  type TelegramPollHandler,
  type TelegramPollResult,
} from './poll-handler.js';
export { createTelegramApi, TELEGRAM_API_ROOT } from './client.js';
export { mapTelegramError, TelegramApiError, DEFAULT_RETRY_AFTER_MS } from './errors.js';
export { cleanTelegramText, hashTelegramAuthor, updateToMessage, type TelegramOutcome } from './to-message.js';
