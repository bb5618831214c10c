import { Injectable } from '@nestjs/common';
import { isoSeconds, type Page } from '@users-service/common';
import type { AuditEventEntity } from './audit-event.entity.js';
import { AuditEventsRepository } from './audit-events.repository.js';
import type { AuditEventResponseDto, ListAuditEventsQueryDto } from './dto/audit-event.dto.js';

export function toAuditEventResponse(event: AuditEventEntity): AuditEventResponseDto {
  return {
    id: String(event.id),
    occurred_at: isoSeconds(event.occurredAt),
    action: event.action,
    actor_user_id: event.actorUserId,
    target_user_id: event.targetUserId,
    trace_id: event.traceId,
    ip: event.ip,
    user_agent: event.userAgent,
    metadata: event.metadata,
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
