/**
 * PURE: where a demo "public post" is published. The generator drafts public posts as one channel
 * (`twitter` in the schedule's incident channel sets and in the draw weights); each is then placed on one
 * of the social networks by a hash of (seed, t, n), so the draws of everything else (and so the
 * incidents and their tests) stay as they were. Telegram here is the service's support group (an own
 * channel for "is it about us?"), as the Telegram source reads it.
 */
import type { Channel } from '../../domain/message.js';
import { authorHandle } from './authors.js';
import { hashKey, hashUnit, weightedIndex } from './prng.js';

export const SOCIAL_CHANNELS = ['twitter', 'vk', 'telegram', 'reddit', 'mastodon', 'bluesky'] as const satisfies readonly Channel[];
export type SocialChannel = (typeof SOCIAL_CHANNELS)[number];

/** Share of public posts per network (a large Russian web mail: VK and Telegram come right after X). */
export const SOCIAL_SHARES: Readonly<Record<SocialChannel, number>> = { twitter: 0.4, vk: 0.2, telegram: 0.15, reddit: 0.1, mastodon: 0.08, bluesky: 0.07 };

const SALT_SOCIAL = 43;
const SHARES = SOCIAL_CHANNELS.map((c) => SOCIAL_SHARES[c]);

/** The network of the `n`-th message of bucket `t`. */
export function socialChannel(seed: number, t: number, n: number): SocialChannel {
  const u = hashUnit(seed, SALT_SOCIAL, t, n);
  return SOCIAL_CHANNELS[weightedIndex(() => u, SHARES)] ?? 'twitter';
}

/** The channel group a message's channel was drafted as: `twitter` for every social network. */
export function draftedChannel(channel: string): string {
  return (SOCIAL_CHANNELS as readonly string[]).includes(channel) ? 'twitter' : channel;
}

/** A link to a post on `channel` shaped as that network's own (the X link is made by the caller). */
export function socialLink(channel: Exclude<SocialChannel, 'twitter'>, seed: number, author: number, t: number, n: number): string {
  const h = hashKey(seed, SALT_SOCIAL, t, n, 1);
  const handle = authorHandle(seed, author);
  switch (channel) {
    case 'vk':
      return `https://vk.com/wall${100_000 + (hashKey(seed, SALT_SOCIAL, author) % 900_000_000)}_${(h % 90_000) + 10}`;
    case 'telegram':
      return `https://t.me/skymail_support/${(Math.floor(t / 60_000) % 1_000_000) * 100 + n + 1}`;
    case 'reddit':
      return `https://www.reddit.com/r/skymail/comments/${h.toString(36).padStart(7, '0').slice(0, 7)}/`;
    case 'mastodon':
      return `https://mastodon.social/@${handle}/${(BigInt(t) * 65536n + BigInt(h & 0xffff)).toString()}`;
    case 'bluesky':
      return `https://bsky.app/profile/${handle.toLowerCase()}.bsky.social/post/3l${h.toString(32).padStart(7, '2').slice(0, 7)}${(n % 1024).toString(32).padStart(2, '2')}`;
  }
}
