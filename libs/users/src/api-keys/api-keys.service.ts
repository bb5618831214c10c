import { Injectable, Logger } from '@nestjs/common';
import { API_KEY_PATTERN, hashApiKeySecret } from './api-key-secret.js';
import { ApiKeysRepository, type KeyPrincipal } from './api-keys.repository.js';

/** `last_used_at` is written at most this often per key, so reads don't turn into writes. */
export const LAST_USED_INTERVAL_SECONDS = 300;

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly touching = new Set<string>();

  constructor(private readonly keys: ApiKeysRepository) {}

  /**
   * The principal behind a secret, or null when the key is malformed, unknown, revoked or expired,
   * or its user is deleted or inactive. A malformed key costs no database round trip.
   */
  async authenticate(secret: string): Promise<KeyPrincipal | null> {
    if (!API_KEY_PATTERN.test(secret)) return null;
    const principal = await this.keys.findPrincipalByHash(hashApiKeySecret(secret));
    if (principal && this.isStale(principal.lastUsedAt)) this.touchInBackground(principal.apiKeyId);
    return principal;
  }

  private isStale(lastUsedAt: Date | null): boolean {
    return lastUsedAt === null || Date.now() - lastUsedAt.getTime() >= LAST_USED_INTERVAL_SECONDS * 1000;
  }

  /** Off the response's critical path; a burst of requests with one key writes once. */
  private touchInBackground(apiKeyId: string): void {
    if (this.touching.has(apiKeyId)) return;
    this.touching.add(apiKeyId);
    this.keys
      .touchLastUsed(apiKeyId, LAST_USED_INTERVAL_SECONDS)
      .catch((error: unknown) => this.logger.warn(`could not record last use of ${apiKeyId}: ${String(error)}`))
      .finally(() => this.touching.delete(apiKeyId));
  }
}
