/**
 * The pure parts of the VK and Telegram sources: text cleaning, item → message mapping, the VK search
 * cursor, and what each error becomes for the worker.
 */
import { GrammyError, HttpError } from 'grammy';
import { APIError } from 'vk-io';
import { describe, expect, it } from 'vitest';
import { SourceAuthError, SourceRateLimitError } from '../../../src/sources/poll.js';
import { cleanTelegramText, mapTelegramError, updateToMessage } from '../../../src/sources/telegram/index.js';
import { cleanVkText, commentToMessage, mapVkError, nextVkSearchCursor, parseVkCursor, postToMessage, QUOTA_WAIT_MS, vkSearchWindow } from '../../../src/sources/vk/index.js';

const KEY = 'unit-author-key-0123456789';

describe('vk text and items', () => {
  it('cleans mentions, links, hashtags and entities; keeps the words', () => {
    expect(cleanVkText('[club1|Скаймейл], почта не работает https://vk.cc/x #сбой &quot;ошибка&quot;<br>@skymail *id5')).toBe(', почта не работает сбой "ошибка"');
    expect(cleanVkText('[id1|Пётр] [public2|Паблик]')).toBe('');
  });

  it('maps a post and a comment; skips own ids, ads, empty reposts; dead-letters a broken one', () => {
    const ctx = { source: 's', authorKey: KEY, ownIds: new Set([-42]), excludeReposts: true };
    const post = postToMessage({ id: 5, owner_id: 100, from_id: 100, date: 1_800_000_000, text: 'Not getting any email' }, ctx, 'search');
    expect(post).toMatchObject({ kind: 'message', id: 5, message: { id: 'vk:100_5', link: 'https://vk.com/wall100_5', lang: 'en', createdAt: new Date(1_800_000_000_000).toISOString() } });
    expect(postToMessage({ id: 6, owner_id: -42, from_id: -42, date: 1, text: 'news' }, ctx, 'wall')).toMatchObject({ kind: 'skipped', reason: 'own-account' });
    expect(postToMessage({ id: 7, owner_id: 1, from_id: 1, date: 1, text: 'buy', marked_as_ads: 1 }, ctx, 'search')).toMatchObject({ kind: 'skipped', reason: 'ad' });
    expect(postToMessage({ id: 8, owner_id: 1, from_id: 1, date: 1, text: '', copy_history: [{}] }, ctx, 'search')).toMatchObject({ kind: 'skipped', reason: 'repost' });
    expect(postToMessage({ id: 9, owner_id: 1, from_id: 1, text: 'x' }, ctx, 'search')).toMatchObject({ kind: 'malformed', id: 9, reason: 'malformed VK post: date: Required' });
    expect(commentToMessage({ id: 3, from_id: 7, date: 1, text: 'тоже' }, ctx, -42, 10)).toMatchObject({ kind: 'message', message: { id: 'vk:-42_10_c3', link: 'https://vk.com/wall-42_10?reply=3', lang: 'ru' } });
  });
});

describe('vk search cursor', () => {
  it('first poll from the look-back; complete → the newest second and its posts', () => {
    const w = vkSearchWindow(undefined, 1000, 100);
    expect(w).toMatchObject({ since: 900 });
    expect(nextVkSearchCursor(undefined, w, { newest: 990, newestKeys: ['1_2', '1_3'], oldest: 950, complete: true })).toEqual({ since: 990, seen: ['1_2', '1_3'] });
  });

  it('an early stop keeps a backlog; draining it moves to the newest seen before', () => {
    const w = vkSearchWindow({ since: 900, seen: ['1_1'] }, 1000, 100);
    const backlog = nextVkSearchCursor({ since: 900, seen: ['1_1'] }, w, { newest: 990, newestKeys: ['1_9'], oldest: 960, complete: false });
    expect(backlog).toEqual({ since: 900, seen: ['1_1'], until: 960, top: 990, topSeen: ['1_9'] });
    const w2 = vkSearchWindow(backlog, 1010, 100);
    expect(w2).toMatchObject({ since: 900, until: 960 });
    expect(nextVkSearchCursor(backlog, w2, { newest: 960, newestKeys: ['1_5'], oldest: 901, complete: true })).toEqual({ since: 990, seen: ['1_9'] });
  });

  it('nothing found keeps the cursor; the same second merges the posts seen', () => {
    const before = { since: 900, seen: ['1_1'] };
    const w = vkSearchWindow(before, 1000, 100);
    expect(nextVkSearchCursor(before, w, { newest: null, newestKeys: [], oldest: null, complete: true })).toEqual(before);
    expect(nextVkSearchCursor(before, w, { newest: 900, newestKeys: ['2_2'], oldest: 900, complete: true })).toEqual({ since: 900, seen: ['1_1', '2_2'] });
  });

  it('an unreadable stored cursor part is dropped, not trusted', () => {
    expect(parseVkCursor('x')).toBeNull();
    expect(parseVkCursor({ search: { since: 'soon', seen: [] }, wall: { last: 12 } })).toEqual({ wall: { last: 12 } });
  });
});

describe('vk errors', () => {
  const vkError = (code: number) => new APIError({ error_code: code, error_msg: 'msg', request_params: [] } as never);
  it('5/27/28 stop the source; 6/9/29 wait; 10 retries; others stop with the reason', () => {
    expect(mapVkError('s', vkError(5), 0)).toBeInstanceOf(SourceAuthError);
    expect(mapVkError('s', vkError(28), 0)).toBeInstanceOf(SourceAuthError);
    const quota = mapVkError('s', vkError(29), 1000) as SourceRateLimitError;
    expect(quota).toBeInstanceOf(SourceRateLimitError);
    expect(quota.resetAt).toBe(1000 + QUOTA_WAIT_MS);
    expect(mapVkError('s', vkError(10), 0)).toMatchObject({ retryable: true });
    expect(mapVkError('s', vkError(100), 0)).toMatchObject({ retryable: false, message: expect.stringMatching(/check the query/) as unknown });
  });
});

describe('telegram text, updates and errors', () => {
  it('cleans mentions, links, commands and hashtags', () => {
    expect(cleanTelegramText('/start@skymail_bot @skymail_help почта не работает https://t.me/x t.me/y #сбой')).toBe('почта не работает сбой');
  });

  it('an update from a chat not listed is skipped; one without from is malformed', () => {
    const ctx = { source: 's', authorKey: KEY, chats: new Map([[-1, null]]), ownUserIds: new Set<number>(), edits: true };
    expect(updateToMessage({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: -2, type: 'supergroup' }, from: { id: 1, is_bot: false }, text: 'x' } }, ctx)).toEqual({ kind: 'skipped', reason: 'other-chat' });
    expect(updateToMessage({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: -1, type: 'supergroup' }, text: 'x' } }, ctx)).toMatchObject({ kind: 'malformed', messageId: 'telegram:-1:1' });
    expect(updateToMessage({ update_id: 1, my_chat_member: {} }, ctx)).toEqual({ kind: 'skipped', reason: 'not-a-message' });
  });

  it('429 waits retry_after; 401/404 stop; 409 stops with the reason; transport errors retry', () => {
    const g = (code: number, retry?: number) => new GrammyError('x', { ok: false, error_code: code, description: 'd', ...(retry === undefined ? {} : { parameters: { retry_after: retry } }) }, 'getUpdates', {});
    expect((mapTelegramError('s', g(429, 3), 1000) as SourceRateLimitError).resetAt).toBe(4000);
    expect((mapTelegramError('s', g(429), 1000) as SourceRateLimitError).resetAt).toBe(6000);
    expect(mapTelegramError('s', g(401), 0)).toBeInstanceOf(SourceAuthError);
    expect(mapTelegramError('s', g(404), 0)).toBeInstanceOf(SourceAuthError);
    expect(mapTelegramError('s', g(409), 0)).toMatchObject({ retryable: false });
    expect(mapTelegramError('s', new HttpError('net', new Error('ECONNRESET')), 0)).toMatchObject({ retryable: true, message: 'Telegram request failed: ECONNRESET' });
  });
});
