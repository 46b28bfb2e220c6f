/** `radar retention run` (the real CLI, a child process): prunes now with the config's periods and says what it removed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../../src/store/store.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const DAY = 86_400_000;

describe('radar retention run', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prunes what is past its period and prints rows per table', async () => {
    dir = mkdtempSync(join(tmpdir(), 'radar-ret-'));
    const url = `sqlite:${join(dir, 'radar.db')}`;
    const store = await Store.open({ url });
    const now = Date.now();
    for (const age of [45, 20, 1]) {
      await store.db.insertInto('dead_letters').values({ message_id: `d${age}`, queue: 'ingest', source: 'inbox', payload: 'raw mail', reason: 'bad', attempts: 3, failed_at: now - age * DAY }).execute();
    }
    await store.close();
    writeFileSync(join(dir, 'radar.yaml'), [`dataDir: ${dir}`, `database: { url: "${url}" }`, 'retention: { keep: { deadLetters: 15d } }', ''].join('\n'));

    const run = () => spawnSync(process.execPath, ['bin/radar.js', 'retention', 'run', '-c', join(dir, 'radar.yaml')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^dead_letters\s+delete\s+2 rows\s+\(deadLetters: 15d\)$/m);
    expect(first.stdout).toMatch(/^messages\s+blank\s+0 rows\s+\(messageText: 90d\)$/m);

    const reopened = await Store.open({ url });
    try {
      expect((await reopened.db.selectFrom('dead_letters').select('message_id').execute()).map((d) => d.message_id)).toEqual(['d1']);
    } finally {
      await reopened.close();
    }
    expect(run().stdout).toMatch(/^dead_letters\s+delete\s+0 rows/m);
  });
});
