import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DATE_TIME_PATTERN, IsDateTime } from '../../users/dto/date-time.js';
import { PageQueryDto } from '../../users/dto/list-users-query.dto.js';
import { TextField } from '../../users/dto/text-field.decorator.js';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-actions.js';

export class ListAuditEventsQueryDto extends PageQueryDto {
  @TextField({
    optional: true,
    maxLength: 100,
    description: 'Only events about this user.',
    example: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  })
  target_user_id?: string;

  @TextField({
    optional: true,
    maxLength: 100,
    description: 'Only events caused by this user (`system` for the service itself, e.g. retention).',
    example: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  })
  actor_user_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only events with this action.', example: 'user.deleted' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({
    description: 'Only events at or after this time (RFC 3339: date, time and offset).',
    format: 'date-time',
    pattern: DATE_TIME_PATTERN,
    example: '2025-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsDateTime('from')
  from?: string;

  @ApiPropertyOptional({
    description: 'Only events before this time (RFC 3339: date, time and offset; exclusive).',
    format: 'date-time',
    pattern: DATE_TIME_PATTERN,
    example: '2026-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsDateTime('to')
  to?: string;
}

export class AuditEventResponseDto {
  @ApiProperty({ description: 'Increasing with insertion (a bigint, as a string).', example: '42' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2025-12-22T15:30:00Z' })
  occurred_at: string;

  @ApiProperty({ example: 'user.deleted' })
  action: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Who did it: a user id, or `system`.',
    example: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  })
  actor_user_id: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'usr_4ab3bd9533df40318468ed9cc0d8c391' })
  target_user_id: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'req_8f14e45fceea167a5a36dedd' })
  trace_id: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'curl/8.5.0' })
  user_agent: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Details of the action (never a secret or a changed value).',
    example: { revoked_api_keys: 2 },
  })
  metadata: Record<string, unknown>;
}
