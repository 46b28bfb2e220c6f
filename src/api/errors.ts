import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError, type ZodType, type ZodTypeDef } from 'zod';
import { RadarError, type ErrorCode } from '../platform/errors.js';

/** HTTP errors with a stable code: `{ error: <code>, message, field? }`. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_NOT_FOUND: 404,
  ERR_INVALID_MESSAGE: 400,
  ERR_REDIS_UNAVAILABLE: 503,
  ERR_DB: 503,
};

/** Validates `value` (a body, query or params) with a schema; a failure is a 400 that names the field. */
export function parseInput<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown, where: 'body' | 'query' | 'params'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [where, ...(issue?.path ?? [])].map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
  throw new HttpError(400, 'ERR_VALIDATION', `${field}: ${issue?.message ?? 'invalid'}`, field);
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HttpError) {
    void reply.status(error.status).send({ error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) });
    return;
  }
  if (error instanceof ZodError) {
    void reply.status(400).send({ error: 'ERR_VALIDATION', message: error.issues[0]?.message ?? 'invalid' });
    return;
  }
  if (error instanceof RadarError) {
    const status = STATUS[error.code] ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(status).send({ error: error.code, message: error.message });
    return;
  }
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (typeof e.statusCode === 'number' && e.statusCode < 500) {
    void reply.status(e.statusCode).send({ error: e.code ?? 'ERR_BAD_REQUEST', message: e.message ?? 'bad request' });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send({ error: 'ERR_INTERNAL', message: 'internal error' });
}
