import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memorySeenIds, redisSeenIds, type SeenIds } from '../../../src/sources/imap/seen-ids.js';
import { createTestService, type TestService } from '../../helpers/services.js';

let service: TestService;
beforeEach(async () => {
  service = await createTestService();
});
afterEach(async () => {
  await service.cleanup();
});

describe.each([
  ['redis', () => redisSeenIds(service.ctx.redis, service.ctx.keys, { cap: 3 })],
  ['memory', () => memorySeenIds(3)],
] as Array<[string, () => SeenIds]>)('%s seen-set', (_kind, make) => {
  it('remembers keys per source, bounded to the newest by date, with a horizon once full', async () => {
    const seen = make();
    expect(await seen.has('a', ['mid:1'])).toEqual([false]);
    await seen.add('a', [{ key: 'mid:1', at: 100 }, { key: 'mid:2', at: 200 }]);
    expect(await seen.has('a', ['mid:1', 'mid:2', 'mid:3'])).toEqual([true, true, false]);
    expect(await seen.has('b', ['mid:1'])).toEqual([false]);
    expect(await seen.horizon('a')).toBeNull();
    await seen.add('a', [{ key: 'mid:3', at: 300 }, { key: 'mid:4', at: 50 }, { key: 'mid:5', at: 400 }]);
    expect(await seen.has('a', ['mid:1', 'mid:2', 'mid:3', 'mid:4', 'mid:5'])).toEqual([false, true, true, false, true]);
    expect(await seen.horizon('a')).toBe(200);
  });
});
