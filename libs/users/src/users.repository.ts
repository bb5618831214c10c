import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from './caller.js';
import { toUserEntity, type UserRow } from './user.row.js';
import type { UserEntity, UserRole } from './user.entity.js';

export interface NewUser {
  id: string;
  email: string;
  role: UserRole;
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
        caller.userId,
        caller.traceId,
        caller.ip,
        caller.userAgent,
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
    const rows: Array<{ id: string }> = await this.db.query(
      `WITH deleted AS (
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
      [userId, caller.userId, caller.traceId, caller.ip, caller.userAgent],
    );
    return rows.length === 1;
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
