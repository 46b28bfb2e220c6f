/** The VK source: config in `src/config/vk.ts`, one poll handler serving every configured entry. */
export { createVkPollHandler, SEARCH_PAGE_SIZE, LIST_PAGE_SIZE, type VkHandlerDeps, type VkPollHandler, type VkPollResult } from './poll-handler.js';
export { createVkApi, VK_API_BASE, VK_API_VERSION } from './client.js';
export { mapVkError, VkApiError, TOO_MANY_WAIT_MS, FLOOD_WAIT_MS, QUOTA_WAIT_MS } from './errors.js';
export { cleanVkText, commentToMessage, hashVkAuthor, postToMessage, type VkOutcome } from './to-message.js';
export { parseVkCursor, nextVkSearchCursor, vkSearchWindow, type VkCursor } from './cursor.js';
