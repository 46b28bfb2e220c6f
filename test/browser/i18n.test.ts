/**
 * Russian and English (issue 18): the dashboard takes the browser's language, the header's switch changes
 * it and is remembered (the server-rendered pages follow through the cookie); numbers and dates are
 * formatted for the locale; the report form and its answers (with and without JavaScript) in both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, chromiumMissing, login, newPage, startHarness, USERS, type Running } from './harness.js';

let h: Running;

describe.skipIf(chromiumMissing)('languages (Chromium)', () => {
  beforeAll(async () => {
    h = await startHarness({ alerts: true, detector: true });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('a Russian browser gets the login page and the dashboard in Russian, numbers formatted for ru-RU', async () => {
    const context = await h.browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const { page, errors } = await newPage(context);
    await page.goto(`${h.url}/login`);
    expect(await page.textContent('button[type=submit]')).toBe('Войти');
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    await login(page, h.url, USERS.support, '#/overview?window=24h');
    await page.waitForSelector('#categories article');
    expect(await page.textContent('h1')).toBe('Обзор');
    expect(await page.$$eval('#nav a', (els) => els.map((e) => e.firstChild?.textContent))).toEqual(['Обзор', 'Динамика', 'Сообщения', 'Разметка', 'Алерты', 'Источники']);
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    expect(await page.textContent('#totals')).toMatch(/жалоб за 24h/);
    // ru-RU groups thousands with a (narrow) no-break space, not a comma
    const formatted = await page.evaluate("import('/static/dom.js').then((m) => m.fmtNum(12345.5, 1))");
    expect(formatted).toMatch(/^12\s345,5$/u);
    await page.goto(`${h.url}/#/timeline?range=6h`);
    await page.waitForSelector('#complaints-chart .u-over');
    expect(await page.textContent('#complaints-chart h2')).toMatch(/^Жалобы \(/);
    await page.goto(`${h.url}/#/sources`);
    await page.waitForSelector('#sources').catch(async (e) => { throw new Error(`${e}\n${await page.textContent('body')}\n${errors.join('\n')}`); });
    expect(await page.textContent('#sources thead')).toContain('Состояние');
    await page.goto(`${h.url}/#/messages?complaint=true`);
    await page.waitForSelector('#messages article');
    expect(await page.textContent('h1')).toBe('Сообщения');
    expect(await page.textContent('#messages article button[data-action=not-complaint]')).toBe('Не жалоба');
    await page.goto(`${h.url}/#/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`);
    await page.waitForSelector('#incident-series svg');
    expect(await page.textContent('main')).toContain('Скопировать сводку');
    // what is wrong, in one sentence, in Russian too (numbers formatted for ru-RU)
    expect(await page.textContent('#incident-headline')).toMatch(/^Жалобы: login: ×\d+(,\d)? от нормы, \d+ с .*\d\d:\d\d при ожидании \d+(,\d)?\.$/);
    // the series in words from the catalogue, not the API's English label
    expect(await page.textContent('#incident-series h2')).toBe('Ряд: Жалобы: login');
    // "copy summary": the plain-text status update in Russian (the API's text for ?lang=ru)
    await page.click('#copy-summary');
    await page.waitForSelector('#copy-status[data-result=copied]');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const lines = copied.split('\n');
    expect(lines[0]).toMatch(/^\[АКТИВЕН\] Жалобы: login: ×\d+(,\d)? от нормы, \d+ с \d\d:\d\d при ожидании \d+(,\d)?\.$/);
    expect(lines[1]).toMatch(/^Начало: [а-я]{2} \d\d:\d\d \(.+\), идёт \d/);
    expect(lines).toContain('Главные жалобы:');
    // channels by name from the catalogue, as the incident page's table shows them
    expect(lines.find((l) => l.startsWith('Каналы: '))).toMatch(/^Каналы: Twitter: \d+/);
    expect(lines.some((l) => l.startsWith('Ответственный: '))).toBe(true);
    expect(copied).not.toMatch(/Owner:|Since:|Top complaints:|Login complaints/);
    // A silence, so the Alerts view lists it: its table is in Russian too, and so is the detector's reason.
    const silence = await fetch(`${h.url}/api/silences`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ series: 'complaints.crash', duration: '1h', comment: 'релиз' }) });
    expect(silence.status).toBe(201);
    await page.goto(`${h.url}/#/alerts`);
    await page.waitForSelector('#alerts article');
    expect(await page.textContent('h1')).toBe('Алерты');
    expect(await page.textContent('#alerts article')).toContain('страница инцидента');
    expect(await page.textContent('#alerts article')).toContain(', всплеск');
    expect(await page.textContent('#alerts article')).not.toContain(', spike');
    // the evidence's series label from the catalogue, not the notification's English one
    expect(await page.textContent('#alerts article [data-field=evidence]')).toContain('Жалобы: login: ');
    expect(await page.textContent('#alerts')).not.toContain('Login complaints');
    await page.waitForSelector('#silences table');
    expect(await page.textContent('#silences h2')).toBe('Заглушки');
    expect(await page.$$eval('#silences thead th', (els) => els.map((e) => e.textContent))).toEqual(['Что заглушено', 'До', 'Кто', 'Почему', '']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the switch changes the language, is remembered, and the server-rendered pages follow it', async () => {
    const context = await h.browser.newContext({ locale: 'en-US' });
    const { page } = await newPage(context);
    await login(page, h.url, USERS.support, '#/overview?window=1h');
    await page.waitForSelector('#categories article');
    expect(await page.textContent('h1')).toBe('Overview');
    // English unchanged: the API's label and its English summary
    await page.goto(`${h.url}/#/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}`);
    await page.waitForSelector('#incident-series svg');
    expect(await page.textContent('#incident-series h2')).toBe('The series: Login complaints');
    expect(await page.textContent('#summary-text')).toMatch(/^\[FIRING\] Login complaints: [\d.]+× normal, \d+ since \d\d:\d\d against [\d.]+ expected\.\nSince: /);
    // the language is a validated query: English by default, nothing but en|ru
    const ask = (query: string) => fetch(`${h.url}/api/incidents/${encodeURIComponent(h.alerts[0]?.id ?? '')}${query}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const [plain, ru, bad] = await Promise.all([ask(''), ask('?lang=ru'), ask('?lang=de')]);
    expect(((await plain.json()) as { summaryText: string }).summaryText).toMatch(/^\[FIRING\] /);
    expect(((await ru.json()) as { summaryText: string }).summaryText).toMatch(/^\[АКТИВЕН\] Жалобы: login: /);
    expect(bad.status).toBe(400);
    await page.goto(`${h.url}/#/overview?window=1h`);
    await page.waitForSelector('#categories article');
    await Promise.all([page.waitForEvent('load'), page.selectOption('#language', 'ru')]);
    await page.waitForSelector('#categories article');
    expect(await page.textContent('h1')).toBe('Обзор');
    expect(page.url()).toContain('#/overview?window=1h'); // the view stays
    await page.reload();
    await page.waitForSelector('#categories article');
    expect(await page.textContent('h1')).toBe('Обзор');
    await page.goto(`${h.url}/report`);
    expect(await page.textContent('h1')).toBe('Сообщить о проблеме');
    await context.close();
  });

  it('the report form in Russian: labels, the what-to-fix answer and the thanks, with JavaScript', async () => {
    const context = await h.browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await page.goto(`${h.url}/report`);
    expect(await page.textContent('label[for=f-wrong]')).toContain('Что пошло не так?');
    await page.fill('#f-wrong', 'x');
    await page.click('button[type=submit]');
    await page.waitForSelector('.js-error');
    expect(await page.textContent('.js-error')).toBe('Что пошло не так: напишите хотя бы 3 символа');
    expect(await page.textContent('#report-result')).toBe('Исправьте отмеченное поле.');
    await page.fill('#f-wrong', 'письма не отправляются');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#report-result')?.className === 'ok');
    expect(await page.textContent('#report-result')).toMatch(/^Спасибо, получили\. Номер: form:/);
    await context.close();
  });

  it('the report form in Russian without JavaScript (?lang=ru): the server answers in Russian, and in English again', async () => {
    const context = await h.browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${h.url}/report`);
    expect(await page.textContent('h1')).toBe('Report a problem');
    await page.click('nav.langs a[hreflang=ru]');
    expect(await page.textContent('h1')).toBe('Сообщить о проблеме');
    await page.fill('#f-wrong', 'x');
    await page.click('button[type=submit]');
    expect(await page.textContent('#report-errors')).toBe('Исправьте отмеченные поля.');
    expect(await page.textContent('p.error[data-field=wrong]')).toBe('Что пошло не так: напишите хотя бы 3 символа');
    await page.fill('#f-wrong', 'не приходят письма');
    await page.click('button[type=submit]');
    expect(await page.textContent('#report-thanks h1')).toBe('Спасибо, получили.');
    await page.click('#report-thanks a');
    expect(await page.textContent('h1')).toBe('Сообщить о проблеме');
    await page.click('nav.langs a[hreflang=en]');
    expect(await page.textContent('h1')).toBe('Report a problem');
    await context.close();
  });
});
