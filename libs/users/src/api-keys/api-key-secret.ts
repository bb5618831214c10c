import { createHash, randomBytes } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_LENGTH = 40;
const PREFIX_LENGTH = 10;

/** What a key looks like on the wire: `ak_` + 32 to 64 base62 characters (generated keys have 40). */
export const API_KEY_PATTERN = /^ak_[A-Za-z0-9]{32,64}$/;

/** A new secret: `ak_` + 40 uniformly random base62 characters (~238 bits). */
export function generateApiKeySecret(): string {
  let out = 'ak_';
  while (out.length < 3 + SECRET_LENGTH) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 * 62: rejecting the top bytes keeps every character equally likely.
      if (byte < 248 && out.length < 3 + SECRET_LENGTH) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** SHA-256 (hex) of a secret: what is stored and looked up; the secret itself never is. */
export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The first characters of a secret, stored to tell keys apart in a list. */
export function apiKeyDisplayPrefix(secret: string): string {
  return secret.slice(0, PREFIX_LENGTH);
}
