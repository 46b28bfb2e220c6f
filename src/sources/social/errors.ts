/** Errors of a social network's API that are not auth or rate limits: retryable unless the request itself is wrong. */
import { RadarError } from '../../platform/errors.js';

export class SocialApiError extends RadarError {
  constructor(source: string, message: string, retryable: boolean, readonly status: number | null = null) {
    super('ERR_SOURCE', message, { context: { source, status }, retryable });
    this.name = 'SocialApiError';
  }
}

/** The first problem zod found, as `path: message` (for error messages and dead-letter reasons). */
export function firstProblem(error: { readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<string | number>; readonly message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
}
