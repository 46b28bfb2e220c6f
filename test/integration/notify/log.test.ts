import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { alertingConfigSchema, type NotifierConfig } from '../../../src/config/alerting.js';
import { createNotifiers, notifiersFor } from '../../../src/notify/index.js';
import { sampleNotification } from './sample.js';

describe('log notifier (the default)', () => {
  it('writes one structured line per notification, resolved too', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const config = alertingConfigSchema.parse({});
    const notifiers = createNotifiers(config.notifiers as NotifierConfig[], { logger: pino({ level: 'info' }, sink) });
    expect([...notifiers.keys()]).toEqual(['log']);
    await notifiers.get('log')?.send(sampleNotification());
    await notifiers.get('log')?.send(sampleNotification({ kind: 'resolved' }));
    expect(lines.map((l) => [l.msg, l.level, l.kind, l.alertId, l.owner, l.notifier])).toEqual([
      ['alert notification', 40, 'firing', 'complaints-mi3k2x0', 'anna', 'log'],
      ['alert notification', 40, 'resolved', 'complaints-mi3k2x0', 'anna', 'log'],
    ]);
    expect(String(lines[0]?.summary)).toContain('owner: Anna <Ops> & Co (on call)');
  });

  it('sendResolved: false leaves the notifier out of resolved fan-out', () => {
    const config = alertingConfigSchema.parse({ notifiers: [{ type: 'log', name: 'a' }, { type: 'log', name: 'b', sendResolved: false }] });
    const notifiers = createNotifiers(config.notifiers as NotifierConfig[]);
    expect(notifiersFor('resolved', notifiers).map((n) => n.name)).toEqual(['a']);
    expect(notifiersFor('firing', notifiers).map((n) => n.name)).toEqual(['a', 'b']);
  });
});
