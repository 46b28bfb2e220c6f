/**
 * The `alerting` section of the service config: rules (how anomalies become alerts), on-call (who owns
 * them), notifiers (where they go), ack links and evidence. Every field has a default, so a config with
 * no `alerting` section alerts to a `log` notifier and one default on-call person.
 */
import { z } from 'zod';
import { duration } from './duration.js';
import { fromEnvironment } from './secret.js';

const DIRECTIONS = ['up', 'down'] as const;

/** The languages notifications are written in (the dashboard's languages; English is the catalogue's key). */
export const NOTIFICATION_LANGS = ['en', 'ru'] as const;
export type NotificationLang = (typeof NOTIFICATION_LANGS)[number];
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const glob = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_.*?:-]+$/, 'must be a series name or a glob (letters, digits, _ . - : and the wildcards * ?)');

const ruleSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Rule name (in alert labels and ids).'),
    match: z.array(glob).min(1).describe('Series this rule applies to: names or globs (`*` any run of characters, `?` one). The first rule that matches a series wins.'),
    directions: z.array(z.enum(DIRECTIONS)).min(1).default(['up', 'down']).describe('Which anomaly directions count (complaints: only `up`).'),
    minScore: z.number().min(0).max(1).default(0).describe('Anomalies with a lower detector score are ignored.'),
    for: duration()
      .default(0)
      .describe(
        'How long an anomaly must hold (from its first point) before the alert fires. Default 0: the built-in detector already waits for evidence and fires once per event; set it for inputs that flag every anomalous point.',
      ),
    resolveHold: duration().default('10m').describe('How long every series must be back in band before the alert resolves. Shorter dips keep it one alert (flap protection).'),
    repeatInterval: duration().default('4h').describe('An unacknowledged firing alert is re-sent this often.'),
    groupInterval: duration().default('5m').describe('Shortest time between an alert\'s notification and an update saying more series joined it.'),
    worseFactor: z
      .number()
      .min(0)
      .default(2)
      .refine((x) => x === 0 || x > 1, 'must be 0 (never) or more than 1')
      .describe(
        'A firing alert is paged again (`worse`) when a series moves this many times further from normal (value − expected at its peak) than when it was last paged, at most every `groupInterval`; also while acknowledged. 0: never.',
      ),
    group: z
      .enum(['rule', 'series', 'category'])
      .default('rule')
      .describe(
        'rule: every matching series anomalous at the same time is one incident (one alert); series: one alert per series; category: one incident per complaint category (complaints.<category>); the total, channel and language series join the incident of the category whose series moved with them (else the latest open one).',
      ),
    severity: z.enum(['info', 'warning', 'critical']).default('warning').describe('Severity label on the alert.'),
  })
  .strict();

const personSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Stable id used in rotation, overrides and acks.'),
    name: z.string().min(1).describe('Display name in notifications.'),
    email: z.string().email().optional().describe('Where the e-mail notifier writes when this person owns an alert.'),
    telegramChatId: z.union([z.string(), z.number()]).optional().describe('Telegram chat id for direct messages (used by telegram notifiers with `toOwner`).'),
    slackUserId: z.string().optional().describe('Slack member id (U0123...) to mention in Slack notifications.'),
  })
  .strict();

const rotationSchema = z
  .object({
    people: z.array(z.string()).min(1).optional().describe('Person ids in rotation order (default: every person, in the order listed).'),
    start: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
      .default('2026-01-05')
      .describe('Local date (in `timezone`) of a hand-over to the first person in the list.'),
    handover: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM')
      .default('10:00')
      .describe('Local time of day (in `timezone`) the shift changes hands.'),
    shiftDays: z.number().int().min(1).max(366).default(7).describe('Length of one shift in days (7: weekly rotation, 1: daily).'),
  })
  .strict();

const scheduleSlotSchema = z
  .object({
    person: z.string().describe('Person id on call during this slot.'),
    days: z.array(z.enum(DAY_NAMES)).min(1).default([...DAY_NAMES]).describe('Days of the week (local) the slot starts on.'),
    from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM').describe('Local start time.'),
    to: z
      .string()
      .regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be a time HH:MM')
      .describe('Local end time (exclusive); earlier than `from` means it ends on the next day.'),
  })
  .strict();

const localOrIsoDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/,
    'must be a date-time YYYY-MM-DDTHH:MM (local to `timezone`) or ISO 8601 with an offset',
  );

const overrideSchema = z
  .object({
    person: z.string().describe('Person id on call instead of the rotation.'),
    from: localOrIsoDateTime.describe('Start (local to `timezone` unless it has an offset).'),
    to: localOrIsoDateTime.describe('End, exclusive.'),
    reason: z.string().optional().describe('Why (shown by `radar alerts test-route`).'),
  })
  .strict();

const escalationSchema = z
  .object({
    after: duration().default('15m').describe('An alert unacknowledged this long after its owner got it passes to the next person; 0 never escalates.'),
    to: z.array(z.string()).default([]).describe('Escalation chain of person ids (default: the people after the owner in rotation order).'),
    maxSteps: z.number().int().min(0).max(20).optional().describe('At most this many escalations per alert (default: the chain length).'),
  })
  .strict();

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not an IANA time zone (e.g. Europe/Moscow, UTC)' },
);

export const DEFAULT_PERSON = { id: 'oncall', name: 'On-call engineer' } as const;

const oncallSchema = z
  .object({
    timezone: timeZone.default('UTC').describe('IANA time zone of hand-over times, schedules and overrides.'),
    people: z.array(personSchema).min(1).default([{ ...DEFAULT_PERSON }]).describe('Everyone who can be on call.'),
    rotation: rotationSchema.default({}).describe('Who is on call by default: shifts of `shiftDays`, handed over at `handover`.'),
    schedule: z
      .array(scheduleSlotSchema)
      .default([])
      .describe('Weekly slots that take precedence over the rotation (e.g. a night shift); the last matching slot wins.'),
    overrides: z.array(overrideSchema).default([]).describe('One-off replacements (holidays, swaps); they beat schedule and rotation; the last matching wins.'),
    escalation: escalationSchema.default({}).describe('What happens when the owner does not acknowledge.'),
  })
  .strict()
  .superRefine((value, ctx) => {
    const ids = new Set<string>();
    value.people.forEach((p, i) => {
      if (ids.has(p.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['people', i, 'id'], message: `duplicate person id "${p.id}"` });
      ids.add(p.id);
    });
    const check = (id: string, path: (string | number)[]) => {
      if (!ids.has(id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `unknown person "${id}" (not in oncall.people)` });
    };
    value.rotation.people?.forEach((id, i) => check(id, ['rotation', 'people', i]));
    value.schedule.forEach((s, i) => check(s.person, ['schedule', i, 'person']));
    value.overrides.forEach((o, i) => check(o.person, ['overrides', i, 'person']));
    value.escalation.to.forEach((id, i) => check(id, ['escalation', 'to', i]));
  });

const common = {
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').optional().describe('Unique notifier name (default: its type).'),
  sendResolved: z.boolean().default(true).describe('Also send a message when the alert resolves.'),
  timeout: duration().default('10s').describe('Give up on one request after this long (then it is retried).'),
};

const logNotifier = z
  .object({
    type: z.literal('log').describe('Write the notification to the service log.'),
    ...common,
    level: z.enum(['info', 'warn', 'error']).default('warn').describe('Log level of the line.'),
  })
  .strict();

const webhookNotifier = z
  .object({
    type: z.literal('webhook').describe('POST the alert as JSON to a URL.'),
    ...common,
    url: z.string().url().describe('Receiver URL (put tokens in the environment: `${ALERT_WEBHOOK_URL}`).'),
    headers: z.record(z.string()).default({}).describe('Extra request headers (e.g. Authorization: `Bearer ${TOKEN}`).'),
  })
  .strict();

const slackNotifier = z
  .object({
    type: z.literal('slack').describe('Slack incoming webhook.'),
    ...common,
    webhookUrl: fromEnvironment(z.string().url().describe('The incoming-webhook URL: `${SLACK_WEBHOOK_URL}`.'), 'SLACK_WEBHOOK_URL'),
    channel: z.string().optional().describe('Channel override (legacy webhooks only).'),
  })
  .strict();

const telegramNotifier = z
  .object({
    type: z.literal('telegram').describe('Telegram Bot API sendMessage.'),
    ...common,
    botToken: fromEnvironment(z.string().min(1).describe('Bot token from @BotFather: `${TELEGRAM_BOT_TOKEN}`.'), 'TELEGRAM_BOT_TOKEN'),
    chatId: z.union([z.string(), z.number()]).optional().describe('Team chat id; used when the owner has no telegramChatId or `toOwner` is false.'),
    toOwner: z.boolean().default(true).describe('Message the owner directly when they have a telegramChatId.'),
    apiUrl: z.string().url().default('https://api.telegram.org').describe('Bot API base URL (change for a local Bot API server).'),
  })
  .strict()
  .refine((n) => n.chatId !== undefined || n.toOwner, { message: 'needs chatId, or toOwner with people that have telegramChatId' });

const emailNotifier = z
  .object({
    type: z.literal('email').describe('E-mail over SMTP (nodemailer).'),
    ...common,
    host: z.string().min(1).describe('SMTP server host.'),
    port: z.number().int().min(1).max(65535).default(587).describe('SMTP port (465 implies TLS).'),
    secure: z.boolean().optional().describe('TLS from the start (default: port 465); otherwise STARTTLS when offered.'),
    user: z.string().optional().describe('SMTP user.'),
    password: fromEnvironment(z.string().optional().describe('SMTP password: `${SMTP_PASSWORD}`.'), 'SMTP_PASSWORD'),
    from: z.string().min(3).describe('From address, e.g. `"Complaint radar" <radar@example.com>`.'),
    to: z.array(z.string().email()).default([]).describe('Always-copied addresses (team list).'),
    toOwner: z.boolean().default(true).describe('Also write to the owner\'s e-mail.'),
    rejectUnauthorized: z.boolean().default(true).describe('Reject invalid TLS certificates.'),
  })
  .strict();

const alertmanagerNotifier = z
  .object({
    type: z.literal('alertmanager').describe('Prometheus Alertmanager (POST /api/v2/alerts).'),
    ...common,
    url: z.string().url().describe('Alertmanager base URL, e.g. http://alertmanager:9093.'),
    labels: z.record(z.string()).default({}).describe('Extra labels on every alert (e.g. team: support).'),
    ttl: duration().default('24h').describe('endsAt of a firing alert is this far ahead, so Alertmanager resolves it if we vanish.'),
    headers: z.record(z.string()).default({}).describe('Extra request headers (e.g. Authorization).'),
  })
  .strict();

export const NOTIFIER_TYPES = ['log', 'webhook', 'slack', 'telegram', 'email', 'alertmanager'] as const;

const notifierSchema = z.union([logNotifier, webhookNotifier, slackNotifier, telegramNotifier, emailNotifier, alertmanagerNotifier]);

const ackSchema = z
  .object({
    secret: fromEnvironment(
      z
        .string()
        .optional()
        .describe('HMAC secret of signed ack links (`${RADAR_ACK_SECRET}`, at least 32 characters); default: auth.sessionSecret. Empty: no links.'),
      'RADAR_ACK_SECRET',
    ),
    ttl: duration().default('7d').describe('How long an ack link stays valid.'),
  })
  .strict()
  .refine((a) => a.secret === undefined || a.secret === '' || a.secret.length >= 32, {
    message: 'secret must be at least 32 characters',
    path: ['secret'],
  });

const evidenceSchema = z
  .object({
    window: duration().default('15m').describe('Counts, channel split and rising terms cover this last stretch.'),
    baseline: duration().default('7d').describe('Rising terms are compared with this period before the window.'),
    examples: z.number().int().min(0).max(10).default(5).describe('Example messages per alert (PII masked).'),
    risingTerms: z.number().int().min(0).max(20).default(5).describe('Rising terms listed per alert.'),
    correlated: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe(
        'Other watched series that moved with the alert (errors.auth ×9, started 3 min earlier) listed per alert, best first. Two alerts whose onsets are within `correlationWindow` and which list each other are one incident (one page). 0: neither.',
      ),
    correlationWindow: duration()
      .default('15m')
      .describe('How far before or after an alert\'s onset another series may start moving and still count as moving with it.'),
    labels: z
      .record(z.string())
      .default({})
      .describe('Display names of series, e.g. `complaints.login: Login complaints` (default: derived from the name).'),
  })
  .strict();

export const DEFAULT_RULES = [
  { name: 'complaints', match: ['complaints', 'complaints.*'], directions: ['up'] as ('up' | 'down')[], group: 'category' as const },
  { name: 'metrics', match: ['*'], group: 'series' as const },
];

export const alertingConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Turn alert evaluation off entirely.'),
    rules: z
      .array(ruleSchema)
      .min(1)
      .default(DEFAULT_RULES)
      .describe('Alert rules, first match wins. Default: complaint rises, one incident per category (the total and channel series join it), and one alert per other series.'),
    oncall: oncallSchema.default({}).describe('Who owns an alert.'),
    notifiers: z.array(notifierSchema).min(1).default([{ type: 'log' }]).describe('Where notifications go; each (alert, notifier) is its own retried job.'),
    ack: ackSchema.default({}).describe('Signed acknowledgement links in notifications.'),
    dashboardUrl: z.string().url().optional().describe('Base URL of the dashboard for links in alerts (default: server.publicUrl).'),
    language: z
      .enum(NOTIFICATION_LANGS, {
        errorMap: (issue, ctx) =>
          issue.code === 'invalid_enum_value'
            ? { message: `must be ${NOTIFICATION_LANGS.join(' or ')} (the language notifications are written in), not ${JSON.stringify(issue.received)}` }
            : { message: ctx.defaultError },
      })
      .default('en')
      .describe(
        'Language of every notification (Slack, Telegram, e-mail, webhook and Alertmanager text): `en` or `ru`, worded from the dashboard\'s catalogue with numbers and weekdays for the locale. Each queued notification keeps the language it was decided in.',
      ),
    evidence: evidenceSchema.default({}).describe('What every alert carries.'),
  })
  .strict()
  .superRefine((value, ctx) => {
    const names = new Set<string>();
    value.notifiers.forEach((n, i) => {
      const name = n.name ?? n.type;
      if (names.has(name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['notifiers', i, 'name'], message: `duplicate notifier name "${name}" (give each a name)` });
      }
      names.add(name);
    });
    const rules = new Set<string>();
    value.rules.forEach((r, i) => {
      if (rules.has(r.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i, 'name'], message: `duplicate rule name "${r.name}"` });
      rules.add(r.name);
    });
  })
  .describe('Alerting: rules, on-call, notifiers.');

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;
export type AlertRuleConfig = AlertingConfig['rules'][number];
export type OncallConfig = AlertingConfig['oncall'];
export type PersonConfig = OncallConfig['people'][number];
export type NotifierConfig = AlertingConfig['notifiers'][number];
export type NotifierType = NotifierConfig['type'];

/** The defaults, as the service sees them with no `alerting` section at all. */
export function defaultAlertingConfig(): AlertingConfig {
  return alertingConfigSchema.parse({});
}

/** The name a notifier is known by (its `name`, else its type). */
export function notifierName(config: NotifierConfig): string {
  return config.name ?? config.type;
}
