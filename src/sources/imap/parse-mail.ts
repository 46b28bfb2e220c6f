/**
 * Streams one raw RFC 822 message through mailparser's `MailParser`: headers and text parts are
 * decoded (any charset, quoted-printable, base64); attachments are counted byte by byte and dropped,
 * so a 20 MB attachment never sits in memory. The first bytes of the raw source are kept for the
 * dead-letter record of a message that cannot be parsed.
 */
import { Readable } from 'node:stream';
import { MailParser, type AddressObject, type AttachmentStream, type MessageText } from 'mailparser';
import type { MailAttachment, ParsedMail } from './parsed-mail.js';

/** How much of the raw source a dead letter keeps. */
export const RAW_KEEP_BYTES = 256 * 1024;

export interface ParseOutcome {
  /** Null when mailparser failed; `error` says why. */
  readonly mail: ParsedMail | null;
  readonly error: string | null;
  /** The first RAW_KEEP_BYTES of the raw message. */
  readonly rawHead: Buffer;
  readonly rawSize: number;
}

function unfold(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').trim();
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): ParsedMail['from'] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  for (const group of list) {
    for (const entry of group.value) {
      if (entry.address) return { address: entry.address, name: entry.name ?? '' };
      for (const member of entry.group ?? []) if (member.address) return { address: member.address, name: member.name ?? '' };
    }
  }
  return null;
}

/** Drains an attachment, counting its bytes, and lets the parser go on. */
function drainAttachment(attachment: AttachmentStream, out: MailAttachment[]): void {
  let size = 0;
  attachment.content.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  attachment.content.on('end', () => {
    out.push({ filename: attachment.filename ?? null, contentType: attachment.contentType, size });
    attachment.release?.();
  });
}

/** Parses one message from a stream of its raw bytes. Never throws: a failure is in `error`. */
export async function parseMailStream(source: Readable, keepBytes = RAW_KEEP_BYTES): Promise<ParseOutcome> {
  const parser = new MailParser({
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    checksumAlgo: false,
  });
  const headers: Record<string, string> = {};
  const attachments: MailAttachment[] = [];
  let text: string | null = null;
  let html: string | null = null;
  parser.on('headerLines', (lines: ReadonlyArray<{ key: string; line: string }>) => {
    for (const { key, line } of lines) {
      const name = key.toLowerCase();
      if (name in headers) continue;
      const colon = line.indexOf(':');
      headers[name] = unfold(colon === -1 ? '' : line.slice(colon + 1));
    }
  });
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'attachment') drainAttachment(data, attachments);
    else {
      text = data.text ?? null;
      html = data.html ?? null;
    }
  });
  const head: Buffer[] = [];
  let kept = 0;
  let size = 0;
  const rawOf = () => Buffer.concat(head);
  // Plain events rather than pipeline(): per-message stream plumbing costs more than parsing a short mail.
  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      source.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (kept < keepBytes) {
        const part = chunk.subarray(0, keepBytes - kept);
        head.push(Buffer.from(part));
        kept += part.length;
      }
      if (!parser.write(chunk)) source.pause();
    });
    parser.on('drain', () => source.resume());
    source.once('end', () => parser.end());
    source.once('error', fail);
    parser.once('error', fail);
    parser.once('end', () => resolve());
  });
  try {
    await done;
  } catch (error) {
    return { mail: null, error: error instanceof Error ? error.message : String(error), rawHead: rawOf(), rawSize: size };
  }
  const date = parser.date instanceof Date && !Number.isNaN(parser.date.getTime()) ? parser.date.getTime() : null;
  const mail: ParsedMail = {
    headers,
    subject: parser.subject ?? null,
    from: firstAddress(parser.from),
    // mailparser fills a missing Date header with "now": only trust it when the header exists.
    date: 'date' in headers ? date : null,
    messageId: parser.messageId ?? null,
    inReplyTo: parser.inReplyTo ?? null,
    text,
    html,
    attachments,
  };
  return { mail, error: null, rawHead: rawOf(), rawSize: size };
}

/** Parses a whole raw message held in memory (tests, tools). */
export function parseMailBuffer(raw: Buffer | string): Promise<ParseOutcome> {
  const buffer = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  return parseMailStream(Readable.from([buffer]));
}
