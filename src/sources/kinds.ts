/**
 * Every kind of polled source: one folder under src/sources/ each, one config list under `sources`, one
 * line in registry.ts. Message sources produce Messages; `prometheus` and `graphite` produce series.
 */
export const POLL_KINDS = ['twitter', 'imap', 'prometheus', 'graphite', 'vk', 'telegram', 'mastodon', 'bluesky', 'reddit', 'helpdesk', 'appstore'] as const;
export type PollKind = (typeof POLL_KINDS)[number];
