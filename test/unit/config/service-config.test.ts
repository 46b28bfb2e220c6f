import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, parseConfigText } from '../../../src/config/load.js';
import { configReference } from '../../../src/config/reference-doc.js';
import { applyEnvOverrides, loadServiceConfig, serviceConfigSchema } from '../../../src/config/service.js';

const fixture = (name: string) => new URL(`../../fixtures/config/${name}`, import.meta.url).pathname;

function errorsOf(name: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadServiceConfig(fixture(name), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => formatIssue({ ...i, file: name }));
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe('service config errors name the file, line, key and what is wrong', () => {
  it.each([
    ['bad-port.yaml', ['bad-port.yaml:2: server.port: Expected number, received string']],
    ['unknown-key.yaml', ['unknown-key.yaml:3: server: unknown key "colour"']],
    ['bad-indent.yaml', ['bad-indent.yaml:2: (root): YAML syntax error: Nested mappings are not allowed in compact mappings']],
    ['missing-env.yaml', ['missing-env.yaml:2: redis.url: environment variable RADAR_TEST_UNSET_VAR is not set']],
    ['bad-duration.yaml', ['bad-duration.yaml:2: series.step: "soon" is not a duration (use e.g. 500ms, 15s, 5m, 2h, 1d)']],
    ['plain-password.yaml', ['plain-password.yaml:4: auth.users[0].passwordHash: must be an scrypt hash made by `radar auth hash-password`']],
    ['duplicate-source.yaml', ['duplicate-source.yaml:7: sources.twitter[1].name: duplicate source name "brand"']],
    ['same-name-two-kinds.yaml', ['same-name-two-kinds.yaml:7: sources.imap[0].name: source name "support" is already used']],
    ['bad-notification-language.yaml', ['bad-notification-language.yaml:3: alerting.language: must be en or ru (the language notifications are written in), not "de"']],
    ['literal-secret.yaml', ['literal-secret.yaml:4: auth.tokens[0].token: a secret written in the file: set it in the environment and write ${RADAR_API_TOKEN} here']],
    ['literal-secret-default.yaml', ['literal-secret-default.yaml:2: auth.sessionSecret: a secret written in the file: set it in the environment and write ${RADAR_SESSION_SECRET} here']],
    [
      'literal-notifier-secrets.yaml',
      [
        'literal-notifier-secrets.yaml:4: alerting.notifiers[0].webhookUrl: a secret written in the file: set it in the environment and write ${SLACK_WEBHOOK_URL} here',
        'literal-notifier-secrets.yaml:8: alerting.notifiers[1].password: a secret written in the file: set it in the environment and write ${SMTP_PASSWORD} here',
      ],
    ],
    [
      'many-problems.yaml',
      [
        'many-problems.yaml:3: server: unknown key "colour"',
        'many-problems.yaml:5: redis.url: environment variable RADAR_TEST_UNSET_VAR is not set',
        'many-problems.yaml:7: series.step: "soon" is not a duration (use e.g. 500ms, 15s, 5m, 2h, 1d)',
        'many-problems.yaml:13: sources.imap[0].password: a secret written in the file: set it in the environment and write ${SUPPORT_IMAP_PASSWORD} here',
        'many-problems.yaml:15: database.url: environment variable RADAR_TEST_OTHER_UNSET_VAR is not set',
      ],
    ],
  ])('%s', (name, expected) => {
    expect(errorsOf(name, { RADAR_TEST_TOKEN: 'x'.repeat(40) })).toEqual(expected);
  });
});

describe('service config', () => {
  it('the example config is valid and gives the documented defaults', () => {
    const config = loadServiceConfig(new URL('../../../config/radar.example.yaml', import.meta.url).pathname, {});
    expect(config.server.port).toBe(8080);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.database.url).toBe('sqlite:./data/radar.db');
    expect(config.series.step).toBe(60_000);
    expect(config.sources).toEqual({ twitter: [], imap: [], prometheus: [], graphite: [], helpdesk: [], appstore: [], vk: [], telegram: [], mastodon: [], reddit: [], bluesky: [] });
  });

  it('${VAR} and ${VAR:-default} interpolate; PORT, REDIS_URL, DATABASE_URL override', () => {
    const text = 'redis:\n  url: ${R:-redis://fallback:6379}\ndatabase:\n  url: ${D}\n';
    const parsed = parseConfigText(text, 'x.yaml', serviceConfigSchema, { D: 'postgres://db/x' });
    expect(parsed.redis.url).toBe('redis://fallback:6379');
    expect(parsed.database.url).toBe('postgres://db/x');
    const overridden = applyEnvOverrides(parsed, { PORT: '9999', REDIS_URL: 'redis://other:1', DATABASE_URL: 'sqlite:/tmp/x.db' });
    expect(overridden.server.port).toBe(9999);
    expect(overridden.redis.url).toBe('redis://other:1');
    expect(overridden.database.url).toBe('sqlite:/tmp/x.db');
  });

  it('config/REFERENCE.md is generated from the schemas and up to date (npm run config:reference)', () => {
    const file = readFileSync(new URL('../../../config/REFERENCE.md', import.meta.url), 'utf8');
    expect(file).toBe(configReference());
  });
});
