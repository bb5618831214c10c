import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../caller.js';
import type { UserRole } from '../user.entity.js';
import type { NewApiKey } from '../users.repository.js';

/** The user behind a live key, as the guard needs it. */
export interface KeyPrincipal {
  apiKeyId: string;
  userId: string;
  role: UserRole;
  lastUsedAt: Date | null;
}

/** What is known about a key hash, live or not (used at start-up by the bootstrap). */
export interface KeyState {
  apiKeyId: string;
  userId: string;
  role: UserRole;
  usable: boolean;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One indexed lookup: the key by hash, live, with its live, active user. */
  async findPrincipalByHash(keyHash: string): Promise<KeyPrincipal | null> {
    const rows: Array<{ key_id: string; user_id: string; role: UserRole; last_used_at: Date | null }> =
      await this.db.query(
        `SELECT k.id AS key_id, k.last_used_at, u.id AS user_id, u.global_role_id AS role
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1
            AND k.revoked_at IS NULL
            AND (k.expires_at IS NULL OR k.expires_at > now())
            AND u.is_active AND NOT u.is_deleted`,
        [keyHash],
      );
    const row = rows[0];
    return row ? { apiKeyId: row.key_id, userId: row.user_id, role: row.role, lastUsedAt: row.last_used_at } : null;
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
      [
        key.id,
        userId,
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
  }

  /** Stamps `last_used_at` unless another request (or replica) did so within the interval. */
  async touchLastUsed(apiKeyId: string, intervalSeconds: number): Promise<void> {
    await this.db.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [apiKeyId, intervalSeconds],
    );
  }
}
