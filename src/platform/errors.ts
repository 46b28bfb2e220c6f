/**
 * Errors carry a stable code, context (never secrets) and a cause, and say whether a retry could help.
 * Codes are listed here so docs and tests can check them.
 */
export const ERROR_CODES = {
  ERR_CONFIG: 'configuration file is invalid',
  ERR_CONFIG_NOT_FOUND: 'configuration file not found',
  ERR_REDIS_UNAVAILABLE: 'Redis does not answer',
  ERR_LOCK_LOST: 'a lock lease was lost (another holder may run)',
  ERR_DB: 'database error',
  ERR_SCHEMA_OUTDATED: 'the database schema lacks migrations (run radar migrate)',
  ERR_INVALID_MESSAGE: 'message does not match the schema',
  ERR_CLASSIFY: 'classification failed',
  ERR_SOURCE: 'source failed',
  ERR_SOURCE_AUTH: 'source rejected the credentials',
  ERR_RATE_LIMITED: 'rate limited by the remote API',
  ERR_NOTIFY: 'notification failed',
  ERR_NOT_FOUND: 'not found',
  ERR_BAD_CURSOR: 'a page cursor is not one the API gave',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface RadarErrorOptions {
  readonly context?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
  /** Could the same operation succeed if tried again later? Defaults to false. */
  readonly retryable?: boolean;
}

export class RadarError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: RadarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RadarError';
    this.code = code;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }
}

export function isRadarError(error: unknown, code?: ErrorCode): error is RadarError {
  return error instanceof RadarError && (code === undefined || error.code === code);
}

/** A short, safe one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof RadarError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What a log line keeps of an error: its type, message, code and context, stack, and the causes behind it. */
export interface ErrorDetails {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly context?: Readonly<Record<string, unknown>>;
  readonly retryable?: boolean;
  readonly stack?: string;
  readonly cause?: ErrorDetails;
}

const MAX_CAUSES = 5;

/**
 * An error as structured data for logs (the `err` serializer of `platform/log`): unlike
 * `describeError`, it keeps the stack and the chain of causes. Non-errors become `{type, message}`.
 */
export function errorDetails(error: unknown, depth = 0): ErrorDetails {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = error instanceof RadarError ? error.code : (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    ...(error instanceof RadarError && Object.keys(error.context).length > 0 ? { context: error.context } : {}),
    ...(error instanceof RadarError ? { retryable: error.retryable } : {}),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(cause !== undefined && depth < MAX_CAUSES ? { cause: errorDetails(cause, depth + 1) } : {}),
  };
}
