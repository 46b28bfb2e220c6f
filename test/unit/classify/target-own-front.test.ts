/**
 * On our own channels, with the shipped config/keywords.yaml: a site or app whose owner is named ("на сайте
 * турагентства") is no app of ours that the writer's phone merely runs, so the phone named beside it
 * still counts as another thing; a site or app of no owner keeps the phone as its setting.
 */
import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { loadKeywords } from '../../../src/config/keywords.js';

const classifier = createClassifier({ keywords: compileKeywords(loadKeywords()) });

describe('a site of a named owner on our own channels', () => {
  it.each([
    // [text, channel, about, complaint]
    ['Здравствуйте, оплатила тур, на сайте турагентства брони нет, а телефон менеджера не отвечает', 'email', 'other', false],
    ['Здравствуйте, после обновления телефона приложение вылетает при запуске', 'email', 'us', true],
    ['Здравствуйте, на сайте почты не открываются письма, телефон тоже не помогает', 'email', 'us', true],
  ] as const)('%j via %s → %s', (text, channel, about, complaint) => {
    const c = classifier.classify(text, 'ru', channel);
    expect(c.target?.about).toBe(about);
    expect(c.complaint).toBe(complaint);
  });
});
