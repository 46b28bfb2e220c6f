import { describe, expect, it } from 'vitest';
import { assembleMessage, assembleSinglePart, decodedSize, planLargeMessage } from '../../../src/sources/imap/body-structure.js';
import { parseMailBuffer } from '../../../src/sources/imap/parse-mail.js';

const leaf = (partID: string, type: string, subtype: string, size: number, extra: Record<string, unknown> = {}) => ({
  partID, type, subtype, params: null, encoding: '7bit', size, disposition: null, ...extra,
});

describe('planLargeMessage', () => {
  it('multipart: text parts fetched, attachments listed with decoded size', () => {
    const struct = [
      { type: 'mixed', params: { boundary: 'X' } },
      [leaf('1', 'text', 'plain', 100)],
      [{ type: 'alternative' }, [leaf('2.1', 'text', 'plain', 50)], [leaf('2.2', 'text', 'html', 80)]],
      [leaf('3', 'application', 'pdf', 7800, { encoding: 'base64', disposition: { type: 'attachment', params: { filename: 'a.pdf' } } })],
      [leaf('4', 'text', 'plain', 10, { disposition: { type: 'attachment', params: { filename: 'notes.txt' } } })],
      [leaf('5', 'text', 'plain', 5_000_000)],
      [leaf('6', 'image', 'png', 780, { encoding: 'base64', params: { name: 'x.png' } })],
    ];
    const plan = planLargeMessage(struct, 1_000_000);
    expect(plan.multipart).toBe(true);
    expect(plan.textParts.map((p) => p.partID)).toEqual(['1', '2.1', '2.2']);
    expect(plan.attachments).toEqual([
      { filename: 'a.pdf', contentType: 'application/pdf', size: 5700 },
      { filename: 'notes.txt', contentType: 'text/plain', size: 10 },
      { filename: null, contentType: 'text/plain', size: 5_000_000 },
      { filename: 'x.png', contentType: 'image/png', size: 570 },
    ]);
  });

  it('single part text and single part binary', () => {
    expect(planLargeMessage([leaf('1', 'text', 'plain', 10)], 100)).toMatchObject({ multipart: false, textParts: [{ partID: '1' }], attachments: [] });
    expect(planLargeMessage([leaf('1', 'application', 'zip', 78, { encoding: 'BASE64' })], 100)).toMatchObject({
      multipart: false,
      textParts: [],
      attachments: [{ contentType: 'application/zip', size: 57 }],
    });
  });

  it('decodedSize', () => {
    expect(decodedSize({ encoding: 'base64', size: 78_000 })).toBe(57_000);
    expect(decodedSize({ encoding: 'quoted-printable', size: 10 })).toBe(10);
    expect(decodedSize({ encoding: null, size: 3 })).toBe(3);
  });
});

describe('assembleMessage', () => {
  it('reassembles header + encoded text parts into a parsable message', async () => {
    const header = Buffer.from('From: a@example.com\r\nSubject: Big\r\nContent-Type: multipart/mixed;\r\n boundary="orig"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n');
    const raw = assembleMessage(header, [
      {
        mime: Buffer.from('Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
        body: Buffer.from(Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]).toString('base64')), // "Привет" in KOI8-R
      },
    ]);
    const parsed = await parseMailBuffer(raw);
    expect(parsed.mail).toMatchObject({ subject: 'Big', text: 'Привет', from: { address: 'a@example.com' } });
    expect(raw.toString('latin1')).not.toContain('boundary="orig"');
  });

  it('single part keeps the header and body', async () => {
    const parsed = await parseMailBuffer(assembleSinglePart(Buffer.from('From: a@x\r\nSubject: s\r\n\r\n'), Buffer.from('hello')));
    expect(parsed.mail).toMatchObject({ subject: 's', text: 'hello' });
  });
});
