import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy } from 'class-validator';
import { DATE_TIME_PATTERN, IsDateTime } from '../../users/dto/date-time.js';
import { TextField } from '../../users/dto/text-field.decorator.js';

/** A date-time later than now (its form is checked by IsDateTime). */
function IsFutureDateTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isFuture',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && Date.parse(value) > Date.now(),
      defaultMessage: () => 'expires_at must be in the future',
    },
  });
}

export class CreateApiKeyDto {
  @TextField({
    optional: true,
    nullable: true,
    minLength: 1,
    maxLength: 100,
    description: 'A label to tell keys apart.',
    example: 'laptop',
  })
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date-time',
    pattern: DATE_TIME_PATTERN,
    description: 'When the key stops working (RFC 3339: date, time and offset; in the future). Null or absent: never.',
    example: '2030-12-31T23:59:59Z',
  })
  @IsOptional()
  @IsDateTime('expires_at')
  @IsFutureDateTime()
  expires_at?: string | null;
}

/** An API key as its owner sees it: never the secret or its hash. */
export class ApiKeyResponseDto {
  @ApiProperty({ example: 'key_0198c2a1f3e47b6c9d2e4f6a8b0c1d2e' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'laptop' })
  name: string | null;

  @ApiProperty({ description: 'The first characters of the secret.', example: 'ak_Q2x8mZb' })
  prefix: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-15T10:30:00Z' })
  created_at: string;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Recorded at most every few minutes.',
    example: '2025-12-22T15:30:00Z',
  })
  last_used_at: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  expires_at: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  revoked_at: string | null;
}

export class CreatedApiKeyDto {
  @ApiProperty({ example: 'key_0198c2a1f3e47b6c9d2e4f6a8b0c1d2e' })
  id: string;

  @ApiProperty({ type: String, nullable: true, example: 'laptop' })
  name: string | null;

  @ApiProperty({ example: 'ak_Q2x8mZb' })
  prefix: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-15T10:30:00Z' })
  created_at: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2030-12-31T23:59:59Z' })
  expires_at: string | null;
}

export class CreateApiKeyResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({
    description: 'The secret. Shown this once: only its hash is stored.',
    example: 'ak_Q2x8mZbN4tR7vK1pL9sD3fG6hJ0wE5yU2iO8aC4n',
  })
  api_key: string;

  @ApiProperty({ type: CreatedApiKeyDto })
  key: CreatedApiKeyDto;
}

export class RevokeApiKeyResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({ example: 'API key revoked successfully' })
  message: 'API key revoked successfully';

  @ApiProperty({ example: 'key_0198c2a1f3e47b6c9d2e4f6a8b0c1d2e' })
  key_id: string;
}
