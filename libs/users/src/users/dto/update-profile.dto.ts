import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsISO8601,
  IsOptional,
  IsString,
  IsTimeZone,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { UserResponseDto } from './user-response.dto.js';

/** A calendar date (`YYYY-MM-DD`) strictly before today (UTC). */
function IsPastDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPastDate',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          /^\d{4}-\d{2}-\d{2}$/.test(value) &&
          value >= '1900-01-01' &&
          value < new Date().toISOString().slice(0, 10),
        defaultMessage: () => 'birthday must be a date in the past, on or after 1900-01-01',
      },
    },
    options,
  );
}

/** Rejects a field whenever it is sent: it exists in the DTO only to name the rule in the 422. */
function IsReadOnly(message: string): PropertyDecorator {
  return ValidateBy({ name: 'read_only', validator: { validate: () => false, defaultMessage: () => message } });
}

/**
 * The caller's own profile fields; any subset. `null` clears a field. E-mail and every other
 * field (role, flags, timestamps) cannot be changed here: sending one is a 422.
 */
export class UpdateProfileDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 3,
    maxLength: 100,
    pattern: '^[a-z0-9._-]+$',
    description: 'Lowercase letters, digits, `.`, `_` and `-`; unique among users that are not deleted.',
    example: 'ada.l',
  })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(100)
  @Matches(/^[a-z0-9._-]+$/, { message: 'username may hold only lowercase letters, digits, ".", "_" and "-"' })
  username?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 511,
    description: 'Null: computed from first and last name.',
    example: 'Ada Lovelace',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(511)
  full_name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Ada' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  first_name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 255, example: 'Lovelace' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  last_name?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date',
    description: '`YYYY-MM-DD`, in the past.',
    example: '1990-12-10',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'birthday must be a valid date, YYYY-MM-DD' })
  @IsPastDate()
  birthday?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'uri',
    maxLength: 2048,
    description: 'An http or https URL.',
    example: 'https://example.com/ada.png',
  })
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true },
    { message: 'profile_image must be an http or https URL' },
  )
  @MaxLength(2048)
  profile_image?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 100,
    description: 'An IANA time zone id.',
    example: 'Europe/London',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/, { message: 'timezone must be an IANA time zone id' })
  @IsTimeZone({ message: 'timezone must be an IANA time zone id' })
  timezone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'GB' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  country_id?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20, example: 'SW1A 1AA' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20)
  post_code?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 50, example: 'female' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  gender?: string | null;

  /** Not updatable; declared so that sending it names the rule (`read_only`) rather than `unknown_field`. */
  @ApiHideProperty()
  @ValidateIf((o: { email?: unknown }) => o.email !== undefined)
  @IsReadOnly('email cannot be changed with this endpoint')
  email?: never;
}

/** The profile fields that PATCH /v1/user/profile may change: the DTO's keys are the column names. */
export const PROFILE_FIELDS = [
  'username',
  'full_name',
  'first_name',
  'last_name',
  'birthday',
  'profile_image',
  'timezone',
  'country_id',
  'post_code',
  'gender',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfilePatch = Partial<Record<ProfileField, string | null>>;

export class UpdateProfileResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({ example: 'Profile updated successfully' })
  message: 'Profile updated successfully';

  @ApiProperty({ type: UserResponseDto })
  profile: UserResponseDto;
}
