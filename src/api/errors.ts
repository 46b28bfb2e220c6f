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

/** Unknown routes answer the documented shape: `{error: 'ERR_NOT_FOUND', message}`. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: 'ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}` });
}

/** Longest path segment the router takes (ack tokens and alert ids fit); longer is a 414. */
export const MAX_PARAM_LENGTH = 1024;

/**
 * Errors fastify raises before routing (fastify's `frameworkErrors` option): a path segment longer
 * than `MAX_PARAM_LENGTH` is 414 `ERR_URL_TOO_LONG`, a malformed percent-encoding 400 `ERR_BAD_URL`.
 * The offending URL is not echoed back (it may be huge).
 */
export function frameworkErrorHandler(error: { code?: string; statusCode?: number }, _request: FastifyRequest, reply: FastifyReply): void {
  // Answered before routing: the app's onSend hook does not run, so the headers are set here.
  void reply.header('Cache-Control', 'no-store').header('X-Content-Type-Options', 'nosniff');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send({ error: 'ERR_URL_TOO_LONG', message: `a path segment is longer than ${MAX_PARAM_LENGTH} characters` });
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.status(400).send({ error: 'ERR_BAD_URL', message: 'the URL is not valid (bad percent-encoding)' });
    return;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.status(status).send({ error: 'ERR_BAD_REQUEST', message: 'bad request' });
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
