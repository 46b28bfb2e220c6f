import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REPORT_CSP, renderReportForm, renderReportThanks, type ReportFormValues } from '../../dashboard/html.js';
import { pickUiLang, translator } from '../../dashboard/i18n.js';
import { checkFormToken, fieldErrors, issueFormToken, reportBodySchema, reportToMessage } from '../../dashboard/report.js';
import { RedisKeys } from '../../queues/keys.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { keyedHash } from '../../platform/hash.js';

const HOUR = 3_600_000;

/**
 * The per-IP counter key: `<prefix>:ratelimit:report:<ip hash>:<hour>`. The IP itself is not kept, and
 * its hash is keyed (`authorKey`): an unkeyed hash of an IPv4 address is reversed by trying them all.
 */
export function reportRateKey(prefix: string, ip: string, now: number, authorKey: string): string {
  const ipHash = keyedHash('ip', authorKey, ip, 16).slice('ip:'.length);
  return new RedisKeys(prefix).rateCounter('report', ipHash, Math.floor(now / HOUR));
}

function isFormPost(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

function formValues(body: unknown): Partial<ReportFormValues> {
  const b = (body ?? {}) as Record<string, unknown>;
  const pick = (k: string) => (typeof b[k] === 'string' ? (b[k] as string).slice(0, 5000) : '');
  return { doing: pick('doing'), wrong: pick('wrong'), expected: pick('expected'), contact: pick('contact') };
}

/** Framable pages: CSP with `frame-ancestors *` and no X-Frame-Options (set by the app's onSend hook). */
async function framable(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if ((reply.getHeader('content-type') ?? '').toString().startsWith('text/html')) {
    void reply.removeHeader('X-Frame-Options');
    void reply.header('Content-Security-Policy', REPORT_CSP);
  }
  return payload;
}

/**
 * `GET /report` (public form, works without JavaScript) and `POST /api/reports` (JSON or form post):
 * signed-token CSRF check, honeypot, zod validation, a per-IP hourly limit counted in Redis (shared by
 * every api process), then the report is queued for ingest as a `beta_form` Message.
 */
export function registerReportRoutes(app: FastifyInstance, deps: ApiDeps): void {
  if (!deps.config.reportForm.enabled) return;
  const log = deps.log.child({ module: 'report-form' });
  const limit = deps.config.reportForm.perIpPerHour;

  app.get('/report', { onSend: framable }, async (request, reply) => {
    const embed = (request.query as { embed?: string }).embed === '1';
    const token = issueFormToken((v) => deps.auth.sign(v), deps.clock.now());
    return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(renderReportForm({ token, embed, lang: pickUiLang(request) }));
  });

  app.post('/api/reports', { onSend: framable }, async (request, reply) => {
    const now = deps.clock.now();
    const form = isFormPost(request);
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const embed = raw.embed === '1';
    const lang = pickUiLang(request);
    const t = translator(lang);
    const again = (status: number, errors: Record<string, string>, notice?: string) =>
      reply
        .status(status)
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send(renderReportForm({ token: issueFormToken((v) => deps.auth.sign(v), now), embed, values: formValues(raw), errors, lang, ...(notice ? { notice } : {}) }));

    const header = request.headers['x-csrf-token'];
    const token = typeof header === 'string' ? header : typeof raw._csrf === 'string' ? raw._csrf : undefined;
    if (!checkFormToken((v, mac) => deps.auth.verify(v, mac), token, now)) {
      if (form) return again(403, {}, t('The form expired. Please send it again.'));
      throw new HttpError(403, 'ERR_CSRF', 'missing or expired form token (GET /report embeds one)');
    }
    // Honeypot: a filled hidden field means a bot. It gets the same answer as a person, nothing is stored.
    if (typeof raw.website === 'string' && raw.website.trim() !== '') {
      log.info({ ip: request.ip }, 'report honeypot filled; dropped');
      const fakeId = `form:${randomUUID()}`;
      if (form) return reply.type('text/html; charset=utf-8').send(renderReportThanks({ embed, id: fakeId, lang }));
      return reply.status(202).send({ ok: true, id: fakeId, message: 'thank you, received' });
    }
    let body;
    if (form) {
      const parsed = reportBodySchema.safeParse(raw);
      if (!parsed.success) return again(400, fieldErrors(parsed.error));
      body = parsed.data;
    } else {
      // The answer's message in the page's language (report.js shows it beside the field); `field` stays a key.
      const parsed = reportBodySchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = ['body', ...(issue?.path ?? [])].join('.');
        throw new HttpError(400, 'ERR_VALIDATION', `${field}: ${t(issue?.message ?? 'invalid')}`, field);
      }
      body = parsed.data;
    }
    const key = reportRateKey(deps.config.redis.prefix, request.ip, now, deps.authorKey);
    const [[, count]] = (await deps.redis.multi().incr(key).pexpire(key, HOUR + 60_000).exec()) as [[Error | null, number]];
    if (count > limit) {
      const wait = Math.ceil((HOUR - (now % HOUR)) / 60_000);
      void reply.header('Retry-After', String(wait * 60));
      if (form) return again(429, {}, t('Too many reports from your network this hour. Please try again in {n} min.', { n: wait }));
      throw new HttpError(429, 'ERR_RATE_LIMITED', `at most ${limit} reports per hour; try again in ${wait} min`);
    }
    const message = reportToMessage(body, { now, uuid: randomUUID(), authorKey: deps.authorKey, userAgent: request.headers['user-agent'] ?? null });
    await deps.queues.enqueueMessages([message]);
    log.info({ id: message.id }, 'report received');
    if (form) return reply.type('text/html; charset=utf-8').send(renderReportThanks({ embed, id: message.id, lang }));
    return reply.status(202).send({ ok: true, id: message.id, message: 'thank you, received' });
  });
}
