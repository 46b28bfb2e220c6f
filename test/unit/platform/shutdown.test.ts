/** Shutdown: closers in reverse order, a failing one does not stop the rest, and `stopped` is the last line. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/platform/log.js';
import { Shutdown } from '../../../src/platform/shutdown.js';

function capture(): { lines: Array<{ msg: string; closer?: string; closers?: number; failed?: number }>; log: ReturnType<typeof createLogger> } {
  const lines: Array<{ msg: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { lines, log: createLogger({ level: 'debug', pretty: false, destination }) };
}

describe('Shutdown', () => {
  it('closes in reverse order of registration, once, and logs "stopped" last with the failures counted', async () => {
    const { lines, log } = capture();
    const shutdown = new Shutdown(log, 1000);
    const order: string[] = [];
    shutdown.add('database', () => void order.push('database'));
    shutdown.add('worker', () => {
      order.push('worker');
      throw new Error('already closed');
    });
    shutdown.add('http', async () => void order.push('http'));
    await Promise.all([shutdown.close(), shutdown.close()]);
    expect(order).toEqual(['http', 'worker', 'database']);
    expect(lines.map((l) => [l.msg, l.closer])).toEqual([
      ['closed', 'http'],
      ['close failed', 'worker'],
      ['closed', 'database'],
      ['stopped', undefined],
    ]);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', closers: 3, failed: 1 });
  });
});
