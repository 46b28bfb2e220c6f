/**
 * The shape of one language's phrase bank: what users write, by category and by kind of chatter.
 * Every string is a template (see `template.ts`): `[a|b]` alternatives and `{slot}` references.
 */

/** Complaint categories the demo imitates (the names the keyword config uses). */
export const DEMO_CATEGORIES = ['login', 'slow', 'send_fail', 'delivery', 'attachments', 'antivirus', 'spam', 'app_crash', 'ui_bug'] as const;
export type DemoCategory = (typeof DEMO_CATEGORIES)[number];

/**
 * Messages that are not complaints about the mail service, several of them hard for a keyword model:
 * `resolved` ("works again, thanks"), `question` ("how do I change my password?"), `other_service`
 * (a complaint about a bank or a courier) use the same words as complaints.
 */
export const CHATTER_KINDS = ['praise', 'question', 'mention', 'news', 'joke', 'ad', 'resolved', 'other_service', 'suggestion'] as const;
export type ChatterKind = (typeof CHATTER_KINDS)[number];

export interface CategoryBank {
  /** The problem itself, one or two sentences, including sarcastic ones. */
  readonly cores: readonly string[];
  /** Extra detail sentences that only fit this category. */
  readonly details: readonly string[];
  /** E-mail subjects. */
  readonly subjects: readonly string[];
  /** Report form: "What were you doing" answers. */
  readonly doing: readonly string[];
  /** Report form: "How should it have worked" answers. */
  readonly expected: readonly string[];
}

export interface ChatterBank {
  readonly texts: readonly string[];
  readonly subjects: readonly string[];
}

export interface LangBank {
  readonly slots: Readonly<Record<string, readonly string[]>>;
  readonly categories: Readonly<Record<DemoCategory, CategoryBank>>;
  readonly chatter: Readonly<Record<ChatterKind, ChatterBank>>;
  /** Detail sentences that fit any complaint (browser, device, since when, what was tried). */
  readonly details: readonly string[];
  /** Short emotional add-ons: "ugh", "😡", "ну сколько можно". */
  readonly emotions: readonly string[];
  /** Tweet openers: end with "," or ":" to flow into the sentence, with "." to stand alone, or neither for "Is it just me or". */
  readonly tweetOpeners: readonly string[];
  readonly tweetClosers: readonly string[];
  readonly hashtags: readonly string[];
  readonly emailGreetings: readonly string[];
  /** Friendly last lines for e-mails that ask for nothing (praise, suggestions). */
  readonly emailThanks: readonly string[];
  /** Polite last lines, no name (the IMAP source strips signatures). */
  readonly emailClosings: readonly string[];
  /** Report form "How should it have worked" for chatter sent through the form (nothing is broken). */
  readonly formFine: readonly string[];
  /** Report form answers for chatter sent through the form (suggestions, praise). */
  readonly formDoing: readonly string[];
  /** Foreign-language inserts for mixed-language messages (an English error text in a Russian message). */
  readonly mixedInserts: readonly string[];
}
