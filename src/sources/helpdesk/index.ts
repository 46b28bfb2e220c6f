/** The help-desk source: webhooks (`src/api/routes/hooks.ts` with the adapters here) and polling (Zendesk, Freshdesk). */
export { createHelpdeskPollHandler, type HelpdeskHandlerDeps, type HelpdeskPollHandler, type HelpdeskPollResult } from './poll-handler.js';
export { WEBHOOK_ADAPTERS } from './webhooks.js';
export { commentToMessage, messageId, FIRST_MESSAGE, type ItemOutcome, type HelpdeskContext } from './message.js';
