import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { auditParams, type Caller } from '../caller.js';
import { runHotQuery } from '../database/hot-query.js';
import type { UserEntity, UserRole } from '../user.entity.js';
import { toUserEntity, type UserRow } from '../user.row.js';
import type { NewApiKey } from '../users.repository.js';

/** The user behind a live key, as the guard needs it. */
export interface KeyPrincipal {
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

const KEY_COLUMNS = 'id, name, prefix, created_at, last_used_at, expires_at, revoked_at';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One indexed lookup: the key by hash, live, with its live, active user. */
  async findPrincipalByHash(keyHash: string): Promise<KeyPrincipal | null> {
    const [row] = await runHotQuery<UserRow & { key_id: string; key_last_used_at: Date | null }>(this.db, {
      name: 'users_authenticate_v1',
      text: `SELECT k.id AS key_id, k.last_used_at AS key_last_used_at, u.*
               FROM api_keys k JOIN users u ON u.id = k.user_id
              WHERE k.key_hash = $1
                AND k.revoked_at IS NULL
                AND (k.expires_at IS NULL OR k.expires_at > now())
                AND u.is_active AND NOT u.is_deleted`,
      values: [keyHash],
    });
    if (!row) return null;
    const user = toUserEntity(row);
    return { apiKeyId: row.key_id, userId: user.id, role: user.globalRoleId, lastUsedAt: row.key_last_used_at, user };
  }

  async findStateByHash(keyHash: string, manager?: EntityManager): Promise<KeyState | null> {
    const rows: Array<{ key_id: string; user_id: string; role: UserRole; usable: boolean }> = await (
      manager ?? this.db
    ).query(
      `SELECT k.id AS key_id, u.id AS user_id, u.global_role_id AS role,
              (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
               AND u.is_active AND NOT u.is_deleted) AS usable
         FROM api_keys k JOIN users u ON u.id = k.user_id
        WHERE k.key_hash = $1`,
      [keyHash],
    );
    const row = rows[0];
    return row ? { apiKeyId: row.key_id, userId: row.user_id, role: row.role, usable: row.usable } : null;
  }

  /** Adds a key to an existing user and appends `api_key.created`. */
  async insert(userId: string, key: NewApiKey, caller: Caller, manager?: EntityManager): Promise<void> {
    await (manager ?? this.db).query(
      `WITH key AS (
         INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
       )
       INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
       SELECT 'api_key.created', $7, $2, $8, $9, $10, jsonb_build_object('api_key_id', id) FROM key`,
      [key.id, userId, key.keyHash, key.prefix, key.name, key.expiresAt, ...auditParams(caller)],
    );
  }

  /**
   * Adds a key to a user that is still live and appends `api_key.created`, in one statement. The
   * user row is share-locked, so a concurrent soft delete either comes first (no key is added:
   * null) or waits, and then revokes the new key with the others.
   */
  async insertForLiveUser(userId: string, key: NewApiKey, caller: Caller): Promise<ApiKeyRow | null> {
    const rows: ApiKeyRow[] = await this.db.query(
      `WITH owner AS (
         SELECT id FROM users WHERE id = $2 AND is_deleted = false FOR SHARE
       ), key AS (
         INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at)
         SELECT $1, id, $3, $4, $5, $6 FROM owner RETURNING ${KEY_COLUMNS}
       ), audited AS (
         INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
         SELECT 'api_key.created', $7, $2, $8, $9, $10, jsonb_build_object('api_key_id', id) FROM key
       )
       SELECT * FROM key`,
      [key.id, userId, key.keyHash, key.prefix, key.name, key.expiresAt, ...auditParams(caller)],
    );
    return rows[0] ?? null;
  }

  /** Every key of a user, revoked and expired ones included, oldest first. */
  listForUser(userId: string): Promise<ApiKeyRow[]> {
    return this.db.query(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
  }

  /**
   * Revokes a key of the user unless that would leave the user without a live key, and appends
   * `api_key.revoked`. The user row is locked first, so that two revocations of one user's keys
   * run one after the other and the second sees the first (each statement takes a fresh snapshot):
   * two requests cannot each revoke "the other" key and lock the user out together.
   */
  revokeForUser(keyId: string, userId: string, caller: Caller): Promise<RevokeOutcome> {
    return this.db.transaction(async (manager) => {
      await manager.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [userId]);
      const rows: Array<{ found: boolean; revoked: boolean }> = await manager.query(
        `WITH target AS (
           SELECT id FROM api_keys WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
         ), others AS (
           SELECT count(*) AS n FROM api_keys
            WHERE user_id = $2 AND id <> $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         ), revoked AS (
           UPDATE api_keys k SET revoked_at = now(), revoked_reason = 'revoked_by_user'
             FROM target, others
            WHERE k.id = target.id AND others.n > 0
           RETURNING k.id
         ), audited AS (
           INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata)
           SELECT 'api_key.revoked', $3, $2, $4, $5, $6, jsonb_build_object('api_key_id', id) FROM revoked
         )
         SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM revoked) AS revoked`,
        [keyId, userId, ...auditParams(caller)],
      );
      const outcome = rows[0]!;
      return outcome.revoked ? 'revoked' : outcome.found ? 'last_key' : 'not_found';
    });
  }

  /** Stamps `last_used_at` unless another request (or replica) did so within the interval. */
  async touchLastUsed(apiKeyId: string, intervalSeconds: number): Promise<void> {
    await runHotQuery(this.db, {
      name: 'users_touch_last_used_v1',
      text: `UPDATE api_keys SET last_used_at = now()
              WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      values: [apiKeyId, intervalSeconds],
    });
  }
}
