import type { DataSource } from 'typeorm';
import { newApiKey } from '../api-keys/new-api-key.js';
import { newUserId } from '../users/ids.js';
import type { UserRole } from '../users/user.entity.js';

export interface MadeUser {
  id: string;
  email: string;
  role: UserRole;
  /** The secret of the user's first key. */
  apiKey: string;
  apiKeyId: string;
}

export interface MakeUserOptions {
  email?: string;
  role?: UserRole;
  /** Give the key an expiry (e.g. in the past). */
  keyExpiresAt?: Date | null;
  username?: string | null;
  /** Back-date the row (e.g. to test ordering or retention). */
  createdAt?: Date;
}

export interface MadeKey {
  id: string;
  secret: string;
}

let sequence = 0;

/**
 * Makes rows for tests with plain SQL, independently of the service code under test: a user and
 * one API key. Every call makes a fresh user with a unique e-mail.
 */
export class UserFactory {
  constructor(private readonly db: DataSource) {}

  async create(options: MakeUserOptions = {}): Promise<MadeUser> {
    const id = newUserId();
    const email = options.email ?? `user${++sequence}.${id.slice(-8)}@example.test`;
    const role = options.role ?? 'role_member';
    const { key, secret } = newApiKey('test', options.keyExpiresAt ?? null);
    await this.db.query(
      'INSERT INTO users (id, email, global_role_id, username, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)',
      [id, email, role, options.username ?? null, options.createdAt ?? new Date()],
    );
    await this.db.query(
      'INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [key.id, id, key.keyHash, key.prefix, key.name, key.expiresAt],
    );
    return { id, email, role, apiKey: secret, apiKeyId: key.id };
  }

  /** Gives a user one more key; returns its secret. */
  async addKey(userId: string, expiresAt: Date | null = null): Promise<string> {
    const { key, secret } = newApiKey('extra', expiresAt);
    await this.db.query(
      'INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [key.id, userId, key.keyHash, key.prefix, key.name, key.expiresAt],
    );
    return secret;
  }

  /** Gives a user one more key; returns its id and secret. */
  async addApiKey(
    userId: string,
    options: { expiresAt?: Date | null; revokedAt?: Date | null } = {},
  ): Promise<MadeKey> {
    const { key, secret } = newApiKey('extra', options.expiresAt ?? null);
    await this.db.query(
      'INSERT INTO api_keys (id, user_id, key_hash, prefix, name, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [key.id, userId, key.keyHash, key.prefix, key.name, key.expiresAt, options.revokedAt ?? null],
    );
    return { id: key.id, secret };
  }

  /**
   * Soft-deletes a user the way the service does (flags, keys revoked), with plain SQL and an
   * optional back-dated `deleted_at`, without an audit event.
   */
  async softDelete(userId: string, deletedAt: Date = new Date(), deletedBy: string = userId): Promise<void> {
    await this.db.query(
      'UPDATE users SET is_deleted = true, is_active = false, deleted_at = $2, deleted_by = $3 WHERE id = $1',
      [userId, deletedAt, deletedBy],
    );
    await this.db.query(
      "UPDATE api_keys SET revoked_at = $2, revoked_reason = 'user_deleted' WHERE user_id = $1 AND revoked_at IS NULL",
      [userId, deletedAt],
    );
  }

  admin(options: Omit<MakeUserOptions, 'role'> = {}): Promise<MadeUser> {
    return this.create({ ...options, role: 'role_admin' });
  }
}
