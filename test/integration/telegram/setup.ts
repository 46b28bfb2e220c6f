/** Shared pieces of the Telegram source tests: sources pointed at the fake Bot API, chats. */
import { telegramSourceSchema, type TelegramSourceConfig, type TelegramSourceInput } from '../../../src/config/telegram.js';
import { TEST_BOT_TOKEN, type FakeChat } from '../../helpers/fake-telegram.js';

export { enqueuedIds, pollContext, TEST_AUTHOR_KEY } from '../twitter/setup.js';

export const SUPPORT: FakeChat = { id: -1001234567890, username: 'skymail_support' };
export const DISCUSSION: FakeChat = { id: -1009876543210 };
export const ELSEWHERE: FakeChat = { id: -1005555555555, username: 'random_chat' };

export function tgSource(apiRoot: string, overrides: Partial<TelegramSourceInput> & { name?: string } = {}): TelegramSourceConfig {
  return telegramSourceSchema.parse({
    name: 'tgsupport',
    botToken: TEST_BOT_TOKEN,
    chats: [{ id: SUPPORT.id }, { id: DISCUSSION.id }],
    apiRoot,
    requestTimeout: '2s',
    longPollTimeout: '0s',
    ...overrides,
  });
}
