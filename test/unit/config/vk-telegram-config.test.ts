/** The `sources.vk` and `sources.telegram` entries: secrets only from the environment, defaults, refusals. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig, serviceConfigSchema } from '../../../src/config/service.js';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'radar-vktg-')), 'radar.yaml');
  writeFileSync(path, text);
  return path;
};

describe('vk and telegram config', () => {
  it('refuses a token written in the file, naming the key and the variable', () => {
    const path = file('sources:\n  vk:\n    - { name: a, token: literal-token, query: x }\n  telegram:\n    - { name: b, botToken: "1:abcdefghijklmnopqrstuvwxyz", chats: [{id: -1}] }\n');
    expect(() => loadServiceConfig(path, {})).toThrow(/sources\.vk\[0\]\.token: a secret written in the file: set it in the environment and write \$\{VK_TOKEN\} here/);
    expect(() => loadServiceConfig(path, {})).toThrow(/sources\.telegram\[0\]\.botToken: a secret written in the file/);
  });

  it('reads them from the environment and fills the defaults', () => {
    const path = file('sources:\n  vk:\n    - { name: a, token: "${VK_TOKEN}", communityId: 42 }\n  telegram:\n    - { name: b, botToken: "${TELEGRAM_BOT_TOKEN}", chats: [{id: -1, username: "@support_group"}] }\n');
    const config = loadServiceConfig(path, { VK_TOKEN: 'vk1.a.token', TELEGRAM_BOT_TOKEN: '1:abcdefghijklmnopqrstuvwxyz' });
    expect(config.sources.vk[0]).toMatchObject({ token: 'vk1.a.token', communityId: 42, comments: true, commentPosts: 10, pollInterval: 60_000, lookback: 900_000, requestsPerSecond: 3, maxPagesPerPoll: 10, requestTimeout: 30_000 });
    expect(config.sources.telegram[0]).toMatchObject({ mode: 'polling', edits: true, pollInterval: 10_000, longPollTimeout: 10_000, chats: [{ id: -1, username: 'support_group' }] });
  });

  it('refuses a VK entry with nothing to read, a webhook without a secret, a bad bot token, a name taken by another kind', () => {
    const parse = (sources: unknown) => serviceConfigSchema.safeParse({ sources });
    expect(parse({ vk: [{ name: 'a', token: 't' }] }).error?.issues[0]).toMatchObject({ path: ['sources', 'vk', 0, 'query'], message: 'needs a query, a communityId or both' });
    expect(parse({ telegram: [{ name: 'b', botToken: '1:abcdefghijklmnopqrstuvwxyz', chats: [{ id: -1 }], mode: 'webhook' }] }).error?.issues[0]?.path).toEqual(['sources', 'telegram', 0, 'webhookSecret']);
    expect(parse({ telegram: [{ name: 'b', botToken: 'nope', chats: [{ id: -1 }] }] }).success).toBe(false);
    expect(parse({ telegram: [{ name: 'b', botToken: '1:abcdefghijklmnopqrstuvwxyz', chats: [] }] }).success).toBe(false);
    const clash = parse({ vk: [{ name: 'x', token: 't', query: 'q' }], telegram: [{ name: 'x', botToken: '1:abcdefghijklmnopqrstuvwxyz', chats: [{ id: -1 }] }] });
    expect(clash.error?.issues[0]?.message).toBe('source name "x" is already used');
  });
});
