/** Log lines carry pid and hostname; an error logged keeps its stack, code, context and causes; secrets stay redacted. */
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RadarError } from '../../../src/platform/errors.js';
import { createLogger } from '../../../src/platform/log.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

function failDeep(): never {
  throw new Error('connection reset by peer');
}

describe('the service logger', () => {
  it('puts pid and hostname on every line, children included', () => {
    const { lines, log } = capture();
    log.info('hello');
    log.child({ module: 'detect' }).warn({ series: 'complaints' }, 'tick late');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(lines[1]).toMatchObject({ module: 'detect', series: 'complaints', msg: 'tick late' });
  });

  it('keeps the stack of an error, its code and context, and the cause behind it', () => {
    const { lines, log } = capture();
    let cause: unknown;
    try {
      failDeep();
    } catch (error) {
      cause = error;
    }
    const error = new RadarError('ERR_SOURCE', 'mailbox poll failed', { cause, context: { source: 'support', mailbox: 'INBOX' }, retryable: true });
    log.error({ err: error }, 'poll failed');
    const err = lines[0]?.err as Record<string, unknown> & { cause: Record<string, unknown> };
    expect(err).toMatchObject({ type: 'RadarError', message: 'mailbox poll failed', code: 'ERR_SOURCE', context: { source: 'support', mailbox: 'INBOX' }, retryable: true });
    expect(String(err.stack)).toMatch(/^RadarError: mailbox poll failed\n\s+at /);
    expect(err.cause).toMatchObject({ type: 'Error', message: 'connection reset by peer' });
    expect(String(err.cause.stack)).toContain('failDeep');
  });

  it('logs a thrown non-error and a plain string as they are', () => {
    const { lines, log } = capture();
    log.warn({ err: 'keyword file missing' }, 'reload failed');
    log.warn({ error: new TypeError('x is not a function') }, 'bad');
    expect(lines[0]?.err).toBe('keyword file missing');
    expect(lines[1]?.error).toMatchObject({ type: 'TypeError', message: 'x is not a function' });
  });

  it('still redacts secrets', () => {
    const { lines, log } = capture();
    log.info({ notifier: { name: 'slack', webhookUrl: 'https://hooks.slack.example/T/B/secret' }, token: 'abc' }, 'configured');
    expect(JSON.stringify(lines[0])).not.toContain('secret');
    expect(lines[0]).toMatchObject({ token: '[redacted]', notifier: { webhookUrl: '[redacted]' } });
  });

  it('redacts the VK and Telegram credentials (token, botToken, webhookSecret, access_token)', () => {
    const { lines, log } = capture();
    log.info({ source: { token: 'vk1-TOKEN', botToken: '1:BOT-TOKEN', webhookSecret: 'HOOK-SECRET' }, params: { access_token: 'vk1-TOKEN' } }, 'configured');
    expect(JSON.stringify(lines[0])).not.toMatch(/TOKEN|HOOK-SECRET/);
    expect(lines[0]).toMatchObject({ source: { token: '[redacted]', botToken: '[redacted]', webhookSecret: '[redacted]' }, params: { access_token: '[redacted]' } });
  });
});
