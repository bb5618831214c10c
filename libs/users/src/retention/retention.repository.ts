import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { appendAuditEvents, type AuditEventInput } from '../audit/audit-event.write.js';
import type { Caller } from '../auth/caller.js';
import { eventBy, recordEvents } from '../outbox/record-event.js';
import { UserEntity } from '../users/user.entity.js';

/** Whom retention is due for: deleted, not yet anonymized, deleted more than `days` days ago. */
const DUE = `u.is_deleted = true AND u.anonymized_at IS NULL AND u.deleted_at < now() - make_interval(days => :days)`;

@Injectable()
export class RetentionRepository {
  constructor(@Inject(USERS_DATA_SOURCE) private readonly db: DataSource) {}

  countDue(retentionDays: number): Promise<number> {
    return this.db.getRepository(UserEntity).createQueryBuilder('u').where(DUE, { days: retentionDays }).getCount();
  }

  /**
   * Anonymizes up to `limit` users for whom retention is due, in one transaction: the e-mail
   * becomes a placeholder derived from the id only (so it reveals nothing of the address, stays
   * lower-case and never collides), the profile fields and the key names are nulled,
   * `anonymized_at` is set and one `user.anonymized` event per user is appended. Ids, flags,
   * timestamps, keys and audit rows stay. `SKIP LOCKED` lets several replicas run at once, each on
   * different rows; a row a restore holds is skipped now and re-checked on the next run. Returns
   * the anonymized ids.
   */
  anonymizeBatch(retentionDays: number, limit: number, caller: Caller): Promise<string[]> {
    return this.db.transaction(async (manager) => {
      const batch = await manager
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .select('u.id')
        .where(DUE, { days: retentionDays })
        .orderBy('u.deleted_at', 'ASC')
        .addOrderBy('u.id', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      const ids = batch.map((user) => user.id).sort();
      if (ids.length === 0) return [];
      await manager
        .createQueryBuilder()
        .update(UserEntity)
        .set({
          email: () => `'anonymized-' || substr(id, 5) || '@anonymized.invalid'`,
          username: null,
          fullName: null,
          firstName: null,
          lastName: null,
          birthday: null,
          profileImage: null,
          timezone: null,
          countryId: null,
          postCode: null,
          gender: null,
          anonymizedAt: () => 'now()',
        })
        .where('id IN (:...ids)', { ids })
        .execute();
      await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ name: null })
        .where('user_id IN (:...ids) AND name IS NOT NULL', { ids })
        .execute();
      await appendAuditEvents(
        manager,
        { ...caller, ip: null, userAgent: null },
        ...ids.map((id): AuditEventInput => ({
          action: 'user.anonymized',
          targetUserId: id,
          metadata: { retention_days: retentionDays },
        })),
      );
      await recordEvents(
        manager,
        ids.map((id) => eventBy(caller, 'user.anonymized', id)),
      );
      return ids;
    });
  }
}
