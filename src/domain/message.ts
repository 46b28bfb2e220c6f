/**
 * A Message is the one shape every source produces (twitter, imap, report form, push API, demo).
 *
 * Stable ids: `twitter:<tweet id>`, `imap:<source>:<mailbox>:<uidvalidity>:<uid>`, `form:<uuid>`,
 * `api:<caller id or uuid>`, `demo:<seed>:<minute>:<n>`. The id is the BullMQ job id and the store's primary
 * key, so ingesting the same id twice stores and counts it once.
 */
/**
 * Where a message was written: one channel per kind of source. `helpdesk` is a help desk's ticket
 * (webhook or poll), `appstore` a store review; the social networks are named for themselves.
 */
export const CHANNELS = ['twitter', 'email', 'beta_form', 'api', 'vk', 'telegram', 'mastodon', 'bluesky', 'reddit', 'helpdesk', 'appstore'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Each channel in words (English): what a label or a page shows instead of the key, and the message
 * catalogue's key for its name in another language (`src/dashboard/static/i18n/ru.json`).
 */
export const CHANNEL_NAMES: Readonly<Record<Channel, string>> = {
  twitter: 'Twitter',
  email: 'e-mail',
  beta_form: 'beta form',
  api: 'API',
  vk: 'VK',
  telegram: 'Telegram',
  mastodon: 'Mastodon',
  bluesky: 'Bluesky',
  reddit: 'Reddit',
  helpdesk: 'help desk',
  appstore: 'app store',
};

export const LANGS = ['en', 'ru'] as const;
export type Lang = (typeof LANGS)[number];

/** Each message language in words (English; the catalogue's key, as for channels). */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { en: 'English', ru: 'Russian' };

export interface Message {
  readonly id: string;
  readonly channel: Channel;
  /** Name of the configured source (e.g. `support-inbox`, `demo`, `api`). */
  readonly source: string;
  /** Author, hashed where it identifies a person. */
  readonly author: string | null;
  /** Text to classify: subject + body for mail; for the report form, the three fields joined. */
  readonly text: string;
  readonly lang: Lang | null;
  /** ISO 8601 timestamp of when the user wrote it. */
  readonly createdAt: string;
  readonly link: string | null;
  /** Source-specific extra fields (Message-ID, attachments, form fields...). JSON-serialisable. */
  readonly meta?: Readonly<Record<string, unknown>>;
}
