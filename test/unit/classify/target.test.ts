import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { keywordsSchema } from '../../../src/config/keywords.js';

const keywords = compileKeywords(
  keywordsSchema.parse({
    version: 1,
    gate: { terms: { en: ['not working', 'broken', 'lost'], ru: ['не работает', 'потерял'] } },
    target: {
      names: { en: ['skymail'], ru: ['скаймейл'] },
      accounts: ['@skymail_help'],
      domains: ['skymail.com'],
      products: { en: ['inbox', 'email'], ru: ['почта', 'письмо'] },
      competitors: { en: ['gmail'] },
      others: { en: ['bank', 'post office', 'tax office'], ru: ['почта россии', 'госуслуги', 'провайдер', 'ростелеком'] },
      devices: { en: ['laptop', 'computer'], ru: ['ноутбук', 'компьютер'] },
    },
    categories: [{ name: 'login', terms: { en: ['can not log in'] } }],
  }),
);
const classifier = createClassifier({ keywords });

describe('is it about us? (target model)', () => {
  it.each([
    // [text, channel, about, complaint]
    ['my inbox is not working', 'twitter', 'us', true],
    ['@skymail_help everything is broken', 'twitter', 'us', true],
    ['skymial is broken again', 'twitter', 'us', true], // one typo in a 6+ letter name
    ['#skymaildown my bank app is not working', 'twitter', 'other', false], // a hashtag is weak evidence
    ['my bank app is not working', 'twitter', 'other', false],
    ['the post office lost my parcel', 'twitter', 'other', false],
    ['Почта России потеряла посылку', 'twitter', 'other', false], // "почта россии" is not our "почта"
    ['почта не работает', 'twitter', 'us', true],
    ['госуслиги опять не работают', 'twitter', 'other', false], // one typo in a 6+ letter service
    ['gmail is not working either', 'twitter', 'other', false],
    ['emails from my bank are lost', 'twitter', 'us', true], // the bank is a sender: mail through us
    ['it is not working', 'twitter', 'unknown', true],
    ['it is not working', 'email', 'us', true], // our support mailbox
    ['Hello Skymail team, my bank card is broken', 'email', 'other', false], // says otherwise, greeting aside
    ['my bank sends an email and it never comes, broken', 'email', 'us', true],
    ['visit skymail.com, it is broken', null, 'us', true],
    // The writer's device: the subject of the complaint, or only where the writer reads us.
    ['my laptop is broken again', 'twitter', 'other', false],
    ['ноутбук не работает', 'twitter', 'other', false],
    ['it is not working, happens on my laptop too', 'twitter', 'unknown', true],
    ['it is not working from the office computer', 'email', 'us', true],
    ['Почта не работает с домашнего компьютера', 'email', 'us', true],
    ['Почта не работает, на ноутбуке то же самое', 'twitter', 'us', true],
    ['мой ноутбук потерял сеть', 'email', 'other', false],
    // A site or app named by what it is for is another service's, listed or not.
    ['the train booking site is broken', 'twitter', 'other', false],
    ["the dentist's website is broken", 'twitter', 'other', false],
    ['their app is broken', 'twitter', 'other', false],
    ['the new app is broken', 'twitter', 'unknown', true],
    ['the settings app is broken', 'twitter', 'unknown', true],
    ['the email app is broken', 'twitter', 'us', true],
    ['the calendar app is broken', 'email', 'us', true], // our support mailbox: an app named there is ours
    ['other apps are fine but the app is broken', 'twitter', 'unknown', true],
    ['сайт налоговой не работает', 'twitter', 'other', false],
    // "почему", "потому" end like an adjective ("поч-ему") but name no owner of the site or app.
    ['почему сайт не работает?', 'twitter', 'unknown', true],
    ['почему приложение опять не работает, письмо не открыть', 'twitter', 'us', true],
    ['почему сайт налоговой не работает', 'twitter', 'other', false],
    ['банковское приложение не работает', 'twitter', 'other', false],
    ['приложение снова не работает', 'twitter', 'unknown', true],
    ['мобильное приложение не работает', 'twitter', 'unknown', true],
    ['приложение почты не работает', 'twitter', 'us', true],
    ['остальные сайты открываются, а почта не работает', 'twitter', 'us', true],
    // "from" is mail passing through us only where there is something mail carries.
    ['интернет от провайдера не работает', 'twitter', 'other', false],
    ['коды от провайдера потерял', 'twitter', 'us', true],
    // …unless the message speaks of text messages: codes by SMS are no mail.
    ['смс от провайдера не работает, коды от провайдера потерял', 'twitter', 'other', false],
    ['sms codes from my bank are lost', 'twitter', 'other', false],
    // A word that starts another service's phrase names whose site it is ("tax office" → "the tax website").
    ['the tax website is broken', 'twitter', 'other', false],
    // A Russian name the stemmer cuts as if declined still matches its declined forms.
    ['интернет Ростелекома не работает', 'twitter', 'other', false],
    ['у Ростелекомом всё не работает', 'twitter', 'other', false],
    // A possessive names a site's owner, listed or not; a pronoun's does not.
    ["the store's website is broken", 'twitter', 'other', false],
    ["it's app is broken", 'twitter', 'unknown', true],
    // Someone else's help desk or app after a third-party possessive.
    ['their support is not working', 'twitter', 'other', false],
    ['их поддержка не работает', 'twitter', 'other', false],
    ['их приложение не работает', 'twitter', 'other', false],
    ['support is not working', 'twitter', 'unknown', true],
    // A failure placed with a third party ("у них") names another service; our product word beside it keeps it ours.
    ['опять ничего не работает, что у них там', 'twitter', 'other', false],
    ['почта не работает, что у них там', 'twitter', 'us', true],
    // "у них" as the start of a new clause is no "at them": nothing else is named.
    ['не работает у, них', 'twitter', 'unknown', true],
    // A name made on a kind of service is another service of that kind, listed or not.
    ['монобанк опять не работает', 'twitter', 'other', false],
    ['Monobank is not working', 'twitter', 'other', false],
    ['у Монобанка приложение не работает', 'twitter', 'other', false],
    // On our own channels a tag of ours says nothing: the message is said to us already.
    ['#skymail my bank card is broken', 'telegram', 'other', false],
    ['#skymail my bank card is broken', 'twitter', 'other', false],
    // Another mail service as the subject: its inbox and letters are the same words as ours, no evidence for us…
    ['gmail inbox is not working', 'twitter', 'other', false],
    ['в gmail письмо не работает', 'twitter', 'other', false],
    // …but as a recipient it is mail passing through us, and "your" addresses the service the search found.
    ['email to gmail is not working', 'twitter', 'us', true],
    ['письмо на gmail не работает', 'twitter', 'us', true],
    ['письмо на адрес gmail не работает', 'twitter', 'us', true],
    ['письмо с gmail не работает', 'twitter', 'us', true],
    ['gmail is fine, your inbox is not working', 'twitter', 'us', true],
    ['skymail inbox is not working, gmail inbox is fine', 'twitter', 'us', true],
  ] as const)('%j via %s → %s', (text, channel, about, complaint) => {
    const c = classifier.classify(text, null, channel);
    expect(c.target?.about).toBe(about);
    expect(c.complaint).toBe(complaint);
  });

  it('names the words that decided, and keeps a complaint about something else visible in the explanation', () => {
    const e = classifier.explain('my bank app is not working', null, 'twitter');
    expect(e.classification.target).toEqual({ about: 'other', terms: ['bank'] });
    expect(e.complaintAboutAnything).toBe(true);
    expect(e.classification.score).toBeLessThan(0.5);
  });

  it('without a target section every message is ours and carries no target', () => {
    const plain = compileKeywords(keywordsSchema.parse({ version: 1, gate: { terms: { en: ['broken'] } }, categories: [{ name: 'x' }] }));
    const c = createClassifier({ keywords: plain }).classify('my bank app is broken', null, 'twitter');
    expect(c.complaint).toBe(true);
    expect(c.target).toBeUndefined();
  });
});

describe('model version', () => {
  it('every classification carries it; a keyword change or a learned layer is a new version', () => {
    const c = classifier.classify('my inbox is not working');
    expect(c.modelVersion).toBe(classifier.version);
    expect(classifier.version).toMatch(/^k[0-9a-f]{12}$/);
    const again = createClassifier({ keywords: compileKeywords(keywords.config) });
    expect(again.version).toBe(classifier.version);
    const edited = createClassifier({ keywords: compileKeywords({ ...keywords.config, gate: { ...keywords.config.gate, terms: { en: ['broken'], ru: [] } } }) });
    expect(edited.version).not.toBe(classifier.version);
  });
});
