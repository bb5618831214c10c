import { Injectable } from '@nestjs/common';
import { isoSeconds, type Page } from '@users-service/common';
import { type AuditEventRow, AuditEventsRepository } from './audit-events.repository.js';
import type { AuditEventResponseDto, ListAuditEventsQueryDto } from './dto/audit-event.dto.js';

export function toAuditEventResponse(row: AuditEventRow): AuditEventResponseDto {
  return {
    id: row.id,
    occurred_at: isoSeconds(row.occurred_at),
    action: row.action,
    actor_user_id: row.actor_user_id,
    target_user_id: row.target_user_id,
    trace_id: row.trace_id,
    ip: row.ip,
    user_agent: row.user_agent,
    metadata: row.metadata,
  };
}

@Injectable()
export class AuditEventsService {
  constructor(private readonly events: AuditEventsRepository) {}

  /** One page of the audit log, newest first, filtered by target, actor, action and time range. */
  async list(query: ListAuditEventsQueryDto): Promise<Page<AuditEventResponseDto>> {
    const { events, total } = await this.events.listPage({
      targetUserId: query.target_user_id ?? null,
      actorUserId: query.actor_user_id ?? null,
      action: query.action ?? null,
      from: query.from ? new Date(query.from) : null,
      to: query.to ? new Date(query.to) : null,
      skip: query.skip,
      limit: query.limit,
    });
    return { items: events.map(toAuditEventResponse), total };
  }
}
