/**
 * What a failed Bot API request means for the worker: 401 (token revoked) and 404 (no bot with this
 * token) stop the source; 429 waits `parameters.retry_after` seconds; 409 (a webhook is set, or another
 * process reads this bot's updates) is an operator's matter, not retried in a loop; 5xx and transport
 * failures are retried with backoff. Messages never include the token.
 */
import { GrammyError, HttpError } from 'grammy';
import { RadarError } from '../../platform/errors.js';
import { SourceAuthError, SourceRateLimitError } from '../poll.js';

/** A 429 without `retry_after`: wait this long. */
export const DEFAULT_RETRY_AFTER_MS = 5_000;

export class TelegramApiError extends RadarError {
  constructor(source: string, message: string, retryable: boolean, readonly status: number | null = null) {
    super('ERR_SOURCE', message, { context: { source, status }, retryable });
    this.name = 'TelegramApiError';
  }
}

const clip = (text: string) => text.replace(/\s+/g, ' ').slice(0, 200);

export function mapTelegramError(source: string, error: unknown, now: number): Error {
  if (error instanceof RadarError) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    if (code === 429) {
      const after = error.parameters.retry_after;
      const resetAt = now + (typeof after === 'number' && after > 0 ? after * 1000 : DEFAULT_RETRY_AFTER_MS);
      return new SourceRateLimitError(source, resetAt, { limit: null, remaining: 0, resetAt });
    }
    if (code === 401 || code === 404) return new SourceAuthError(source, `Telegram rejected the bot token (HTTP ${code}: ${clip(error.description)})`);
    if (code === 409) return new TelegramApiError(source, `Telegram refused getUpdates (HTTP 409: ${clip(error.description)}); delete the bot's webhook, or stop the other reader of this bot`, false, code);
    if (code >= 500) return new TelegramApiError(source, `Telegram answered HTTP ${code}: ${clip(error.description)}`, true, code);
    return new TelegramApiError(source, `Telegram refused the request (HTTP ${code}: ${clip(error.description)})`, false, code);
  }
  if (error instanceof HttpError) {
    const inner = error.error instanceof Error ? error.error : null;
    const why = inner === null ? clip(error.message) : inner.name === 'AbortError' ? 'request timeout' : clip(inner.message);
    return new TelegramApiError(source, `Telegram request failed: ${why}`, true);
  }
  return error instanceof Error ? error : new Error(String(error));
}
