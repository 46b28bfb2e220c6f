/**
 * PURE: reading a large message without downloading its attachments. From the IMAP BODYSTRUCTURE
 * (as node-imap parses it) we pick the text parts to fetch and list the rest as attachments (name
 * and size); the fetched header and text parts are then reassembled into a small stand-in message
 * that the mail parser decodes as usual (charsets, transfer encodings).
 */
import type { MailAttachment } from './parsed-mail.js';

export interface StructurePart {
  readonly partID: string;
  readonly type: string;
  readonly subtype: string;
  readonly params: Readonly<Record<string, string>> | null;
  readonly encoding: string | null;
  /** Size of the part as transferred (encoded), in octets. */
  readonly size: number;
  readonly disposition: { readonly type: string; readonly params: Readonly<Record<string, string>> | null } | null;
}

export interface StructurePlan {
  readonly multipart: boolean;
  /** Text parts (plain / html, not attachments, not larger than the cap) to fetch. */
  readonly textParts: readonly StructurePart[];
  readonly attachments: readonly MailAttachment[];
}

function isPart(value: unknown): value is StructurePart {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { partID?: unknown }).partID === 'string';
}

/** Every leaf part of a node-imap `struct` (multipart containers are walked, not returned). */
export function leafParts(struct: readonly unknown[]): StructurePart[] {
  const head = struct[0];
  if (isPart(head)) return [head];
  const out: StructurePart[] = [];
  for (const child of struct.slice(1)) if (Array.isArray(child)) out.push(...leafParts(child));
  return out;
}

/** Decoded size estimate: base64 carries 57 bytes per 78-octet line (76 characters + CRLF). */
export function decodedSize(part: Pick<StructurePart, 'encoding' | 'size'>): number {
  return (part.encoding ?? '').toLowerCase() === 'base64' ? Math.floor((part.size * 57) / 78) : part.size;
}

export function planLargeMessage(struct: readonly unknown[], textCap: number): StructurePlan {
  const multipart = !isPart(struct[0]);
  const textParts: StructurePart[] = [];
  const attachments: MailAttachment[] = [];
  for (const part of leafParts(struct)) {
    const type = `${part.type}/${part.subtype}`.toLowerCase();
    const attached = part.disposition?.type.toLowerCase() === 'attachment';
    if ((type === 'text/plain' || type === 'text/html') && !attached && part.size <= textCap) textParts.push(part);
    else {
      const filename = part.disposition?.params?.filename ?? part.params?.name ?? null;
      attachments.push({ filename, contentType: type, size: decodedSize(part) });
    }
  }
  return { multipart, textParts, attachments };
}

const SYNTHETIC_BOUNDARY = 'radar-large-message-boundary-7f3a';

/** The header without Content-Type / Content-Transfer-Encoding (folded lines included). */
function headerWithout(header: string, names: readonly string[]): string[] {
  const fields: string[] = [];
  for (const line of header.replace(/\r?\n$/, '').split(/\r?\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  return fields.filter((f) => !names.includes((f.split(':')[0] ?? '').trim().toLowerCase()));
}

/**
 * Reassembles a stand-in message: the original header (Content-Type replaced by a multipart/mixed
 * of our own) and the fetched text parts with their MIME headers, still transfer-encoded.
 */
export function assembleMessage(header: Buffer, parts: ReadonlyArray<{ readonly mime: Buffer; readonly body: Buffer }>): Buffer {
  const head = headerWithout(header.toString('latin1'), ['content-type', 'content-transfer-encoding']);
  const chunks: Buffer[] = [Buffer.from([...head, 'MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${SYNTHETIC_BOUNDARY}"`, '', ''].join('\r\n'), 'latin1')];
  for (const part of parts) {
    const mime = part.mime.toString('latin1').replace(/(\r?\n)*$/, '');
    chunks.push(Buffer.from(`--${SYNTHETIC_BOUNDARY}\r\n${mime}\r\n\r\n`, 'latin1'), part.body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${SYNTHETIC_BOUNDARY}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** A single-part message: its header as it is, then the body (or nothing when the body is not text). */
export function assembleSinglePart(header: Buffer, body: Buffer | null): Buffer {
  const head = header.toString('latin1').replace(/(\r?\n)*$/, '');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
}
