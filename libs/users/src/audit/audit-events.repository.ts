import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity.js';

export interface AuditEventFilter {
  targetUserId: string | null;
  actorUserId: string | null;
  action: string | null;
  from: Date | null;
  to: Date | null;
  skip: number;
  limit: number;
}

/** Reads of the append-only audit log (writes: `appendAuditEvents`, in the transaction of each change). */
@Injectable()
export class AuditEventsRepository {
  constructor(@Inject(USERS_DATA_SOURCE) private readonly db: DataSource) {}

  /** One page of events, newest first (then by id), and the total across pages. */
  async listPage(filter: AuditEventFilter): Promise<{ events: AuditEventEntity[]; total: number }> {
    const query = this.db.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (filter.targetUserId !== null) query.andWhere('e.target_user_id = :target', { target: filter.targetUserId });
    if (filter.actorUserId !== null) query.andWhere('e.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.action !== null) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.from !== null) query.andWhere('e.occurred_at >= :from', { from: filter.from });
    if (filter.to !== null) query.andWhere('e.occurred_at < :to', { to: filter.to });
    const [events, total] = await query
      .orderBy('e.occurred_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .offset(filter.skip)
      .limit(filter.limit)
      .getManyAndCount();
    return { events, total };
  }
}
