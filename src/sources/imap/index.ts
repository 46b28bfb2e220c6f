/** The IMAP source: what the composition root (workers/service.ts) wires. */
export { createImapPollHandler, imapCursorName, type ImapCursor, type ImapHandlerDeps } from './poll-handler.js';
export { redisSeenIds, memorySeenIds, seenIdsKey, DEFAULT_SEEN_CAP, type SeenIds } from './seen-ids.js';
export { openImapSession, type ImapSession, type OpenSession } from './imap-session.js';
export { buildMessage, hashSender, imapMessageId, type BuildResult } from './build-message.js';
export { parseMailStream, parseMailBuffer } from './parse-mail.js';
