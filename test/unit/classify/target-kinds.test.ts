/**
 * "Is it about us?" for services and things named only by their kind, with the shipped config (keyword
 * layer alone; sentences written for this test, en and ru, none from the development sets): a described
 * other service or the writer's own device is someone else's complaint; mail from such a service arriving
 * at us, and a device that is only the writer's setting (where they read us, what they restarted, said to
 * be fine, a phone number), stay ours.
 */
import { describe, expect, it } from 'vitest';
import { compileKeywords, createClassifier } from '../../../src/classify/index.js';
import { stemWord } from '../../../src/classify/stem.js';
import { loadKeywords } from '../../../src/config/keywords.js';

const classifier = createClassifier({ keywords: compileKeywords(loadKeywords()) });
const about = (text: string, channel = 'twitter') => classifier.classify(text, null, channel).target?.about;
const complaint = (text: string, channel = 'twitter') => classifier.classify(text, null, channel).complaint;

describe('another service named by its kind (shipped config)', () => {
  it.each([
    'the company vpn drops every half hour and I have to log in again each time',
    'my credit union froze my account and nobody answers the phone line',
    'the streaming service keeps logging me out of every tv in the house',
    'matchmaking has been broken for two days, cannot get into a single game',
    'the firmware update bricked my router, it will not turn on',
    'корпоративный портал опять не пускает, пароль не подходит',
    'мобильный оператор второй день не может восстановить связь',
    'перевод через сбп завис, деньги списались и не дошли',
    'после обновления прошивки телевизор не включается',
    'запись к врачу не работает, сайт выдаёт ошибку',
  ])('a complaint about another service or thing: %j', (text) => {
    expect(about(text)).toBe('other');
    expect(complaint(text)).toBe(false);
  });

  it.each([
    ['my phone keeps rebooting on its own since yesterday', 'twitter'],
    ['the wifi at home drops every ten minutes', 'twitter'],
    ['смартфон сам перезагружается и греется', 'twitter'],
    ['Phone problem\n\nHello, my phone restarts on its own every hour and the screen flickers. What should I do?', 'email'],
  ])('the writer’s own device as the subject: %j', (text, channel) => {
    expect(about(text, channel)).toBe('other');
    expect(complaint(text, channel)).toBe(false);
  });

  it.each([
    ['the monthly statement from my pension fund never arrives in my inbox', 'twitter'],
    ['emails from the school portal have not reached my inbox for a week', 'twitter'],
    ['письма от управляйки с квитанциями не приходят на почту', 'twitter'],
    ['No letters from my insurer\n\nHi, letters from my insurance company stopped arriving, other mail comes fine.', 'email'],
  ])('mail from another service arriving at us stays ours: %j', (text, channel) => {
    expect(about(text, channel)).toBe('us');
    expect(complaint(text, channel)).toBe(true);
  });
});

describe('a device that is only the writer’s setting stays ours (shipped config)', () => {
  it.each([
    ['cannot log in to my mail on my phone, it says wrong password', 'twitter'],
    ['inbox will not load, tried restarting the router, same thing', 'twitter'],
    ['the inbox takes a minute to open. internet is fine, other sites are instant', 'twitter'],
    ['the inbox hangs every few minutes, the laptop is not the problem', 'twitter'],
    ['Login\n\nThe login code never comes, the phone is right beside me. Please help.', 'email'],
    ['Login\n\nI cannot log in, it asks me to confirm my phone number and then fails.', 'email'],
    ['почта не открывается, перезагрузил роутер — не помогло', 'twitter'],
    ['Вход\n\nНе приходит смс для входа, телефон рядом лежит.', 'email'],
    ['Вход\n\nНе могу войти в почту, пишет, что нужно подтвердить номер телефона.', 'email'],
    ['Вылетает приложение\n\nПриложение почты вылетает на заставке. Телефон Xiaomi, перезагружал — не помогло.', 'email'],
  ])('%j', (text, channel) => {
    expect(about(text, channel)).toBe('us');
    expect(complaint(text, channel)).toBe(true);
  });

  it.each([
    'after the iOS update the app crashes as soon as it opens',
    'после обновления андроида приложение не запускается',
    'my phone says the session expired every time I open the app',
    'телефон пишет, что сессия истекла, и выкидывает из приложения',
  ])('an app of no named owner runs on the writer’s phone, which is only the setting: %j', (text) => {
    expect(about(text)).toBe('unknown');
    expect(complaint(text)).toBe(true);
  });

  it('an OS update with no app of ours in sight is the writer’s device; a named owner’s app stays theirs', () => {
    expect(about('the android update made my phone reboot every hour')).toBe('other');
    expect(about('the banking app crashes after the ios update')).toBe('other');
  });

  it('"с" before a time says since when, not where: the device is the subject', () => {
    expect(about('с утра нет интернета, провод на месте')).toBe('other');
    expect(about('почта не грузится с рабочего компа')).toBe('us');
  });
});

describe('"почти" is not mail', () => {
  it('keeps its form, so an adverb is no product word', () => {
    expect(stemWord('почти')).toBe('почти');
    expect(stemWord('почта')).not.toBe(stemWord('почти'));
    expect(about('телефон почти сразу разряжается')).toBe('other');
  });
});

describe('other services by brand, nickname and Russian spelling (shipped config)', () => {
  it.each([
    'у меня вацап опять не отправляет сообщения',
    'телега не грузит картинки с утра',
    'зум выкидывает со звонка каждые пять минут',
    'вк не открывается уже час',
    'zoom keeps dropping my calls again',
    'my GMX inbox keeps putting my replies in spam',
  ])('a complaint about another service: %j', (text) => {
    expect(about(text)).toBe('other');
    expect(complaint(text)).toBe(false);
  });
  it('named beside ours, the message stays ours', () => {
    expect(about('скаймейл не грузит письма, а вк работает')).toBe('us');
  });
});

describe('a service the writer signs in to us with is a means, not the subject (shipped config)', () => {
  it.each(['вход через вк не работает, крутится колесико', "can't sign in with zoom, it just spins"])('%j stays a complaint', (text) => {
    expect(about(text)).not.toBe('other');
    expect(complaint(text)).toBe(true);
  });
  it('the same service as the subject is another service', () => {
    expect(about('вк не работает, крутится колесико')).toBe('other');
  });
});
