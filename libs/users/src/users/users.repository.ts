import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { APPEND_AUDIT_EVENT, appendAuditEvents, auditEventValues } from '../audit/audit-event.write.js';
import { auditParams, type Caller } from '../auth/caller.js';
import { inTransaction, PreparedStatement } from '../database/prepared-statements.js';
import { toUserEntity, type UserRow } from './user.row.js';
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
        .returning('*')
        .execute();
      await insertApiKey(manager, user.id, key);
      await appendAuditEvents(
        manager,
        caller,
        { action: 'user.created', targetUserId: user.id, metadata: { global_role_id: user.role } },
        { action: 'api_key.created', targetUserId: user.id, metadata: { api_key_id: key.id } },
      );
      return toUserEntity((inserted.raw as UserRow[])[0]!);
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  /**
   * The soft delete, one READ COMMITTED transaction of three statements:
   * 1. flag the user deleted only if it is still live (a conditional UPDATE, so of N concurrent
   *    deletes exactly one matches; the others wait on the row, then match nothing);
   * 2. revoke every live key of the user. A later statement takes a fresh snapshot, so it sees a
   *    key whose creation committed while step 1 waited on the user's row (key creation holds a
   *    share lock on the live user row; see ApiKeysRepository.insertForLiveUser);
   * 3. append `user.deleted` with the number of keys revoked.
   * Returns false when no live user had that id.
   */
  softDeleteIfLive(userId: string, caller: Caller): Promise<boolean> {
    return inTransaction(this.db, async (client) => {
      const deleted = await SOFT_DELETE_USER.run(this.db, client, { userId, actor: caller.userId });
      if (deleted.count === 0) return false;
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
      return true;
    });
  }

  /** A user by id, deleted or not. */
  findById(userId: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy({ id: userId });
  }

  /**
   * One page of users in a stable order (created_at, then id) and the total across pages, in one
   * round trip: the window count is taken before OFFSET/LIMIT. Only a page past the end needs a
   * second query for the total.
   */
  async listPage(filter: UserListFilter): Promise<{ users: UserEntity[]; total: number }> {
    const where = '($1::boolean OR is_deleted = false) AND (NOT $2::boolean OR is_active = true)';
    const rows: Array<UserRow & { total: number }> = await this.db.query(
      `SELECT *, count(*) OVER ()::int AS total FROM users WHERE ${where}
        ORDER BY created_at, id OFFSET $3 LIMIT $4`,
      [filter.includeDeleted, filter.activeOnly, filter.skip, filter.limit],
    );
    if (rows[0]) return { users: rows.map(toUserEntity), total: rows[0].total };
    const counted: Array<{ n: number }> = await this.db.query(`SELECT count(*)::int AS n FROM users WHERE ${where}`, [
      filter.includeDeleted,
      filter.activeOnly,
    ]);
    return { users: [], total: counted[0]!.n };
  }

  /**
   * Applies `patch` (column name -> new value, null clears) to a live user in one statement: the
   * fields whose value really changes are computed against the locked row; only then do
   * `updated_at` move and `user.updated` (naming the fields, never their values) get appended.
   * Returns null when no live user has that id. Throws the driver's unique violation on a taken
   * username.
   */
  async updateProfileIfLive(userId: string, patch: ProfilePatch, caller: Caller): Promise<ProfileUpdate | null> {
    const rows: Array<UserRow & { changed_fields: string[] | null }> = await this.db.query(
      `WITH old AS (
         SELECT * FROM users WHERE id = $1 AND is_deleted = false FOR UPDATE
       ), changed AS (
         SELECT array_agg(p.key ORDER BY p.key) AS fields
           FROM old, jsonb_each($2::jsonb) AS p(key, value)
          WHERE to_jsonb(old) -> p.key IS DISTINCT FROM p.value
       ), updated AS (
         UPDATE users u SET
           username      = CASE WHEN $2::jsonb ? 'username'      THEN $2::jsonb ->> 'username'      ELSE u.username END,
           full_name     = CASE WHEN $2::jsonb ? 'full_name'     THEN $2::jsonb ->> 'full_name'     ELSE u.full_name END,
           first_name    = CASE WHEN $2::jsonb ? 'first_name'    THEN $2::jsonb ->> 'first_name'    ELSE u.first_name END,
           last_name     = CASE WHEN $2::jsonb ? 'last_name'     THEN $2::jsonb ->> 'last_name'     ELSE u.last_name END,
           birthday      = CASE WHEN $2::jsonb ? 'birthday'      THEN ($2::jsonb ->> 'birthday')::date ELSE u.birthday END,
           profile_image = CASE WHEN $2::jsonb ? 'profile_image' THEN $2::jsonb ->> 'profile_image' ELSE u.profile_image END,
           timezone      = CASE WHEN $2::jsonb ? 'timezone'      THEN $2::jsonb ->> 'timezone'      ELSE u.timezone END,
           country_id    = CASE WHEN $2::jsonb ? 'country_id'    THEN $2::jsonb ->> 'country_id'    ELSE u.country_id END,
           post_code     = CASE WHEN $2::jsonb ? 'post_code'     THEN $2::jsonb ->> 'post_code'     ELSE u.post_code END,
           gender        = CASE WHEN $2::jsonb ? 'gender'        THEN $2::jsonb ->> 'gender'        ELSE u.gender END,
           updated_at    = now()
          FROM old, changed
         WHERE u.id = old.id AND changed.fields IS NOT NULL
         RETURNING u.*
       ), audited AS (
         INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         SELECT 'user.updated', $3, updated.id, $4, $5, $6, jsonb_build_object('fields', to_jsonb(changed.fields))
           FROM updated, changed
       )
       SELECT updated.*, changed.fields AS changed_fields FROM updated, changed
       UNION ALL
       SELECT old.*, NULL FROM old WHERE NOT EXISTS (SELECT 1 FROM updated)`,
      [userId, JSON.stringify(patch), ...auditParams(caller)],
    );
    const row = rows[0];
    return row ? { user: toUserEntity(row), changedFields: row.changed_fields ?? [] } : null;
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
        .returning('*')
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
      return toUserEntity(row);
    });
  }

  /** The live user with this e-mail, if any (`manager`: inside the caller's transaction). */
  findLiveByEmail(email: string, manager: EntityManager = this.db.manager): Promise<UserEntity | null> {
    return manager.getRepository(UserEntity).findOneBy({ email, isDeleted: false });
  }

  countAll(manager: EntityManager = this.db.manager): Promise<number> {
    return manager.getRepository(UserEntity).count();
  }
}
