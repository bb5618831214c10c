import { ApiHideProperty, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsISO8601,
  IsOptional,
  IsTimeZone,
  IsUrl,
  MaxLength,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { TextField } from './text-field.decorator.js';
import { UserResponseDto } from './user-response.dto.js';

/** `YYYY-MM-DD` with a year from 1900 on: the schema's `pattern` and the validator share it. */
export const BIRTHDAY_PATTERN = '^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$';
const BIRTHDAY = new RegExp(BIRTHDAY_PATTERN);

/** An http or https URL, the scheme in any case (as `@IsUrl` reads it). */
export const HTTP_URL_PATTERN = '^[Hh][Tt][Tt][Pp][Ss]?://';

/** A calendar date (`YYYY-MM-DD`) on or after 1900-01-01 and strictly before today (UTC). */
function IsPastDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPastDate',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && BIRTHDAY.test(value) && value < new Date().toISOString().slice(0, 10),
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
  @TextField({
    optional: true,
    nullable: true,
    minLength: 3,
    maxLength: 100,
    pattern: {
      regex: /^[a-z0-9._-]+$/,
      message: 'username may hold only lowercase letters, digits, ".", "_" and "-"',
    },
    description: 'Lowercase letters, digits, `.`, `_` and `-`; unique among users that are not deleted.',
    example: 'ada.l',
  })
  username?: string | null;

  @TextField({
    optional: true,
    nullable: true,
    minLength: 1,
    maxLength: 511,
    description: 'Null: computed from first and last name.',
    example: 'Ada Lovelace',
  })
  full_name?: string | null;

  @TextField({ optional: true, nullable: true, minLength: 1, maxLength: 255, example: 'Ada' })
  first_name?: string | null;

  @TextField({ optional: true, nullable: true, minLength: 1, maxLength: 255, example: 'Lovelace' })
  last_name?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date',
    pattern: BIRTHDAY_PATTERN,
    description: '`YYYY-MM-DD`, on or after 1900-01-01 and in the past.',
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
    pattern: HTTP_URL_PATTERN,
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

  @TextField({
    optional: true,
    nullable: true,
    maxLength: 100,
    pattern: {
      regex: /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/,
      message: 'timezone must be an IANA time zone id',
    },
    description: 'An IANA time zone id.',
    example: 'Europe/London',
  })
  @IsTimeZone({ message: 'timezone must be an IANA time zone id' })
  timezone?: string | null;

  @TextField({ optional: true, nullable: true, minLength: 1, maxLength: 100, example: 'GB' })
  country_id?: string | null;

  @TextField({ optional: true, nullable: true, minLength: 1, maxLength: 20, example: 'SW1A 1AA' })
  post_code?: string | null;

  @TextField({ optional: true, nullable: true, minLength: 1, maxLength: 50, example: 'female' })
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
