import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource } from 'typeorm';
import type { Caller } from '../auth/caller.js';

/** Whom retention is due for: deleted, not yet anonymized, deleted more than $1 days ago. */
const DUE = `is_deleted = true AND anonymized_at IS NULL AND deleted_at < now() - make_interval(days => $1::int)`;

@Injectable()
export class RetentionRepository {
  constructor(@Inject(USERS_DATA_SOURCE) private readonly db: DataSource) {}

  async countDue(retentionDays: number): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(`SELECT count(*)::int AS n FROM users WHERE ${DUE}`, [
      retentionDays,
    ]);
    return rows[0]!.n;
  }

  /**
   * Anonymizes up to `limit` users for whom retention is due, in one statement: the e-mail becomes
   * a placeholder derived from the id only (so it reveals nothing of the address, stays lower-case
   * and never collides), the profile fields and the key names are nulled, `anonymized_at` is set
   * and one `user.anonymized` event per user is appended. Ids, flags, timestamps, keys and audit
   * rows stay. `SKIP LOCKED` lets several replicas run at once, each on different rows; a row a
   * restore holds is skipped now and re-checked on the next run. Returns the anonymized ids.
   */
  async anonymizeBatch(retentionDays: number, limit: number, caller: Caller): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `WITH batch AS (
         SELECT id FROM users WHERE ${DUE}
          ORDER BY deleted_at, id LIMIT $2
          FOR UPDATE SKIP LOCKED
       ), anonymized AS (
         UPDATE users u
            SET email = 'anonymized-' || substr(u.id, 5) || '@anonymized.invalid',
                username = NULL, full_name = NULL, first_name = NULL, last_name = NULL, birthday = NULL,
                profile_image = NULL, timezone = NULL, country_id = NULL, post_code = NULL, gender = NULL,
                anonymized_at = now()
           FROM batch
          WHERE u.id = batch.id
         RETURNING u.id
       ), key_names AS (
         UPDATE api_keys SET name = NULL WHERE user_id IN (SELECT id FROM anonymized) AND name IS NOT NULL
       ), audited AS (
         INSERT INTO audit_events (action, actor_user_id, target_user_id, trace_id, metadata)
         SELECT 'user.anonymized', $3, id, $4, jsonb_build_object('retention_days', $1::int) FROM anonymized
       )
       SELECT id FROM anonymized ORDER BY id`,
      [retentionDays, limit, caller.userId, caller.traceId],
    );
    return rows.map((row) => row.id);
  }
}
