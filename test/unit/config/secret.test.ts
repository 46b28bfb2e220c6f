import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, formatIssue, parseConfigText } from '../../../src/config/load.js';
import { environmentVariableOf, fromEnvironment, secretValues } from '../../../src/config/secret.js';

const schema = z
  .object({
    token: fromEnvironment(z.string().min(1).optional().describe('A token.'), 'TOKEN'),
    hooks: z.array(z.union([z.object({ type: z.literal('slack'), url: fromEnvironment(z.string(), 'SLACK_URL') }).strict(), z.object({ type: z.literal('plain'), url: z.string() }).strict()])).default([]),
    named: z.record(z.object({ password: fromEnvironment(z.string(), 'PW') }).strict()).default({}),
    note: z.string().optional(),
  })
  .strict();

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, 'x.yaml', schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
}

describe('secrets from the environment', () => {
  it('finds marked values through optional, arrays, unions (by their literal type) and records', () => {
    const raw = { token: 't', hooks: [{ type: 'plain', url: 'u1' }, { type: 'slack', url: 'u2' }], named: { a: { password: 'p' } }, note: 'n' };
    expect(secretValues(schema, raw).map((s) => [s.path.join('.'), s.variable])).toEqual([
      ['token', 'TOKEN'],
      ['hooks.1.url', 'SLACK_URL'],
      ['named.a.password', 'PW'],
    ]);
    expect(environmentVariableOf(schema.shape.token)).toBe('TOKEN');
    expect(environmentVariableOf(schema.shape.note)).toBeNull();
  });

  it.each([
    ['token: ${T}', []],
    ['token: "Bearer ${T}"', []],
    ['token: ${T:-}', []],
    ['token: ""', ['x.yaml:1: token: String must contain at least 1 character(s)']],
    ['note: hunter2', []],
    ['hooks:\n  - { type: plain, url: https://example.com/hook }', []],
    ['token: hunter2', ['x.yaml:1: token: a secret written in the file: set it in the environment and write ${TOKEN} here']],
    ['token: ${T:-hunter2}', ['x.yaml:1: token: a secret written in the file: set it in the environment and write ${TOKEN} here']],
    ['hooks:\n  - { type: slack, url: https://hooks.slack.com/x }', ['x.yaml:2: hooks[0].url: a secret written in the file: set it in the environment and write ${SLACK_URL} here']],
    [
      'named:\n  box:\n    password: 1234',
      ['x.yaml:3: named.box.password: a secret written in the file: set it in the environment and write ${PW} here', 'x.yaml:3: named.box.password: Expected string, received number'],
    ],
  ])('%j → %j', (text, expected) => {
    expect(problems(text, { T: 'from-env' })).toEqual(expected);
  });

  it('an unset variable and a literal secret are both reported, with no follow-on schema error', () => {
    expect(problems('token: ${NOPE}\nnamed:\n  box:\n    password: p\n')).toEqual([
      'x.yaml:1: token: environment variable NOPE is not set',
      'x.yaml:4: named.box.password: a secret written in the file: set it in the environment and write ${PW} here',
    ]);
  });
});
