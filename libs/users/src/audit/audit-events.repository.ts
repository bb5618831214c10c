import { Inject, Injectable } from '@nestjs/common';
import { USERS_DATA_SOURCE } from '../database/users-data-source.js';
import type { DataSource } from 'typeorm';

export interface AuditEventFilter {
  targetUserId: string | null;
  actorUserId: string | null;
  action: string | null;
  from: Date | null;
  to: Date | null;
  skip: number;
  limit: number;
}

export interface AuditEventRow {
  id: string;
  occurred_at: Date;
  action: string;
  actor_user_id: string | null;
  target_user_id: string | null;
  trace_id: string | null;
  ip: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
}

/** Reads of the append-only audit log (writes happen inside the statements that make the changes). */
@Injectable()
export class AuditEventsRepository {
  constructor(@Inject(USERS_DATA_SOURCE) private readonly db: DataSource) {}

  /**
   * One page of events, newest first, and the total across pages. An unset filter is NULL, which
   * the planner folds away (the parameters are known when the statement is planned).
   */
  async listPage(filter: AuditEventFilter): Promise<{ events: AuditEventRow[]; total: number }> {
    const where = `($1::text IS NULL OR target_user_id = $1)
       AND ($2::text IS NULL OR actor_user_id = $2)
       AND ($3::text IS NULL OR action = $3)
       AND ($4::timestamptz IS NULL OR occurred_at >= $4)
       AND ($5::timestamptz IS NULL OR occurred_at < $5)`;
    const params = [filter.targetUserId, filter.actorUserId, filter.action, filter.from, filter.to];
    const rows: Array<AuditEventRow & { total: number }> = await this.db.query(
      `SELECT id::text AS id, occurred_at, action, actor_user_id, target_user_id, trace_id, ip, user_agent, metadata,
              count(*) OVER ()::int AS total
         FROM audit_events WHERE ${where}
        ORDER BY occurred_at DESC, id DESC OFFSET $6 LIMIT $7`,
      [...params, filter.skip, filter.limit],
    );
    if (rows[0]) return { events: rows, total: rows[0].total };
    const counted: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE ${where}`,
      params,
    );
    return { events: [], total: counted[0]!.n };
  }
}
