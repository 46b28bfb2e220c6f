import { describe, expect, it } from 'vitest';
import { cleanSubject, htmlToPlainText, stripQuotesAndSignature } from '../../../src/sources/imap/clean-text.js';

describe('stripQuotesAndSignature', () => {
  const cases: Array<[string, string, string]> = [
    ['plain text unchanged', 'My order never arrived.', 'My order never arrived.'],
    ['"> " quoted lines', 'Still broken.\n> you said it was fixed\n> yesterday', 'Still broken.'],
    ['interleaved quoting keeps own lines', '> Did you restart?\nYes, twice.\n> Which version?\n2.1', 'Yes, twice.\n2.1'],
    ['On … wrote:', 'Still no refund.\n\nOn Mon, 2 Mar 2026 at 10:00, Support <s@x.org> wrote:\nWe refunded.', 'Still no refund.'],
    ['On … wrote: wrapped over two lines', 'Still no refund.\n\nOn Mon, 2 Mar 2026 at 10:00, Support Team\n<s@x.org> wrote:\nWe refunded.', 'Still no refund.'],
    ['-----Original Message-----', 'See below.\n-----Original Message-----\nFrom: a\nSent: b', 'See below.'],
    ['Outlook header block', 'Not fixed.\n\nFrom: Support <s@x.org>\nSent: Monday, March 2, 2026\nTo: me', 'Not fixed.'],
    ['Outlook rule line', 'Not fixed.\n________________________________\nFrom: Support', 'Not fixed.'],
    ['Russian "пишет:"', 'Заказ так и не пришёл.\n\n12.03.2026, 10:15, "Поддержка" <s@x.ru> пишет:\n> отправлен', 'Заказ так и не пришёл.'],
    ['Russian "написал(а):"', 'Не работает.\n\nПонедельник, 2 марта 2026 г. пользователь Поддержка написал(а):\nстарое', 'Не работает.'],
    ['Russian forwarded header', 'Смотрите ниже.\n-------- Пересылаемое сообщение --------\nстарое', 'Смотрите ниже.'],
    ['"-- " signature delimiter', 'App crashes on start.\n-- \nJohn\nACME', 'App crashes on start.'],
    ['Sent from my iPhone', 'Cannot log in\n\nSent from my iPhone', 'Cannot log in'],
    ['Отправлено с iPhone', 'Не могу войти\n\nОтправлено с iPhone', 'Не могу войти'],
    ['Best regards sign-off', 'Refund missing.\n\nBest regards,\nJohn Smith\nACME Corp', 'Refund missing.'],
    ['С уважением sign-off', 'Вылетает при оплате.\n\nС уважением,\nМария', 'Вылетает при оплате.'],
    ['"Thanks, but" inside text is kept', 'Thanks, but the order did not arrive.\nPlease check.', 'Thanks, but the order did not arrive.\nPlease check.'],
    ['"From:" in own text is kept', 'From: the app I cannot pay.\nIt fails.', 'From: the app I cannot pay.\nIt fails.'],
    ['CRLF and extra blank lines', 'a\r\n\r\n\r\n\r\nb\r\n', 'a\n\nb'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(stripQuotesAndSignature(input)).toBe(expected);
  });
});

describe('htmlToPlainText', () => {
  const cases: Array<[string, string, string]> = [
    ['tags and entities', '<p>Order <b>late</b> &amp; broken</p>', 'Order late & broken'],
    ['links keep text, drop URL', '<p>Press <a href="https://x.example/pay">Pay</a></p>', 'Press Pay'],
    ['images and styles dropped', '<style>p{}</style><p>Hi<img src="cid:1"></p>', 'Hi'],
    ['blockquote dropped', '<p>Still broken</p><blockquote>old text</blockquote>', 'Still broken'],
    ['gmail quote dropped', '<div>New</div><div class="gmail_quote">On Mon X wrote:<br>old</div>', 'New'],
  ];
  it.each(cases)('%s', (_name, html, expected) => {
    expect(htmlToPlainText(html).trim()).toBe(expected);
  });
});

describe('cleanSubject', () => {
  const cases: Array<[string, string]> = [
    ['Re: Refund', 'Refund'],
    ['RE: Fwd: re: Refund', 'Refund'],
    ['Ответ: Возврат', 'Возврат'],
    ['AW: Problem', 'Problem'],
    ['Re[2]: Problem', 'Problem'],
    ['[Ticket #5] Re: x', '[Ticket #5] Re: x'],
    ['  spaced   out  ', 'spaced out'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(cleanSubject(input)).toBe(expected);
  });
});
