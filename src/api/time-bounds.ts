/**
 * The bounds of a time a client sends as data (a pushed message's `createdAt`, a pushed point's `t`):
 * the same rule as for polled messages (`timeProblem`), as a 400 that names the field.
 */
import { timeProblem } from '../queues/message-schema.js';
import { HttpError } from './errors.js';

/**
 * Throws a 400 `ERR_VALIDATION` naming `field` when `ms` is out of range, before 2000 or more than
 * `maxFutureSkewMs` after `now`.
 */
export function assertTimeInBounds(ms: number, now: number, maxFutureSkewMs: number, field: string): void {
  const problem = timeProblem(ms, now, maxFutureSkewMs);
  if (problem !== null) throw new HttpError(400, 'ERR_VALIDATION', `${field}: ${problem}`, field);
}
