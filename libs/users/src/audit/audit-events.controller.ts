import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, type Page, ValidationError } from '@users-service/common';
import { AdminOnly } from '../auth/admin-only.decorator.js';
import { ApiKeyAuth } from '../auth/api-key-auth.decorator.js';
import { PagedResponse } from '../users/dto/paged-response.decorator.js';
import { AuditEventsService } from './audit-events.service.js';
import { AuditEventResponseDto, ListAuditEventsQueryDto } from './dto/audit-event.dto.js';

@ApiTags('audit')
@ApiKeyAuth()
@Controller('v1/audit-events')
export class AuditEventsController {
  constructor(private readonly auditEvents: AuditEventsService) {}

  @Get()
  @AdminOnly()
  @PagedResponse(AuditEventResponseDto, 'audit events', {
    id: '42',
    occurred_at: '2025-12-22T15:30:00Z',
    action: 'user.deleted',
    actor_user_id: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
    target_user_id: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
    trace_id: 'req_8f14e45fceea167a5a36dedd',
    ip: '203.0.113.7',
    user_agent: 'curl/8.5.0',
    metadata: { revoked_api_keys: 2 },
  })
  @ApiOperation({
    summary: 'List audit events',
    description:
      'Admins only. The append-only audit log, newest first, as a bare JSON array; the total across pages is in ' +
      'the `X-Total-Count` header. Filter by `target_user_id`, `actor_user_id`, `action` and a time range ' +
      '(`from` inclusive, `to` exclusive).',
  })
  @ApiErrorResponse(
    'A query parameter breaks its rule.',
    new ValidationError([{ field: 'from', rule: 'isIso8601', message: 'from must be an ISO 8601 date-time' }]),
  )
  listAuditEvents(@Query() query: ListAuditEventsQueryDto): Promise<Page<AuditEventResponseDto>> {
    return this.auditEvents.list(query);
  }
}
