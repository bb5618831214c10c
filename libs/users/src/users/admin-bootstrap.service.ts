import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource } from 'typeorm';
import { hashApiKeySecret } from '../api-keys/api-key-secret.js';
import { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import { newApiKey } from '../api-keys/new-api-key.js';
import { systemCaller } from '../auth/caller.js';
import { normalizeEmail } from './email.js';
import { newUserId } from './ids.js';
import { UsersRepository } from './users.repository.js';

/** Serialises bootstraps of several replicas starting at once on one database. */
const BOOTSTRAP_LOCK_ID = 727_001;

/** Raised at start-up when the configured bootstrap key cannot be honoured safely. */
export class BootstrapError extends Error {}

export type BootstrapResult =
  | { outcome: 'unchanged' }
  | { outcome: 'key-unusable' }
  | { outcome: 'created'; userId: string; email: string; secret?: string }
  | { outcome: 'key-added'; userId: string; email: string };

/** How the first admin comes to exist (DESIGN.md, "Bootstrapping"). Idempotent; safe on many replicas. */
@Injectable()
export class AdminBootstrapService {
  constructor(
    @Inject(USERS_DATA_SOURCE) private readonly db: DataSource,
    private readonly users: UsersRepository,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  /**
   * Makes sure an admin holds `secret`: nothing when one does, otherwise gives it to the live admin
   * with `email`, or creates that admin. A key that exists but is revoked, expired or not a live
   * admin's is left as it is (`key-unusable`), never revived. `email` is normalized as the API
   * normalizes every address (an operator may write `Admin@Example.COM`), so it finds the admin the
   * API knows, and never makes a second one under another spelling.
   */
  ensureAdminKey(secret: string, rawEmail: string): Promise<BootstrapResult> {
    const email = normalizeEmail(rawEmail);
    return this.db.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
      const state = await this.apiKeys.findStateByHash(hashApiKeySecret(secret), manager);
      if (state) {
        if (state.usable && state.role === 'role_admin') return { outcome: 'unchanged' };
        // Rotated by an operator (revoked, or its admin deleted): keep it so, and start anyway.
        return { outcome: 'key-unusable' };
      }
      const { key } = newApiKey('bootstrap', null, secret);
      const existing = await this.users.findLiveByEmail(email, manager);
      if (existing) {
        if (existing.globalRoleId !== 'role_admin') {
          throw new BootstrapError(`BOOTSTRAP_ADMIN_EMAIL ${email} belongs to a user who is not an admin.`);
        }
        await this.apiKeys.insert(existing.id, key, systemCaller(), manager);
        return { outcome: 'key-added', userId: existing.id, email };
      }
      const user = await this.users.insertWithApiKey(
        { id: newUserId(), email, role: 'role_admin' },
        key,
        systemCaller(),
        manager,
      );
      return { outcome: 'created', userId: user.id, email };
    });
  }

  /** Whether any admin is live: without one, nobody can create users. */
  async liveAdminExists(): Promise<boolean> {
    return (await this.users.countLiveAdmins()) > 0;
  }

  /**
   * On an empty database, creates an admin with a fresh key and returns the secret (to print once).
   * `email` is stored normalized, as the API stores every address.
   */
  ensureFirstAdmin(rawEmail: string): Promise<BootstrapResult> {
    const email = normalizeEmail(rawEmail);
    return this.db.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_ID]);
      if ((await this.users.countAll(manager)) > 0) return { outcome: 'unchanged' };
      const { key, secret } = newApiKey('bootstrap');
      const user = await this.users.insertWithApiKey(
        { id: newUserId(), email, role: 'role_admin' },
        key,
        systemCaller(),
        manager,
      );
      return { outcome: 'created', userId: user.id, email, secret };
    });
  }
}
