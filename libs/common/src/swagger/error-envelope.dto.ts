import { ApiProperty } from '@nestjs/swagger';

export class ErrorBodyDto {
  @ApiProperty({ description: 'Stable, machine-readable error code.', example: 'USER_NOT_FOUND' })
  code: string;

  @ApiProperty({ description: 'Safe to show a person.', example: 'User not found.' })
  message: string;

  @ApiProperty({ description: 'For developers. Never a stack trace, SQL or a secret.', example: 'User not found.' })
  system_message: string;

  @ApiProperty({
    enum: ['client_error', 'authentication_error', 'authorization_error', 'rate_limit_error', 'server_error'],
    example: 'client_error',
  })
  type: string;

  @ApiProperty({ description: 'The HTTP status, repeated.', example: 404 })
  status: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'More about the error; for VALIDATION_ERROR, `fields` lists each field and rule.',
    example: {},
  })
  details: Record<string, unknown>;

  @ApiProperty({
    description: 'The request trace id, also sent as the X-Request-Id header.',
    example: 'req_8f14e45fceea167a5a36dedd',
  })
  trace_id: string;

  @ApiProperty({ description: 'ISO 8601 UTC.', example: '2025-12-22T15:30:00Z' })
  timestamp: string;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: [false], example: false })
  success: false;

  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}
