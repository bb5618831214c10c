import { domainToASCII } from 'node:url';

/**
 * One spelling per address, before it is stored or compared: Unicode NFC (a composed and a
 * decomposed `é` are one character), the domain in its ASCII (punycode) form, all in lower case.
 * A domain that has no ASCII form is left as it came, for the validator to refuse.
 */
export function normalizeEmail(email: string): string {
  const text = email.trim().normalize('NFC');
  const at = text.lastIndexOf('@');
  if (at < 0) return text.toLowerCase();
  const domain = text.slice(at + 1);
  const ascii = domainToASCII(domain);
  return `${text.slice(0, at)}@${ascii || domain}`.toLowerCase();
}
