/**
 * `radar alerts test-route <series> [--at <time>]`: which rule, which incident, who is paged and who
 * next. `radar alerts test-notify [--only <name>]`: sends a test notification through each notifier.
 * Both read the `alerting` section of the service config (RADAR_CONFIG, else config/radar.yaml, else
 * the example).
 */
import type { Command } from 'commander';
import type { AlertingConfig } from '../config/alerting.js';
import { describeError } from '../platform/errors.js';
import { systemClock } from '../platform/clock.js';
import type { Alert } from '../domain/alert.js';
import { newAlert, newMember } from '../alerting/new-alert.js';

// The config schemas and the alerting core load when a command runs (`radar --help` does without them).
const alertingCore = () => import('../alerting/compile.js');

function fail(message: string): never {
  process.stderr.write(`radar alerts: ${message}\n`);
  process.exit(2);
}

async function loadAlerting(file: string | undefined): Promise<AlertingConfig> {
  const [{ z }, { alertingConfigSchema }, { parseConfigText }, { serviceConfigPath }] = await Promise.all([
    import('zod'), import('../config/alerting.js'), import('../config/load.js'), import('../config/service.js'),
  ]);
  const fileSchema = z.object({ alerting: alertingConfigSchema.default({}) }).passthrough();
  const path = file ?? serviceConfigPath();
  const { readFileSync, existsSync } = await import('node:fs');
  if (file !== undefined && !existsSync(file)) fail(`${file}: file not found`);
  if (!existsSync(path)) return alertingConfigSchema.parse({});
  try {
    return parseConfigText(readFileSync(path, 'utf8'), path, fileSchema).alerting;
  } catch (error) {
    fail(describeError(error));
  }
}

/** A firing alert on `series` at `now`, for test notifications. */
export function testAlert(series: string, owner: string, now: number): Alert {
  return newAlert({
    id: `test-${now.toString(36)}`,
    rule: 'test',
    groupKey: 'test',
    severity: 'info',
    state: 'firing',
    members: [newMember({ series, state: 'firing', since: now, firingSince: now })],
    startsAt: now,
    firingAt: now,
    owner,
    ownerSince: now,
  });
}

export function register(program: Command): void {
  const alerts = program.command('alerts').description('alert routing and notifier tools');
  alerts
    .command('test-route')
    .description('show which rule and incident a series falls under and who would be paged')
    .argument('<series>', 'series name, e.g. complaints.login')
    .option('--at <time>', 'when (YYYY-MM-DDTHH:MM local to the on-call time zone, or ISO 8601); default now')
    .option('-c, --config <file>', 'service config file')
    .action(async (series: string, flags: { at?: string; config?: string }) => {
      const config = await loadAlerting(flags.config);
      const [{ compileAlerting }, { formatRoute, routeSeries }, { parseLocalDateTime }] = await Promise.all([alertingCore(), import('../alerting/route.js'), import('../alerting/time-zone.js')]);
      const runtime = compileAlerting(config);
      const now = flags.at === undefined ? systemClock.now() : parseLocalDateTime(flags.at, runtime.oncall.timezone);
      if (now === null) fail(`--at: "${flags.at}" is not a date-time`);
      process.stdout.write(formatRoute(routeSeries(series, runtime, [], now), runtime.oncall.timezone, now));
      process.stdout.write('(silences live in the database; see GET /api/silences)\n');
    });
  alerts
    .command('test-notify')
    .description('send a test notification through every configured notifier (or one)')
    .option('--only <name>', 'just this notifier')
    .option('--series <series>', 'series named in the test alert', 'complaints.test')
    .option('-c, --config <file>', 'service config file')
    .action(async (flags: { only?: string; series: string; config?: string }) => {
      const config = await loadAlerting(flags.config);
      const [{ compileAlerting }, { buildNotification }] = await Promise.all([alertingCore(), import('../alerting/notification.js')]);
      const runtime = compileAlerting(config);
      const { createNotifiers } = await import('../notify/index.js');
      const now = systemClock.now();
      const owner = (await import('../alerting/oncall.js')).whoIsOnCall(runtime.oncall, now).person;
      const alert = testAlert(flags.series, owner, now);
      const { translator } = await import('../dashboard/i18n.js');
      const language = { lang: config.language, t: translator(config.language) };
      const notification = buildNotification({ intent: { key: alert.id, kind: 'test', at: now, owner }, alert, evidence: null, oncall: runtime.oncall, ack: null, language });
      let failed = 0;
      for (const [name, notifier] of createNotifiers(config.notifiers)) {
        if (flags.only !== undefined && flags.only !== name) continue;
        try {
          await notifier.send(notification);
          process.stdout.write(`${name}: sent\n`);
        } catch (error) {
          failed++;
          process.stdout.write(`${name}: FAILED (${describeError(error)})\n`);
        } finally {
          await notifier.close?.();
        }
      }
      if (failed > 0) process.exitCode = 1;
    });
}
