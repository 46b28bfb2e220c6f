/** A realistic notification (built by the pure core) for notifier tests. */
import type { Alert } from '../../../src/domain/alert.js';
import { newAlert, newMember } from '../../../src/alerting/new-alert.js';
import { alertingConfigSchema, type NotificationLang } from '../../../src/config/alerting.js';
import { translator } from '../../../src/dashboard/i18n.js';
import { buildEvidence } from '../../../src/alerting/evidence.js';
import { buildNotification, type Notification } from '../../../src/alerting/notification.js';
import { compileOncall } from '../../../src/alerting/oncall.js';
import type { NotificationKind } from '../../../src/domain/alert.js';

export const T = Date.UTC(2026, 10, 26, 11, 15);

export const oncall = compileOncall(
  alertingConfigSchema.parse({
    oncall: {
      timezone: 'Europe/Moscow',
      people: [
        { id: 'anna', name: 'Anna <Ops> & Co', email: 'anna@example.com', telegramChatId: 4242, slackUserId: 'U0ANNA' },
        { id: 'boris', name: 'Boris' },
      ],
    },
  }).oncall,
);

export const baseAlert: Alert = newAlert({
  id: 'complaints-mi3k2x0',
  rule: 'complaints',
  groupKey: 'complaints',
  severity: 'warning',
  state: 'firing',
  members: [newMember({ series: 'complaints.login', state: 'firing', since: T - 12 * 60_000, firingSince: T - 10 * 60_000, lastAnomalousAt: T, anomalies: 12 })],
  startsAt: T - 12 * 60_000,
  firingAt: T - 10 * 60_000,
  updatedAt: T,
  owner: 'anna',
  ownerSince: T - 10 * 60_000,
});

export function sampleNotification(
  options: { kind?: NotificationKind; exampleTexts?: string[]; owner?: string; alert?: Partial<Alert>; language?: NotificationLang; labels?: Record<string, string> } = {},
): Notification {
  const kind = options.kind ?? 'firing';
  const alert: Alert = {
    ...baseAlert,
    ...(kind === 'resolved' ? { state: 'resolved' as const, endedAt: T + 20 * 60_000 } : {}),
    ...options.alert,
  };
  const texts = options.exampleTexts ?? [
    'Не могу войти <script>alert(1)</script> & код не приходит',
    'Password reset "broken" — mail me at bob@example.com',
  ];
  const evidence = buildEvidence({
    alert,
    series: 'complaints.login',
    now: T,
    windowMs: 15 * 60_000,
    points: Array.from({ length: 15 }, (_, i) => ({ t: T - i * 60_000, value: 3, expected: 0.5, lower: 0, upper: 2 })),
    channelCounts: { twitter: 31, email: 15 },
    terms: { current: { password: 14, 'не могу войти': 9, '<b>': 3 }, baseline: { password: 10, order: 400 } },
    examples: texts.map((text, i) => ({ id: `m${i}`, channel: i % 2 === 0 ? 'twitter' : 'email', text, createdAt: '2026-11-26T11:05:00Z', link: null })),
    dashboardBaseUrl: 'https://radar.example.com',
    maxExamples: texts.length,
  });
  return buildNotification({
    intent: { key: `${alert.id}-${kind}-0`, kind, at: kind === 'resolved' ? T + 20 * 60_000 : T, owner: options.owner ?? 'anna' },
    alert,
    evidence,
    oncall,
    ack: { secret: 'x'.repeat(32), ttlMs: 86_400_000, baseUrl: 'https://radar.example.com' },
    ...(options.language !== undefined ? { language: { lang: options.language, t: translator(options.language) } } : {}),
    ...(options.labels !== undefined ? { labels: options.labels } : {}),
  });
}
