import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths that may carry secrets; pino replaces them with "[redacted]". */
const REDACT = [
  'password', '*.password', 'token', '*.token', 'bearerToken', '*.bearerToken', 'authorization',
  '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'secret', '*.secret', 'apiKey', '*.apiKey', 'webhookUrl', '*.webhookUrl', 'botToken', '*.botToken',
];

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const pretty = options.pretty ?? (process.stdout.isTTY === true && process.env.LOG_FORMAT !== 'json');
  return pino({
    level,
    base: undefined,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
}

let root: Logger | undefined;

/** The process-wide root logger (created on first use). Modules take a child: `rootLogger().child({module})`. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

/** A logger that drops everything (tests, pure code that wants an optional logger). */
export const silentLogger: Logger = pino({ level: 'silent' });
