/**
 * "Is it about us?" for the VK and Telegram sources, with the shipped config/keywords.yaml: the
 * Telegram bot reads only our own groups (support, the channel's discussion), so `telegram` is an own
 * channel there; VK's search is public, so a VK post must say it is about us. Telegram and VK named
 * as the thing that fails are other services on either channel.
 */
import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { loadKeywords } from '../../../src/config/keywords.js';

const classifier = createClassifier({ keywords: compileKeywords(loadKeywords()) });

describe('is it about us? on vk and telegram', () => {
  it.each([
    // [text, channel, about, complaint]
    ['ничего не работает с утра', 'telegram', 'us', true], // said in our support group
    ['ничего не работает с утра', 'vk', 'unknown', true], // found by a public search: could be anything
    ['не приходят письма на почту', 'vk', 'us', true],
    ['телеграм не работает, сообщения не отправляются', 'telegram', 'other', false], // Telegram itself, even in our group
    ['вконтакте опять не грузится', 'vk', 'other', false],
    ['скаймейл не работает', 'vk', 'us', true],
  ] as const)('%j via %s → %s', (text, channel, about, complaint) => {
    const c = classifier.classify(text, 'ru', channel);
    expect(c.target?.about).toBe(about);
    expect(c.complaint).toBe(complaint);
  });

  it('our name outweighs VK named as the place it is written in (the target stays us)', () => {
    expect(classifier.classify('скаймейл не работает, пишу сюда во вконтакте', 'ru', 'vk').target).toEqual({ about: 'us', terms: ['скаймейл', 'вконтакте'] });
  });
});
