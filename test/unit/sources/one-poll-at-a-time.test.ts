import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { OnePollAtATime } from '../../../src/sources/one-poll-at-a-time.js';

describe('OnePollAtATime', () => {
  const ctx = { log: pino({ level: 'silent' }) };

  it('skips a poll of a source while one of the same source runs, not of another source, and frees it after', async () => {
    const polls = new OnePollAtATime();
    let release: () => void = () => undefined;
    const slow = polls.run('a', ctx, () => 'skipped', () => new Promise<string>((resolve) => (release = () => resolve('polled'))));
    expect(await polls.run('a', ctx, () => 'skipped', async () => 'polled')).toBe('skipped');
    expect(await polls.run('b', ctx, () => 'skipped', async () => 'polled')).toBe('polled');
    release();
    expect(await slow).toBe('polled');
    expect(await polls.run('a', ctx, () => 'skipped', async () => 'again')).toBe('again');
  });

  it('frees the source when the poll fails', async () => {
    const polls = new OnePollAtATime();
    await expect(polls.run<string>('a', ctx, () => 'skipped', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await polls.run('a', ctx, () => 'skipped', async () => 'polled')).toBe('polled');
  });
});
