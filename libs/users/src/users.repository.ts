import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditParams, type Caller } from './caller.js';
import { runHotQuery } from './database/hot-query.js';
import { toUserEntity, type UserRow } from './user.row.js';
import type { ProfilePatch } from './dto/update-profile.dto.js';
import type { UserEntity, UserRole } from './user.entity.js';

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

/**
 * Queries on `users`. Each write is one SQL statement whose data-modifying CTEs also revoke keys
 * and append the audit event, so the whole change is atomic and costs one round trip.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Creates a user together with its first API key and the audit events for both.
   * Throws the driver's unique violation when a live user already has the e-mail.
   */
  async insertWithApiKey(user: NewUser, key: NewApiKey, caller: Caller, manager?: EntityManager): Promise<UserEntity> {
    const rows: UserRow[] = await (manager ?? this.db).query(
      `WITH inserted AS (
         INSERT INTO users (id, email, global_role_id) VALUES ($1, $2, $3) RETURNING *
       ), key AS (
         INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at)
         SELECT $4, id, $5, $6, $7, $8 FROM inserted RETURNING id
       ), audited AS (
         INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         SELECT a.action, $9, inserted.id, $10, $11, $12, a.metadata
         FROM inserted CROSS JOIN (VALUES
           ('user.created', jsonb_build_object('global_role_id', $3::text)),
           ('api_key.created', jsonb_build_object('api_key_id', $4::text))
         ) AS a(action, metadata)
       )
       SELECT * FROM inserted`,
      [
        user.id,
        user.email,
        user.role,
        key.id,
        key.keyHash,
        key.prefix,
        key.name,
        key.expiresAt,
        ...auditParams(caller),
      ],
    );
    return toUserEntity(rows[0]!);
  }

  /**
   * The soft delete: flags the user deleted only if it is still live (a conditional UPDATE, so of
   * N concurrent deletes exactly one matches), revokes every key of the user and appends
   * `user.deleted`. Returns false when no live user had that id.
   */
  async softDeleteIfLive(userId: string, caller: Caller): Promise<boolean> {
    const rows = await runHotQuery<{ id: string }>(this.db, {
      name: 'users_soft_delete_v1',
      text: `WITH deleted AS (
         UPDATE users
            SET is_deleted = true, is_active = false, deleted_at = now(), deleted_by = $2, updated_at = now()
          WHERE id = $1 AND is_deleted = false
         RETURNING id
       ), revoked AS (
         UPDATE api_keys SET revoked_at = now(), revoked_reason = 'user_deleted'
          WHERE user_id IN (SELECT id FROM deleted) AND revoked_at IS NULL
         RETURNING id
       ), audited AS (
         INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         SELECT 'user.deleted', $2, id, $3, $4, $5,
                jsonb_build_object('revoked_api_keys', (SELECT count(*) FROM revoked))
           FROM deleted
       )
       SELECT id FROM deleted`,
      values: [userId, ...auditParams(caller)],
    });
    return rows.length === 1;
  }

  /** A user by id, deleted or not. */
  async findById(userId: string): Promise<UserEntity | null> {
    const rows: UserRow[] = await this.db.query('SELECT * FROM users WHERE id = $1', [userId]);
    return rows[0] ? toUserEntity(rows[0]) : null;
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
  async restoreIfDeleted(userId: string, key: NewApiKey, caller: Caller): Promise<UserEntity | null> {
    const rows: UserRow[] = await this.db.query(
      `WITH restored AS (
         UPDATE users
            SET is_deleted = false, is_active = true, deleted_at = NULL, deleted_by = NULL, updated_at = now()
          WHERE id = $1 AND is_deleted = true AND anonymized_at IS NULL
         RETURNING *
       ), key AS (
         INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at)
         SELECT $2, id, $3, $4, $5, $6 FROM restored RETURNING id
       ), audited AS (
         INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         SELECT a.action, $7, restored.id, $8, $9, $10, a.metadata
         FROM restored CROSS JOIN (VALUES
           ('user.restored', jsonb_build_object('api_key_id', $2::text)),
           ('api_key.created', jsonb_build_object('api_key_id', $2::text))
         ) AS a(action, metadata)
       )
       SELECT * FROM restored`,
      [userId, key.id, key.keyHash, key.prefix, key.name, key.expiresAt, ...auditParams(caller)],
    );
    return rows[0] ? toUserEntity(rows[0]) : null;
  }

  async findLiveByEmail(email: string, manager?: EntityManager): Promise<UserEntity | null> {
    const rows: UserRow[] = await (manager ?? this.db).query(
      'SELECT * FROM users WHERE email = $1 AND is_deleted = false',
      [email],
    );
    return rows[0] ? toUserEntity(rows[0]) : null;
  }

  async countAll(manager?: EntityManager): Promise<number> {
    const rows: Array<{ n: number }> = await (manager ?? this.db).query('SELECT count(*)::int AS n FROM users');
    return rows[0]!.n;
  }
}
