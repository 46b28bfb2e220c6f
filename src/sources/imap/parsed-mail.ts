/** A parsed e-mail as plain data: what `parse-mail.ts` produces and `build-message.ts` consumes. */
export interface MailAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  /** Decoded size in bytes (the content itself is never kept). */
  readonly size: number;
}

export interface ParsedMail {
  /** Header name (lower case) → raw value of its first occurrence, unfolded, not decoded. */
  readonly headers: Readonly<Record<string, string>>;
  /** Decoded subject (RFC 2047), or null when absent. */
  readonly subject: string | null;
  readonly from: { readonly address: string; readonly name: string } | null;
  /** Date header, epoch ms; null when absent or unparsable. */
  readonly date: number | null;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  /** The text/plain body, decoded to UTF-8 (null when the mail has none). */
  readonly text: string | null;
  /** The text/html body, decoded to UTF-8 (null when the mail has none). */
  readonly html: string | null;
  readonly attachments: readonly MailAttachment[];
}

/** Where a fetched mail came from. */
export interface MailOrigin {
  readonly source: string;
  readonly mailbox: string;
  readonly uidvalidity: number;
  readonly uid: number;
  /** IMAP INTERNALDATE (epoch ms): when the server received it. */
  readonly internalDate: number | null;
}
