/**
 * The `helpdesk` sources: one entry per help desk (Zendesk, Jira Service Management, Freshdesk, Zammad,
 * Intercom). Each may receive webhooks at `POST /api/hooks/<name>` (checked with the vendor's own
 * signature), be polled through the vendor's incremental API (Zendesk, Freshdesk), or both; the message
 * ids are the same either way where the vendor gives comment ids, so nothing is stored twice.
 */
import { z } from 'zod';
import { sourceName, httpUrl, period, pagesPerPoll } from './source-fields.js';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';
import { uniqueNames } from './unique-names.js';

export const HELPDESK_VENDORS = ['zendesk', 'jira', 'freshdesk', 'zammad', 'intercom'] as const;
export type HelpdeskVendor = (typeof HELPDESK_VENDORS)[number];
/** Vendors whose incremental API the poller speaks. */
export const POLLED_VENDORS = ['zendesk', 'freshdesk'] as const satisfies readonly HelpdeskVendor[];

const secret = fromEnvironment(
  z.string().min(8, 'must be at least 8 characters (is the variable set?)').describe('A webhook signing secret (or, for Freshdesk, the shared secret); keep it in the environment: `${HELPDESK_WEBHOOK_SECRET}`. Never logged.'),
  'HELPDESK_WEBHOOK_SECRET',
);

const webhookSchema = z
  .object({
    secrets: z
      .array(secret)
      .min(1, 'must name at least one secret')
      .max(4)
      .describe(
        'Secrets a delivery may be signed with: the current one, and the previous one while rotating. Zendesk: the webhook\'s signing secret; Jira: the webhook\'s `secret`; Zammad: the trigger\'s HMAC SHA1 token; Intercom: the app\'s client secret; Freshdesk (no signatures): the value of the `X-Radar-Webhook-Secret` header or the Basic-auth password.',
      ),
    tolerance: duration()
      .default('5m')
      .refine((ms) => ms >= 1000 && ms <= 24 * 3600_000, 'must be between 1s and 24h')
      .describe('Zendesk: a delivery whose signed timestamp is further than this from now is refused as a replay.'),
    maxEventAge: duration()
      .default('24h')
      .refine((ms) => ms >= 60_000, 'must be at least 1m')
      .describe('Jira and Intercom sign the event\'s own time (in the body): a delivery whose event is older than this is refused as a replay. Re-deliveries inside the window are idempotent by message id.'),
  })
  .strict()
  .describe('Inbound webhooks at `POST /api/hooks/<name>`. Requests without a valid signature are refused (401) and counted.');

const pollSchema = z
  .object({
    email: z
      .string()
      .email()
      .optional()
      .describe('Zendesk: the agent e-mail the API token belongs to (Basic auth `<email>/token:<token>`).'),
    token: fromEnvironment(
      z.string().min(1, 'must not be empty (is HELPDESK_API_TOKEN set?)').describe('API token (Zendesk) or API key (Freshdesk): `${HELPDESK_API_TOKEN}`. Never logged.'),
      'HELPDESK_API_TOKEN',
    ),
    interval: period('60s', 'How often the help desk is polled (one poll cluster-wide). Zendesk allows 10 incremental-export requests a minute.'),
    lookback: duration()
      .default('1h')
      .describe('First poll only (no cursor yet): how far back to read.'),
    maxPagesPerPoll: pagesPerPoll('Pages read per poll at most; the rest follows in the next polls (nothing is skipped).'),
    requestTimeout: period('30s', 'A request with no answer for this long fails and is retried from the cursor.'),
    apiBase: httpUrl('Where the API is reached when not at `url` (a proxy, or a local fake server in tests).').optional(),
  })
  .strict()
  .describe('Polling through the vendor\'s incremental API (Zendesk ticket events, Freshdesk updated tickets), the fallback when webhooks cannot reach the radar.');

export const helpdeskSourceSchema = z
  .object({
    name: sourceName('Source name: the webhook URL is `/api/hooks/<name>`; shown on every message it produces. Unique across all sources.'),
    vendor: z.enum(HELPDESK_VENDORS).describe('Which help desk: zendesk, jira (Jira Service Management), freshdesk, zammad or intercom.'),
    url: httpUrl('Base URL of the help desk (`https://acme.zendesk.com`, `https://acme.atlassian.net`, `https://acme.freshdesk.com`, `https://support.acme.com` for Zammad, `https://app.intercom.com/a/apps/<app id>` for Intercom): ticket links are made from it.'),
    webhook: webhookSchema.optional(),
    poll: pollSchema.optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    if (entry.webhook === undefined && entry.poll === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['webhook'], message: 'set webhook, poll or both' });
    if (entry.poll !== undefined && !(POLLED_VENDORS as readonly string[]).includes(entry.vendor)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['poll'], message: `polling is supported for ${POLLED_VENDORS.join(' and ')}; use webhook for ${entry.vendor}` });
    }
    if (entry.poll !== undefined && entry.vendor === 'zendesk' && entry.poll.email === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['poll', 'email'], message: 'Zendesk polling needs the e-mail of the API token\'s agent' });
    }
  })
  .describe('One help desk: webhooks, polling, or both.');

export const helpdeskSourcesSchema = z
  .array(helpdeskSourceSchema)
  .default([])
  .superRefine(uniqueNames('source'))
  .describe('Help desks (Zendesk, Jira Service Management, Freshdesk, Zammad, Intercom).');

export type HelpdeskSourceInput = z.input<typeof helpdeskSourceSchema>;
export type HelpdeskSourceConfig = z.output<typeof helpdeskSourceSchema>;
