import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfigText } from '../../../src/config/load.js';
import { alertingConfigSchema, defaultAlertingConfig, notifierName } from '../../../src/config/alerting.js';

const wrapped = z.object({ alerting: alertingConfigSchema.default({}) }).strict();
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, 'radar.yaml', wrapped, env).alerting;
const problem = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(text, env);
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('alerting config', () => {
  it('defaults: a log notifier, one on-call person, complaint and metric rules', () => {
    const config = defaultAlertingConfig();
    expect(config.notifiers.map(notifierName)).toEqual(['log']);
    expect(config.oncall.people).toEqual([{ id: 'oncall', name: 'On-call engineer' }]);
    expect(config.rules.map((r) => [r.name, r.match, r.directions, r.for, r.resolveHold, r.group])).toEqual([
      ['complaints', ['complaints', 'complaints.*'], ['up'], 0, 600_000, 'category'],
      ['metrics', ['*'], ['up', 'down'], 0, 600_000, 'series'],
    ]);
    expect(parse('{}')).toEqual(config);
  });

  it('notifications are in English unless alerting.language says ru', () => {
    expect(defaultAlertingConfig().language).toBe('en');
    expect(parse('alerting:\n  language: ru\n').language).toBe('ru');
  });

  it('reads secrets from the environment', () => {
    const config = parse(
      ['alerting:', '  notifiers:', '    - type: telegram', '      botToken: ${TG_TOKEN}', '      chatId: -100123', '  ack:', '    secret: ${ACK}'].join('\n'),
      { TG_TOKEN: '123:abc', ACK: 'a'.repeat(32) },
    );
    expect(config.notifiers[0]).toMatchObject({ type: 'telegram', botToken: '123:abc', chatId: -100123, timeout: 10_000 });
    expect(config.ack.secret).toBe('a'.repeat(32));
  });

  it.each([
    ['alerting:\n  rules:\n    - name: x\n      match: [complaints]\n      forr: 2m\n', 'radar.yaml:5: alerting.rules[0]: unknown key "forr"'],
    ['alerting:\n  rules:\n    - name: x\n      match: [complaints]\n      for: soon\n', 'radar.yaml:5: alerting.rules[0].for: "soon" is not a duration (use e.g. 500ms, 15s, 5m, 2h, 1d)'],
    ['alerting:\n  oncall:\n    rotation:\n      people: [zed]\n', 'radar.yaml:4: alerting.oncall.rotation.people[0]: unknown person "zed" (not in oncall.people)'],
    ['alerting:\n  oncall:\n    timezone: Mars/Olympus\n', 'radar.yaml:3: alerting.oncall.timezone: is not an IANA time zone (e.g. Europe/Moscow, UTC)'],
    ['alerting:\n  notifiers:\n    - type: log\n    - type: log\n', 'radar.yaml:4: alerting.notifiers[1].name: duplicate notifier name "log" (give each a name)'],
    ['alerting:\n  notifiers:\n    - type: slack\n      webhookUrl: ${SLACK_URL}\n', 'radar.yaml:4: alerting.notifiers[0].webhookUrl: environment variable SLACK_URL is not set'],
    ['alerting:\n  notifiers:\n    - type: telegram\n      botToken: "123:abc"\n      chatId: 1\n', 'radar.yaml:4: alerting.notifiers[0].botToken: a secret written in the file: set it in the environment and write ${TELEGRAM_BOT_TOKEN} here'],
    ['alerting:\n  oncall:\n    overrides:\n      - person: oncall\n        from: tomorrow\n        to: 2026-01-01T00:00\n', 'radar.yaml:5: alerting.oncall.overrides[0].from: must be a date-time YYYY-MM-DDTHH:MM (local to `timezone`) or ISO 8601 with an offset'],
    ['alerting:\n  language: de\n', 'radar.yaml:2: alerting.language: must be en or ru (the language notifications are written in), not "de"'],
    ['alerting:\n  language: RU\n', 'radar.yaml:2: alerting.language: must be en or ru (the language notifications are written in), not "RU"'],
    ['alerting:\n  language: [ru]\n', "radar.yaml:2: alerting.language: Expected 'en' | 'ru', received array"],
  ])('rejects %j', (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it('rejects an ack secret shorter than 32 characters', () => {
    expect(problem('alerting:\n  ack:\n    secret: ${ACK}\n', { ACK: 'short' })).toBe('radar.yaml:3: alerting.ack.secret: secret must be at least 32 characters');
  });

  it('describes every field (the config reference is generated from the schema)', () => {
    const undescribed: string[] = [];
    const walk = (schema: z.ZodTypeAny, path: string, describedHere: boolean): void => {
      const def = schema._def as { typeName: string; innerType?: z.ZodTypeAny; schema?: z.ZodTypeAny; type?: z.ZodTypeAny; options?: z.ZodTypeAny[] };
      const described = describedHere || schema.description !== undefined;
      if (def.typeName === 'ZodDefault' || def.typeName === 'ZodOptional') return walk(def.innerType as z.ZodTypeAny, path, described);
      if (def.typeName === 'ZodEffects') return walk(def.schema as z.ZodTypeAny, path, described);
      if (def.typeName === 'ZodArray') return walk(def.type as z.ZodTypeAny, `${path}[]`, true);
      if (def.typeName === 'ZodUnion') return (def.options ?? []).forEach((o, i) => walk(o, `${path}|${i}`, true));
      if (schema instanceof z.ZodObject) {
        for (const [key, value] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) walk(value, `${path}.${key}`, false);
        return;
      }
      if (!described) undescribed.push(path);
    };
    walk(alertingConfigSchema, 'alerting', true);
    expect(undescribed).toEqual([]);
  });
});

describe('config/alerting.example.yaml', () => {
  it('parses, and its rotation pages the documented people', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../../config/alerting.example.yaml', import.meta.url), 'utf8');
    const config = parse(text, {});
    expect(config.notifiers.map(notifierName)).toEqual(['log']);
    expect(config.oncall.people.map((p) => p.id)).toEqual(['anna', 'boris', 'carl']);
    expect(config.ack.secret).toBe('');
    expect(config.evidence.labels).toEqual({ 'complaints.login': 'Login complaints' });
  });
});
