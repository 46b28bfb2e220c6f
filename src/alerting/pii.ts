/**
 * Masks personal data in example messages before they leave the service: e-mail addresses and phone
 * numbers (7+ digits with optional +, spaces, dashes, dots, parentheses).
 *
 * @example maskPii('call +7 (912) 345-67-89 or a.b@c.ru') // 'call [phone] or [email]'
 */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const PHONE = /(?<![\p{L}\p{N}])\+?\d(?:[\s().-]{0,2}\d){6,16}(?![\p{L}\p{N}])/gu;

/** Dates (2026-11-26, 26.11.2026, 26/11/2026) look like phone numbers but are not personal. */
const DATE = /^(?:\d{4}-\d{2}-\d{2}|\d{2}[./]\d{2}[./]\d{4})$/;

export function maskPii(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, (match) => (DATE.test(match) ? match : '[phone]'));
}
