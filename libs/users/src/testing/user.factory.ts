import type { DataSource } from 'typeorm';
import { newApiKey } from '../api-keys/new-api-key.js';
import { newUserId } from '../ids.js';
import type { UserRole } from '../user.entity.js';

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
    await this.db.query('INSERT INTO users (id, email, global_role_id) VALUES ($1, $2, $3)', [id, email, role]);
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

  admin(options: Omit<MakeUserOptions, 'role'> = {}): Promise<MadeUser> {
    return this.create({ ...options, role: 'role_admin' });
  }
}
