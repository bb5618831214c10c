import { ApiProperty } from '@nestjs/swagger';

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';

  @ApiProperty({ enum: ['up'], example: 'up' })
  database: 'up';
}

export class LivenessResponseDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';
}

/** The transactional outbox as readiness sees it: informative, never a reason to fail. */
export class OutboxStatusDto {
  @ApiProperty({ description: 'Whether this process publishes the outbox (NATS_URL is set).', example: true })
  relay_enabled: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Since when publishing fails (NATS down or slow); null when it works or the relay is off.',
    example: null,
  })
  outage_since: string | null;

  @ApiProperty({
    description:
      'Events written but not yet published, counted up to 10001 (a count of a huge backlog would cost every ' +
      'probe a scan): 10001 means more than 10000.',
    example: 0,
    maximum: 10001,
  })
  pending: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the oldest unpublished event happened; null when none waits.',
    example: null,
  })
  oldest_pending_at: string | null;
}

export class ReadinessResponseDto extends HealthResponseDto {
  @ApiProperty({
    type: OutboxStatusDto,
    nullable: true,
    description: 'The outbox of user events (docs/events.md); null when its state could not be read in time.',
  })
  outbox: OutboxStatusDto | null;
}
