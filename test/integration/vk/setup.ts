/** Shared pieces of the VK source tests: sources pointed at the fake VK server, posts made to order. */
import { vkSourceSchema, type VkSourceConfig, type VkSourceInput } from '../../../src/config/vk.js';
import type { FakeVkPost } from '../../helpers/fake-vk.js';

export { enqueuedIds, pollContext, TEST_AUTHOR_KEY } from '../twitter/setup.js';

export function vkSource(fakeUrl: string, overrides: Partial<VkSourceInput> & { name?: string } = {}): VkSourceConfig {
  return vkSourceSchema.parse({ name: 'vkbrand', token: 'TEST', query: 'скаймейл', apiBase: fakeUrl, requestTimeout: '2s', requestsPerSecond: 20, ...overrides });
}

/** `n` posts by users on their own walls, `minutesAgo` old, one second apart (newest last), ids from `firstId`. */
export function postsAt(nowMs: number, minutesAgo: number, n: number, options: { firstId?: number; text?: string; ownerId?: number } = {}): FakeVkPost[] {
  const start = Math.floor(nowMs / 1000) - minutesAgo * 60;
  return Array.from({ length: n }, (_, i) => {
    const user = 1000 + (i % 7);
    return {
      id: (options.firstId ?? 1) + i,
      ownerId: options.ownerId ?? user,
      fromId: user,
      date: start + i,
      text: `${options.text ?? 'не могу войти в почту'} ${i} [club42|Скаймейл] https://vk.cc/a${i} #сбой`,
    };
  });
}

export const vkIds = (posts: readonly FakeVkPost[]) => posts.map((p) => `vk:${p.ownerId}_${p.id}`).sort();
