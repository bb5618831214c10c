import { newApiKeyId } from '../users/ids.js';
import type { NewApiKey } from '../users/users.repository.js';
import { apiKeyDisplayPrefix, generateApiKeySecret, hashApiKeySecret } from './api-key-secret.js';

/** A key ready to insert, and its secret, which is shown once and never stored. */
export function newApiKey(
  name: string | null,
  expiresAt: Date | null = null,
  secret = generateApiKeySecret(),
): { key: NewApiKey; secret: string } {
  return {
    secret,
    key: { id: newApiKeyId(), keyHash: hashApiKeySecret(secret), prefix: apiKeyDisplayPrefix(secret), name, expiresAt },
  };
}
