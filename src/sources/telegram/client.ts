/**
 * The real grammY Bot API client for one source, `apiRoot` pointed at `config.apiRoot` (a local Bot
 * API server, or a fake one in tests). grammY does not retry on its own (no auto-retry plugin): a failed
 * poll is retried by the poll worker. Its errors never carry the token (`sensitiveLogs` stays off).
 */
import { Api } from 'grammy';
import type { TelegramSourceConfig } from '../../config/telegram.js';

export const TELEGRAM_API_ROOT = 'https://api.telegram.org';

export function createTelegramApi(config: Pick<TelegramSourceConfig, 'botToken' | 'apiRoot' | 'requestTimeout' | 'longPollTimeout'>): Api {
  return new Api(config.botToken, {
    apiRoot: config.apiRoot ?? TELEGRAM_API_ROOT,
    timeoutSeconds: (config.requestTimeout + config.longPollTimeout) / 1000,
  });
}
