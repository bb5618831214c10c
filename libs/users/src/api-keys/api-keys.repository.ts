import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import { appendAuditEvents } from '../audit/audit-event.write.js';
import type { Caller } from '../auth/caller.js';
import { PreparedStatement, withConnection } from '../database/prepared-statements.js';
import { eventBy, recordEvent } from '../outbox/record-event.js';
import { UserEntity, type UserRole } from '../users/user.entity.js';
import { toUserEntity, userColumns, type UserRow } from '../users/user.row.js';
import { insertApiKey, type NewApiKey } from '../users/users.repository.js';
import { ApiKeyEntity } from './api-key.entity.js';

/**
 * A live key and the live user behind it, as the authentication lookup reads them. Not the caller:
 * ApiKeyGuard builds the request's `Caller` from it (adding the trace id, IP and user agent).
 */
export interface LiveKey {
  apiKeyId: string;
  userId: string;
  role: UserRole;
  lastUsedAt: Date | null;
  /** The user's row as this lookup read it, so that reading one's own profile needs no second query. */
  user: UserEntity;
}

/** What is known about a key hash, live or not (used at start-up by the bootstrap). */
export interface KeyState {
  apiKeyId: string;
  userId: string;
  role: UserRole;
  usable: boolean;
}

/** An API key without its hash, as its owner may see it. */
export interface ApiKeyRow {
  id: string;
  name: string | null;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export type RevokeOutcome = 'revoked' | 'not_found' | 'last_key';

/** What asking for a new key did: the key, or why not. */
export type InsertOutcome = ApiKeyRow | 'not_found' | 'limit_reached';

function toApiKeyRow(key: ApiKeyEntity): ApiKeyRow {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    created_at: key.createdAt,
    last_used_at: key.lastUsedAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
  };
}

/**
 * The authentication lookup, on every authenticated request: the key by hash with its user's whole
 * row (every column of the entity, named, under its column name), so GET /v1/user/me needs no
 * second round trip. Named rather than `u.*`: a column that a newer release adds while this one runs
 * would change the result type of the statement every pooled connection has prepared, and each
 * would fail once ("cached plan must not change result type").
 */
const AUTHENTICATE = new PreparedStatement(
  'users_authenticate_v2',
  (db) => {
    const query = db.createQueryBuilder().select('k.id', 'key_id').addSelect('k.last_used_at', 'key_last_used_at');
    for (const { column } of userColumns(db)) query.addSelect(`u.${column}`, column);
    return query
      .from(ApiKeyEntity, 'k')
      .innerJoin(UserEntity, 'u', 'u.id = k.user_id')
      .where('k.key_hash = :keyHash')
      .andWhere('k.revoked_at IS NULL')
      .andWhere('(k.expires_at IS NULL OR k.expires_at > now())')
      .andWhere('u.is_active AND NOT u.is_deleted');
  },
  ['keyHash'],
);

/** Stamps `last_used_at` unless another request (or replica) did so within the interval. */
const TOUCH_LAST_USED = new PreparedStatement(
  'users_touch_last_used_v1',
  (db) =>
    db
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :apiKeyId AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => :seconds))'),
  ['apiKeyId', 'seconds'],
);

@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(USERS_DATA_SOURCE) private readonly db: DataSource) {}

  /** One indexed lookup: the key by hash, live, with its live, active user. */
  async findLiveByHash(keyHash: string): Promise<LiveKey | null> {
    const { rows } = await withConnection(this.db, (client) =>
      AUTHENTICATE.run<UserRow & { key_id: string; key_last_used_at: Date | null }>(this.db, client, { keyHash }),
    );
    const row = rows[0];
    if (!row) return null;
    const user = toUserEntity(row);
    return { apiKeyId: row.key_id, userId: user.id, role: user.globalRoleId, lastUsedAt: row.key_last_used_at, user };
  }

  /** What is known about a key hash, live or not (`manager`: inside the caller's transaction). */
  async findStateByHash(keyHash: string, manager: EntityManager = this.db.manager): Promise<KeyState | null> {
    const key = await manager
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .innerJoinAndSelect('k.user', 'u')
      .where('k.key_hash = :keyHash', { keyHash })
      .getOne();
    if (!key?.user) return null;
    const usable =
      key.revokedAt === null &&
      (key.expiresAt === null || key.expiresAt.getTime() > Date.now()) &&
      key.user.isActive &&
      !key.user.isDeleted;
    return { apiKeyId: key.id, userId: key.user.id, role: key.user.globalRoleId, usable };
  }

  /** Adds a key to an existing user and appends `api_key.created` (`manager`: the caller's transaction). */
  async insert(userId: string, key: NewApiKey, caller: Caller, manager: EntityManager): Promise<void> {
    await insertApiKey(manager, userId, key);
    await appendAuditEvents(manager, caller, {
      action: 'api_key.created',
      targetUserId: userId,
      metadata: { api_key_id: key.id },
    });
  }

  /**
   * Adds a key to a user that is still live and holds fewer than `maxLive` live keys, and appends
   * `api_key.created`, in one transaction that first locks the live user row (`FOR NO KEY
   * UPDATE`). That lock conflicts with the soft delete's UPDATE of the row, so a concurrent delete
   * either comes first (the row is no longer live: no key) or waits for this transaction to commit,
   * and then its later revoke statement sees the new key and revokes it with the others. It also
   * conflicts with itself and with a revocation, so concurrent creations for one user count the
   * live keys one after the other and never pass the cap together.
   */
  insertForLiveUser(userId: string, key: NewApiKey, caller: Caller, maxLive: number): Promise<InsertOutcome> {
    return this.db.transaction(async (manager) => {
      const owner = await manager
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .select('u.id')
        .where('u.id = :userId AND u.is_deleted = false', { userId })
        .setLock('for_no_key_update')
        .getOne();
      if (!owner) return 'not_found';
      const live = await manager
        .getRepository(ApiKeyEntity)
        .createQueryBuilder('k')
        .where('k.user_id = :userId AND k.revoked_at IS NULL', { userId })
        .andWhere('(k.expires_at IS NULL OR k.expires_at > now())')
        .getCount();
      if (live >= maxLive) return 'limit_reached';
      await this.insert(userId, key, caller, manager);
      const row = await manager.getRepository(ApiKeyEntity).findOneByOrFail({ id: key.id });
      return toApiKeyRow(row);
    });
  }

  /** One page of a user's keys, revoked and expired ones included, oldest first, and the total. */
  async listPageForUser(userId: string, skip: number, limit: number): Promise<{ keys: ApiKeyRow[]; total: number }> {
    const [keys, total] = await this.db.getRepository(ApiKeyEntity).findAndCount({
      where: { userId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip,
      take: limit,
    });
    return { keys: keys.map(toApiKeyRow), total };
  }

  /**
   * Revokes a key of the user unless that would leave the user without a live key, and appends
   * `api_key.revoked`. The user row is locked first, so that two revocations of one user's keys
   * run one after the other and the second sees the first (each statement takes a fresh snapshot):
   * two requests cannot each revoke "the other" key and lock the user out together.
   */
  revokeForUser(keyId: string, userId: string, caller: Caller): Promise<RevokeOutcome> {
    return this.db.transaction(async (manager) => {
      await manager
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .select('u.id')
        .where('u.id = :userId', { userId })
        .setLock('for_no_key_update')
        .getOne();
      const keys = manager.getRepository(ApiKeyEntity);
      const target = await keys.findOneBy({ id: keyId, userId, revokedAt: IsNull() });
      if (!target) return 'not_found';
      const others = await keys
        .createQueryBuilder('k')
        .where('k.user_id = :userId AND k.id <> :keyId AND k.revoked_at IS NULL', { userId, keyId })
        .andWhere('(k.expires_at IS NULL OR k.expires_at > now())')
        .getCount();
      if (others === 0) return 'last_key';
      await keys.update({ id: keyId }, { revokedAt: () => 'now()', revokedReason: 'revoked_by_user' });
      await appendAuditEvents(manager, caller, {
        action: 'api_key.revoked',
        targetUserId: userId,
        metadata: { api_key_id: keyId },
      });
      await recordEvent(manager, eventBy(caller, 'api_key.revoked', userId));
      return 'revoked';
    });
  }

  /** Stamps `last_used_at` unless another request (or replica) did so within the interval. */
  async touchLastUsed(apiKeyId: string, intervalSeconds: number): Promise<void> {
    await withConnection(this.db, (client) =>
      TOUCH_LAST_USED.run(this.db, client, { apiKeyId, seconds: intervalSeconds }),
    );
  }
}
