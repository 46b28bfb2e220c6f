/**
 * The beta testers' report: validation, the Message it becomes, the form's signed CSRF token and the
 * contact masking. No IO; time and ids are arguments.
 */
import { z } from 'zod';
import type { Message } from '../domain/message.js';
import { hashAuthor } from '../platform/hash.js';

const text = (max: number, what: string) => z.string().trim().max(max, `${what}: at most ${max} characters`);

export const reportBodySchema = z
  .object({
    doing: text(2000, 'What were you doing').default('').describe('What the tester was doing.'),
    wrong: text(4000, 'What went wrong').pipe(z.string().min(3, 'What went wrong: please write at least 3 characters')).describe('What went wrong (required).'),
    expected: text(2000, 'How should it have worked').default('').describe('How it should have worked.'),
    contact: text(200, 'Contact').default('').describe('Optional e-mail or handle; stored hashed as author and masked in meta.'),
    website: z.string().max(2000).optional().describe('Honeypot: humans leave it empty (hidden field).'),
    _csrf: z.string().max(200).optional().describe('The signed token embedded in the form (or the x-csrf-token header).'),
    embed: z.string().max(5).optional().describe('1 when the form is shown in an iframe (keeps the compact layout).'),
  })
  .strict();

export type ReportBody = z.infer<typeof reportBodySchema>;

/** Reference for the report form tokens: valid this long after the form was served. */
export const FORM_TOKEN_TTL_MS = 24 * 3_600_000;

/** `<issued at>.<mac>`; the form is public, so the token is bound to time, not to a session. */
export function issueFormToken(sign: (value: string) => string, now: number): string {
  return `${now}.${sign(`report-form:${now}`)}`;
}

export function checkFormToken(verify: (value: string, mac: string) => boolean, token: string | undefined, now: number): boolean {
  if (!token) return false;
  const match = /^(\d{10,16})\.([\w-]{20,100})$/.exec(token);
  if (!match) return false;
  const issued = Number(match[1]);
  if (issued > now + 60_000 || now - issued > FORM_TOKEN_TTL_MS) return false;
  return verify(`report-form:${issued}`, match[2] as string);
}

/** `jane@example.com` → `j***@example.com`; `@handle` / phone → first two and last two characters. */
export function maskContact(contact: string): string {
  const at = contact.indexOf('@');
  if (at > 0) return `${contact.slice(0, 1)}***${contact.slice(at)}`;
  if (contact.length <= 4) return '***';
  return `${contact.slice(0, 2)}***${contact.slice(-2)}`;
}

/**
 * The Message a report becomes: the three answers kept apart in `meta.report` and joined (what went
 * wrong first) for classification. The contact never reaches the store in clear: `author` is its hash
 * (reports of one tester group together), `meta.contact` is masked.
 */
export function reportToMessage(body: ReportBody, options: { now: number; uuid: string; authorKey: string; source?: string; userAgent?: string | null }): Message {
  const parts = [body.wrong, body.doing, body.expected].filter((p) => p.length > 0);
  return {
    id: `form:${options.uuid}`,
    channel: 'beta_form',
    source: options.source ?? 'report-form',
    author: body.contact ? hashAuthor(options.authorKey, body.contact) : null,
    text: parts.join('\n\n'),
    lang: null,
    createdAt: new Date(options.now).toISOString(),
    link: null,
    meta: {
      report: { doing: body.doing, wrong: body.wrong, expected: body.expected },
      ...(body.contact ? { contact: maskContact(body.contact) } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent.slice(0, 300) } : {}),
    },
  };
}

/** Field → first problem, for the server-rendered form. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= issue.message;
  }
  return out;
}
