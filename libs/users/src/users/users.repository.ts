import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { APPEND_AUDIT_EVENT, appendAuditEvents, auditEventValues } from '../audit/audit-event.write.js';
import type { Caller } from '../auth/caller.js';
import { inTransaction, PreparedStatement } from '../database/prepared-statements.js';
import type { UserEventType } from '../events/user-event.js';
import { eventBy, recordEvent, RECORD_USER_EVENTS, userEventValues } from '../outbox/record-event.js';
import { toUserEntity, userColumns, type UserRow } from './user.row.js';
import type { ProfilePatch } from './dto/update-profile.dto.js';
import { UserEntity, type UserRole } from './user.entity.js';

export interface NewUser {
  id: string;
  email: string;
  role: UserRole;
}

export interface UserListFilter {
  skip: number;
  limit: number;
  activeOnly: boolean;
  includeDeleted: boolean;
}

/** What a profile update did: the row after it, and the names of the fields whose value changed. */
export interface ProfileUpdate {
  user: UserEntity;
  changedFields: string[];
}

/** What a soft delete did: deleted, found no live user, or refused to remove the last live admin. */
export type SoftDeleteOutcome = 'deleted' | 'not_found' | 'last_admin';

export interface NewApiKey {
  id: string;
  keyHash: string;
  prefix: string;
  name: string | null;
  expiresAt: Date | null;
}

/** Adds a key row to a user, in the caller's transaction. */
export async function insertApiKey(manager: EntityManager, userId: string, key: NewApiKey): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(ApiKeyEntity)
    .values({ id: key.id, userId, keyHash: key.keyHash, prefix: key.prefix, name: key.name, expiresAt: key.expiresAt })
    .updateEntity(false)
    .execute();
}

/**
 * Step 0 of the soft delete of a user who may be an admin: when the user is a live admin, locks
 * every live admin row (in id order, so two of these cannot deadlock) and returns their ids; else
 * returns nothing. Of two admins deleting themselves at once, the second waits here until the
 * first commits, then no longer sees the first's row (FOR UPDATE re-checks a row it waited on).
 */
const LOCK_LIVE_ADMINS = new PreparedStatement(
  'users_soft_delete_lock_admins_v1',
  (db) =>
    db
      .createQueryBuilder()
      .select('a.id', 'id')
      .from(UserEntity, 'a')
      .where("a.global_role_id = 'role_admin' AND a.is_deleted = false")
      .andWhere(
        "EXISTS (SELECT 1 FROM users t WHERE t.id = :userId AND t.global_role_id = 'role_admin' AND t.is_deleted = false)",
      )
      .orderBy('a.id')
      .setLock('pessimistic_write'),
  ['userId'],
);

/** Step 1 of the soft delete: flags a live user deleted; matches no row when it is not live. */
const SOFT_DELETE_USER = new PreparedStatement(
  'users_soft_delete_user_v2',
  (db) =>
    db
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        isDeleted: () => 'true',
        isActive: () => 'false',
        deletedAt: () => 'now()',
        deletedBy: () => ':actor',
        updatedAt: () => 'now()',
      })
      .where('id = :userId AND is_deleted = false'),
  ['userId', 'actor'],
);

/** Step 2 of the soft delete: revokes the user's live keys, as they are when the statement starts. */
const REVOKE_USER_KEYS = new PreparedStatement(
  'users_soft_delete_keys_v2',
  (db) =>
    db
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ revokedAt: () => 'now()', revokedReason: () => "'user_deleted'" })
      .where('user_id = :userId AND revoked_at IS NULL'),
  ['userId'],
);

/**
 * Queries on `users`, through the entities. A write that also revokes keys or appends audit
 * events runs them in one transaction with it.
 */
@Injectable()
export class UsersRepository {
  constructor(@Inject(USERS_DATA_SOURCE) private readonly db: DataSource) {}

  /**
   * Creates a user together with its first API key and the audit events for both, in one
   * transaction (`manager`'s, when given). Throws the driver's unique violation when a live user
   * already has the e-mail.
   */
  insertWithApiKey(user: NewUser, key: NewApiKey, caller: Caller, manager?: EntityManager): Promise<UserEntity> {
    const work = async (manager: EntityManager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(UserEntity)
        .values({ id: user.id, email: user.email, globalRoleId: user.role })
        .returning(userColumns(this.db).map((c) => c.property))
        .execute();
      await insertApiKey(manager, user.id, key);
      await appendAuditEvents(
        manager,
        caller,
        { action: 'user.created', targetUserId: user.id, metadata: { global_role_id: user.role } },
        { action: 'api_key.created', targetUserId: user.id, metadata: { api_key_id: key.id } },
      );
      await recordEvent(manager, eventBy(caller, 'user.created', user.id));
      return toUserEntity((inserted.raw as UserRow[])[0]!);
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  /**
   * The soft delete, one READ COMMITTED transaction of three statements (four when the user may be
   * an admin: first the live admins are locked, and the last one is not deleted):
   * 1. flag the user deleted only if it is still live (a conditional UPDATE, so of N concurrent
   *    deletes exactly one matches; the others wait on the row, then match nothing);
   * 2. revoke every live key of the user. A later statement takes a fresh snapshot, so it sees a
   *    key whose creation committed while step 1 waited on the user's row (key creation holds a
   *    lock on the live user row; see ApiKeysRepository.insertForLiveUser);
   * 3. append `user.deleted` with the number of keys revoked to the audit log, and `user.deleted`
   *    and one `api_key.revoked` per revoked key to the outbox (one INSERT).
   * A member deleting their own account (the hot path) is known not to be an admin: no step 0.
   */
  softDeleteIfLive(userId: string, caller: Caller): Promise<SoftDeleteOutcome> {
    return inTransaction(this.db, async (client) => {
      if (caller.role === 'role_admin' || caller.userId !== userId) {
        const { rows } = await LOCK_LIVE_ADMINS.run<{ id: string }>(this.db, client, { userId });
        if (rows.length === 1 && rows[0]!.id === userId) return 'last_admin';
      }
      const deleted = await SOFT_DELETE_USER.run(this.db, client, { userId, actor: caller.userId });
      if (deleted.count === 0) return 'not_found';
      const revoked = await REVOKE_USER_KEYS.run(this.db, client, { userId });
      await APPEND_AUDIT_EVENT.run(
        this.db,
        client,
        auditEventValues(caller, {
          action: 'user.deleted',
          targetUserId: userId,
          metadata: { revoked_api_keys: revoked.count },
        }),
      );
      const revokedKeys = Array<UserEventType>(revoked.count).fill('api_key.revoked');
      await RECORD_USER_EVENTS.run(this.db, client, userEventValues(['user.deleted', ...revokedKeys], userId, caller));
      return 'deleted';
    });
  }

  /** A user by id, deleted or not. */
  findById(userId: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy({ id: userId });
  }

  /** One page of users in a stable order (created_at, then id) and the total across pages. */
  async listPage(filter: UserListFilter): Promise<{ users: UserEntity[]; total: number }> {
    const query = this.db.getRepository(UserEntity).createQueryBuilder('u');
    if (!filter.includeDeleted) query.andWhere('u.is_deleted = false');
    if (filter.activeOnly) query.andWhere('u.is_active = true');
    const [users, total] = await query
      .orderBy('u.created_at', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .offset(filter.skip)
      .limit(filter.limit)
      .getManyAndCount();
    return { users, total };
  }

  /**
   * Applies `patch` (column name -> new value, null clears) to a live user, in one transaction on
   * the locked row (`FOR UPDATE`, so concurrent updates of one user run one after the other and each
   * compares against the other's result): only the fields whose value really changes are written;
   * only then do `updated_at` move and `user.updated` (naming the fields, never their values) get
   * appended. Returns null when no live user has that id. Throws the driver's unique violation on a
   * taken username.
   */
  updateProfileIfLive(userId: string, patch: ProfilePatch, caller: Caller): Promise<ProfileUpdate | null> {
    return this.db.transaction(async (manager) => {
      const users = manager.getRepository(UserEntity);
      const user = await users
        .createQueryBuilder('u')
        .where('u.id = :userId AND u.is_deleted = false', { userId })
        .setLock('pessimistic_write')
        .getOne();
      if (!user) return null;
      const columns = users.metadata;
      const changes: Record<string, string | null> = {};
      const changedFields: string[] = [];
      for (const [field, value] of Object.entries(patch)) {
        const property = columns.findColumnWithDatabaseName(field)!.propertyName as keyof UserEntity;
        if (user[property] === value) continue;
        changes[property] = value ?? null;
        changedFields.push(field);
      }
      if (changedFields.length === 0) return { user, changedFields };
      changedFields.sort();
      const updated = await manager
        .createQueryBuilder()
        .update(UserEntity)
        .set({ ...changes, updatedAt: () => 'now()' })
        .where('id = :userId', { userId })
        .returning(userColumns(this.db).map((c) => c.property))
        .execute();
      await appendAuditEvents(manager, caller, {
        action: 'user.updated',
        targetUserId: userId,
        metadata: { fields: changedFields },
      });
      return { user: toUserEntity((updated.raw as UserRow[])[0]!), changedFields };
    });
  }

  /**
   * Undoes a soft delete of a user that retention has not anonymized: flags back, `deleted_*`
   * cleared, a fresh key added (the old ones stay revoked), `user.restored` and `api_key.created`
   * appended; one statement. Returns null when no such deleted user exists. Throws the driver's
   * unique violation when a live user has taken the e-mail or the username meanwhile.
   */
  restoreIfDeleted(userId: string, key: NewApiKey, caller: Caller): Promise<UserEntity | null> {
    return this.db.transaction(async (manager) => {
      const restored = await manager
        .createQueryBuilder()
        .update(UserEntity)
        .set({ isDeleted: false, isActive: true, deletedAt: null, deletedBy: null, updatedAt: () => 'now()' })
        .where('id = :userId AND is_deleted = true AND anonymized_at IS NULL', { userId })
        .returning(userColumns(this.db).map((c) => c.property))
        .execute();
      const row = (restored.raw as UserRow[])[0];
      if (!row) return null;
      await insertApiKey(manager, userId, key);
      await appendAuditEvents(
        manager,
        caller,
        { action: 'user.restored', targetUserId: userId, metadata: { api_key_id: key.id } },
        { action: 'api_key.created', targetUserId: userId, metadata: { api_key_id: key.id } },
      );
      await recordEvent(manager, eventBy(caller, 'user.restored', userId));
      return toUserEntity(row);
    });
  }

  /** The live user with this e-mail, if any (`manager`: inside the caller's transaction). */
  findLiveByEmail(email: string, manager: EntityManager = this.db.manager): Promise<UserEntity | null> {
    return manager.getRepository(UserEntity).findOneBy({ email, isDeleted: false });
  }

  /** How many admins are live (not deleted). */
  countLiveAdmins(): Promise<number> {
    return this.db.getRepository(UserEntity).countBy({ globalRoleId: 'role_admin', isDeleted: false });
  }

  countAll(manager: EntityManager = this.db.manager): Promise<number> {
    return manager.getRepository(UserEntity).count();
  }
}
