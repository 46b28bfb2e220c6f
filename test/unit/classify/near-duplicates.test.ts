import { describe, expect, it } from 'vitest';
import { clusterNearDuplicates, clusterWords, jaccard, shingles } from '../../../src/classify/near-duplicates.js';

/** The clusters as lists of the input texts' ids, members in input order. */
function groups(texts: readonly [string, string][]): string[][] {
  return clusterNearDuplicates(texts.map(([, text]) => ({ text }))).map((c) => c.members.map((i) => texts[i]?.[0] ?? '?'));
}

describe('near-duplicate clusters', () => {
  it.each([
    ['retweet with another mention and link (en)', 'RT @anna: Cannot log in to my mailbox since this morning https://t.co/AbC1', '@MailHelp cannot log in to my mailbox since this morning https://t.co/zz9'],
    ['the same text with "!!!" (en)', 'Password reset link does not work', 'Password reset link does not work!!!'],
    ['a contraction and case (en)', "I can't send any emails today", 'i cannot send any emails TODAY'],
    ['retweet with another mention and link (ru)', 'RT @ivan: Не могу войти в почту с утра https://t.co/x1', '@mail_support не могу войти в почту с утра https://vk.cc/y2'],
    ['the same text with "!!!" and ё (ru)', 'Письма не приходят уже второй день', 'ПИСЬМА не приходят уже второй день!!! 😡'],
    ['one letter of a typo (en)', 'The attachment upload fails with an error every time', 'The attachment upload fails with an eror every time'],
  ])('%s: one cluster', (_name, a, b) => {
    expect(groups([['a', a], ['b', b]])).toEqual([['a', 'b']]);
  });

  it.each([
    ['two complaints about the same product (en)', 'My email is not sending', 'My email is not loading'],
    ['login vs payment (en)', 'Cannot log in, password rejected', 'Payment failed, card charged twice'],
    ['two different Russian complaints', 'Не приходят письма на почту', 'Не могу отправить письмо с вложением'],
    ['a negation flips the meaning (ru)', 'Приложение работает после обновления, спасибо', 'Приложение не работает после обновления'],
    ['a shared long prefix, different problems (en)', 'Since the update this morning the app crashes on start', 'Since the update this morning I get logged out every hour'],
  ])('%s: two clusters', (_name, a, b) => {
    expect(groups([['a', a], ['b', b]])).toEqual([['a'], ['b']]);
  });

  it('groups a stream: the biggest cluster first, members in input order, representative inside the cluster', () => {
    const texts: [string, string][] = [
      ['t1', 'RT @a: cannot log in since the update https://t.co/1'],
      ['p1', 'Payment failed, my card was charged twice'],
      ['t2', '@b Cannot log in since the update!!!'],
      ['r1', 'Не могу войти в почту с утра'],
      ['t3', 'cannot log in since the update'],
      ['r2', 'RT @c: не могу войти в почту с утра'],
      ['x1', 'https://t.co/only-a-link'],
      ['x2', '😡😡😡'],
    ];
    expect(groups(texts)).toEqual([['t1', 't2', 't3'], ['r1', 'r2'], ['p1'], ['x1'], ['x2']]);
    const clusters = clusterNearDuplicates(texts.map(([, text]) => ({ text })));
    for (const c of clusters) expect(c.members).toContain(c.representative);
  });

  it('a stream of numbered variants (the LSH finds every pair, whatever the order of the shingles)', () => {
    const texts = Array.from({ length: 40 }, (_, i) => ({ text: i % 3 === 0 ? `Опять не могу войти, пароль сбрасывается (${i})` : `login broken again, password reset loops (${i})` }));
    expect(clusterNearDuplicates(texts).map((c) => c.members.length)).toEqual([26, 14]);
    const long = Array.from({ length: 30 }, (_, i) => ({ text: `Since the update #${i} the mail app shows an empty inbox, all my folders are gone and search finds nothing at all` }));
    expect(clusterNearDuplicates(long).map((c) => c.members.length)).toEqual([30]);
  });

  it('does not chain: a text joins a leader, not a member that looks like another leader', () => {
    // b is 0.7+ like a, c is like b but not like a: c must not join a through b.
    const a = 'the app crashes when I open the inbox on my phone';
    const b = 'the app crashes when I open the inbox on my tablet';
    const c = 'the app freezes when I open the inbox on my tablet';
    expect(jaccard(shingles(a), shingles(b))).toBeGreaterThanOrEqual(0.7);
    expect(jaccard(shingles(a), shingles(c))).toBeLessThan(0.7);
    const out = groups([['a', a], ['b', b], ['c', c]]);
    expect(out.find((g) => g.includes('c'))).not.toContain('a');
  });

  it('picks the medoid as representative', () => {
    const texts: [string, string][] = [
      ['odd', 'cannot log in since the updte yesterday evening'],
      ['m1', 'cannot log in since the update yesterday evening'],
      ['m2', 'cannot log in since the update yesterday evening!'],
      ['m3', 'Cannot log in since the update yesterday evening'],
    ];
    const [cluster] = clusterNearDuplicates(texts.map(([, text]) => ({ text })));
    expect(cluster?.members).toHaveLength(4);
    expect(texts[cluster?.representative ?? -1]?.[0]).toBe('m1');
  });

  it('is deterministic and order decides the leader', () => {
    const texts = ['cannot log in', 'Cannot log in!!', 'payment failed', 'Payment failed.'].map((text) => ({ text }));
    expect(clusterNearDuplicates(texts)).toEqual(clusterNearDuplicates(texts));
    expect(clusterNearDuplicates(texts).map((c) => c.leader)).toEqual([0, 2]);
    expect(clusterNearDuplicates([...texts].reverse()).map((c) => c.leader)).toEqual([0, 2]);
  });

  it('reads words as the classifier normalises them', () => {
    expect(clusterWords('RT @anna: I can\'t log in!!! https://t.co/x 😡')).toEqual(['i', 'can', 'not', 'log', 'in']);
    expect(clusterWords('Ёлка, ПОЧТА!')).toEqual(['елка', 'почта']);
    expect(clusterNearDuplicates([])).toEqual([]);
  });
});
