import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ApiKeyLimitReachedError,
  ApiKeyNotFoundError,
  isoSeconds,
  LastApiKeyError,
  type Page,
  UserNotFoundError,
} from '@users-service/common';
import type { PageQueryDto } from '../users/dto/list-users-query.dto.js';
import {
  DEFAULT_MAX_API_KEYS_PER_USER,
  USERS_MODULE_OPTIONS,
  type UsersModuleOptions,
} from '../users/users.module-definition.js';
import type { Caller } from '../auth/caller.js';
import { isApiKeyId } from '../users/ids.js';
import { API_KEY_PATTERN, hashApiKeySecret } from './api-key-secret.js';
import { type ApiKeyRow, ApiKeysRepository, type LiveKey } from './api-keys.repository.js';
import type {
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreateApiKeyResponseDto,
  RevokeApiKeyResponseDto,
} from './dto/create-api-key.dto.js';
import { newApiKey } from './new-api-key.js';

const iso = (date: Date | null): string | null => (date ? isoSeconds(date) : null);

export function toApiKeyResponse(row: ApiKeyRow): ApiKeyResponseDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: isoSeconds(row.created_at),
    last_used_at: iso(row.last_used_at),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
  };
}

/** `last_used_at` is written at most this often per key, so reads don't turn into writes. */
export const LAST_USED_INTERVAL_SECONDS = 300;

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly touching = new Set<string>();

  private readonly maxKeysPerUser: number;

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(USERS_MODULE_OPTIONS) options: UsersModuleOptions,
  ) {
    this.maxKeysPerUser = options.maxApiKeysPerUser ?? DEFAULT_MAX_API_KEYS_PER_USER;
  }

  /**
   * The live key behind a secret and its user, or null when the key is malformed, unknown, revoked
   * or expired, or its user is deleted or inactive. A malformed key costs no database round trip.
   * The guard turns the answer into the request's `Caller`.
   */
  async authenticate(secret: string): Promise<LiveKey | null> {
    if (!API_KEY_PATTERN.test(secret)) return null;
    const liveKey = await this.keys.findLiveByHash(hashApiKeySecret(secret));
    if (liveKey && this.isStale(liveKey.lastUsedAt)) this.touchInBackground(liveKey.apiKeyId);
    return liveKey;
  }

  /**
   * A new key for the caller; its secret is in the answer and nowhere else. Refused (409) when the
   * caller already holds `maxApiKeysPerUser` live keys.
   */
  async createForCaller(dto: CreateApiKeyDto, caller: Caller): Promise<CreateApiKeyResponseDto> {
    const { key, secret } = newApiKey(dto.name ?? null, dto.expires_at ? new Date(dto.expires_at) : null);
    const row = await this.keys.insertForLiveUser(caller.userId, key, caller, this.maxKeysPerUser);
    if (row === 'not_found') throw new UserNotFoundError();
    if (row === 'limit_reached') throw new ApiKeyLimitReachedError(this.maxKeysPerUser);
    return {
      success: true,
      api_key: secret,
      key: {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        created_at: isoSeconds(row.created_at),
        expires_at: iso(row.expires_at),
      },
    };
  }

  /** One page of the caller's keys, revoked and expired ones included; never a secret or a hash. */
  async listForCaller(query: PageQueryDto, caller: Caller): Promise<Page<ApiKeyResponseDto>> {
    const { keys, total } = await this.keys.listPageForUser(caller.userId, query.skip, query.limit);
    return { items: keys.map(toApiKeyResponse), total };
  }

  /**
   * Revokes one of the caller's keys. Someone else's key, an unknown id and an already revoked
   * key are all 404, so ids cannot be probed. A revocation that would leave the caller without a
   * live key (typically: the key in use, when it is the last one) is refused with 409.
   */
  async revokeForCaller(keyId: string, caller: Caller): Promise<RevokeApiKeyResponseDto> {
    if (!isApiKeyId(keyId)) throw new ApiKeyNotFoundError();
    const outcome = await this.keys.revokeForUser(keyId, caller.userId, caller);
    if (outcome === 'not_found') throw new ApiKeyNotFoundError();
    if (outcome === 'last_key') throw new LastApiKeyError();
    return { success: true, message: 'API key revoked successfully', key_id: keyId };
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
