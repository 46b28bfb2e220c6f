import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import { errorDetails } from './errors.js';

export type { Logger } from 'pino';

/** Paths that may carry secrets; pino replaces them with "[redacted]". */
const REDACT = [
  'password', '*.password', 'token', '*.token', 'bearerToken', '*.bearerToken', 'authorization',
  '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'secret', '*.secret', 'apiKey', '*.apiKey', 'webhookUrl', '*.webhookUrl', 'botToken', '*.botToken',
  'webhookSecret', '*.webhookSecret', 'access_token', '*.access_token',
  'accessToken', '*.accessToken', 'appPassword', '*.appPassword', 'clientSecret', '*.clientSecret', 'refreshJwt', '*.refreshJwt', 'accessJwt', '*.accessJwt',
];

/** `err` / `error` fields: an Error keeps its stack, code, context and causes; anything else is logged as it is. */
function serializeError(value: unknown): unknown {
  return value instanceof Error ? errorDetails(value) : value;
}

/**
 * The service logger: JSON lines with `pid` and `hostname` on every line (many processes on many hosts
 * write to one log store), errors with their stack, secrets redacted; pretty on a terminal.
 */
export function createLogger(options: { level?: string; pretty?: boolean; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env.LOG_FORMAT !== 'json');
  const settings: pino.LoggerOptions = {
    level,
    base: { pid: process.pid, hostname: hostname() },
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(pretty && !options.destination
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

let root: Logger | undefined;

/** The process-wide root logger (created on first use). Modules take a child: `rootLogger().child({module})`. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

/** A logger that drops everything (tests, pure code that wants an optional logger). */
export const silentLogger: Logger = pino({ level: 'silent' });
