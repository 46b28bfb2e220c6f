/**
 * How the `radar` command reports a failure: one line per problem on stderr (`error: …`), never a
 * stack trace, then a non-zero exit. A config error gives one `file:line: key.path: what` line per
 * problem; a missing or unreadable file gives `error: <path>: file not found`.
 */
import { ConfigError } from '../config/config-error.js';
import { describeError, isRadarError } from '../platform/errors.js';

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
};

/** What went wrong, one line per problem, without a prefix (`missing.csv: file not found`). */
export function cliErrorLines(error: unknown): string[] {
  if (error instanceof ConfigError) return error.issues.map((i) => `${i.file}${i.line === null ? '' : `:${i.line}`}: ${i.path || '(root)'}: ${i.message}`);
  if (isRadarError(error)) return [error.message];
  const errno = error as NodeJS.ErrnoException | null;
  if (errno instanceof Error && typeof errno.code === 'string' && typeof errno.path === 'string' && FILE_ERRORS[errno.code] !== undefined) {
    return [`${errno.path}: ${FILE_ERRORS[errno.code]}`];
  }
  return [describeError(error).split('\n')[0] ?? 'unknown error'];
}

/** The text to print for `error` (one line per problem, each starting with `error: `). */
export function cliErrorText(error: unknown): string {
  return cliErrorLines(error).map((line) => `error: ${line}`).join('\n');
}

/** Prints `error` as `cliErrorText` does and exits with `code` (1 unless the command documents another). */
export function exitWithError(error: unknown, code = 1): never {
  process.stderr.write(`${cliErrorText(error)}\n`);
  process.exit(code);
}
