import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyAckToken } from '../../alerting/ack-token.js';
import { acknowledge } from '../../alerting/evaluate.js';
import { silenceProblems } from '../../alerting/silences.js';
import { ALERT_STATES, type Silence } from '../../domain/alert.js';
import { parseDuration } from '../../config/duration.js';
import type { ApiDeps } from '../deps.js';
import { HttpError, parseInput } from '../errors.js';
import { timeInput } from '../schemas.js';
import { escapeHtml } from '../../dashboard/html.js';

const silenceBody = z
  .object({
    series: z.string().max(200).nullable().optional(),
    category: z.string().max(100).nullable().optional(),
    startsAt: timeInput.optional(),
    endsAt: timeInput.optional(),
    duration: z.string().max(20).optional(),
    comment: z.string().max(1000).default(''),
  })
  .strict();

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2330}a{color:#2457c5}</style></head><body>${body}</body></html>`;
}

export function registerAlertRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** Alerts, newest first; `state=firing|pending|resolved|cancelled`. */
  app.get('/api/alerts', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(
      z.object({ state: z.enum(ALERT_STATES).optional(), limit: z.coerce.number().int().min(1).max(500).default(100), before: z.coerce.number().int().optional() }).strict(),
      request.query,
      'query',
    );
    return { items: await deps.store.alerts.list(q) };
  });

  app.get('/api/alerts/:id', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(300) }), request.params, 'params');
    const alert = await deps.store.alerts.get(id);
    if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no alert ${id}`);
    return { ...alert, events: await deps.store.alerts.events(id) };
  });

  /** Acknowledge: the owner takes it; escalation and repeats stop (resolved is still sent). */
  app.post('/api/alerts/:id/ack', { preHandler: app.requireRole('viewer') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(300) }), request.params, 'params');
    const alert = await deps.store.alerts.get(id);
    if (!alert) throw new HttpError(404, 'ERR_NOT_FOUND', `no alert ${id}`);
    if (alert.state !== 'firing') throw new HttpError(409, 'ERR_ALERT_STATE', `alert ${id} is ${alert.state}; only a firing alert can be acknowledged`);
    const { evidence: _evidence, ...plain } = alert;
    void _evidence;
    const acked = acknowledge(plain, request.principal?.name ?? 'unknown', deps.clock.now());
    await deps.store.alerts.acknowledge(acked);
    return acked;
  });

  /** The signed link in notifications: acknowledges without a login (the signature is the proof). */
  app.get('/ack/:token', async (request, reply) => {
    const { token } = parseInput(z.object({ token: z.string().min(1).max(600) }), request.params, 'params');
    const secret = deps.alerting?.ackSecret ?? null;
    void reply.type('text/html; charset=utf-8').header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    const check = secret === null ? ({ ok: false, reason: 'malformed' } as const) : verifyAckToken(token, secret, deps.clock.now());
    if (!check.ok) return reply.status(403).send(page('Link not valid', `<h1>This acknowledgement link is not valid</h1><p>Reason: ${escapeHtml(check.reason)}. Open the dashboard to acknowledge.</p>`));
    const alert = await deps.store.alerts.get(check.alertId);
    if (!alert) return reply.status(404).send(page('No such alert', '<h1>No such alert</h1>'));
    if (alert.state === 'firing' && alert.acknowledgedAt === null) {
      const { evidence: _e, ...plain } = alert;
      void _e;
      await deps.store.alerts.acknowledge(acknowledge(plain, alert.owner ?? 'ack link', deps.clock.now()));
    }
    const fresh = await deps.store.alerts.get(check.alertId);
    const when = fresh?.acknowledgedAt ? new Date(fresh.acknowledgedAt).toISOString() : null;
    return reply.send(
      page(
        'Acknowledged',
        when
          ? `<h1>Acknowledged</h1><p>Alert <code>${escapeHtml(check.alertId)}</code> was acknowledged by ${escapeHtml(fresh?.acknowledgedBy ?? '')} at ${escapeHtml(when)}.</p><p><a href="/#alerts">Open the dashboard</a></p>`
          : `<h1>Nothing to acknowledge</h1><p>Alert <code>${escapeHtml(check.alertId)}</code> is ${escapeHtml(fresh?.state ?? 'gone')}.</p><p><a href="/#alerts">Open the dashboard</a></p>`,
      ),
    );
  });

  app.get('/api/silences', { preHandler: app.requireRole('viewer') }, async (request) => {
    const q = parseInput(z.object({ all: z.enum(['true', 'false']).optional() }).strict(), request.query, 'query');
    return { items: await deps.store.alerts.silences(deps.clock.now(), q.all === 'true') };
  });

  /** A silence by series and/or category pattern and time range (`endsAt` or `duration`, default 1h). */
  app.post('/api/silences', { preHandler: app.requireRole('admin') }, async (request, reply) => {
    const body = parseInput(silenceBody, request.body, 'body');
    const now = deps.clock.now();
    const startsAt = body.startsAt ?? now;
    let endsAt = body.endsAt;
    if (endsAt === undefined) {
      const ms = parseDuration(body.duration ?? '1h');
      if (ms === null || ms <= 0) throw new HttpError(400, 'ERR_VALIDATION', `body.duration: "${body.duration}" is not a duration`, 'body.duration');
      endsAt = startsAt + ms;
    }
    const silence: Silence = {
      id: randomUUID(),
      series: body.series ?? null,
      category: body.category ?? null,
      startsAt,
      endsAt,
      createdBy: request.principal?.name ?? 'unknown',
      comment: body.comment,
    };
    const problems = silenceProblems(silence);
    if (problems.length > 0) throw new HttpError(400, 'ERR_VALIDATION', `body: ${problems.join('; ')}`, 'body');
    await deps.store.alerts.addSilence(silence);
    return reply.status(201).send(silence);
  });

  app.delete('/api/silences/:id', { preHandler: app.requireRole('admin') }, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(100) }), request.params, 'params');
    if (!(await deps.store.alerts.expireSilence(id, deps.clock.now()))) throw new HttpError(404, 'ERR_NOT_FOUND', `no silence ${id}`);
    return { id, expired: true };
  });
}
