import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, MaxLength } from 'class-validator';
import { USER_ROLES, type UserRole } from '../user.entity.js';
import { normalizeEmail } from '../email.js';
import { UserResponseDto } from './user-response.dto.js';

/** The longest e-mail address accepted (RFC 5321: a 64-character local part, `@`, a 255-character domain). */
export const EMAIL_MAX_LENGTH = 320;

export class CreateUserDto {
  @ApiProperty({
    format: 'email',
    maxLength: EMAIL_MAX_LENGTH,
    description:
      'An e-mail address (internationalized ones too; the local part at most 64 bytes of UTF-8, the domain at ' +
      'most 254 characters once in its ASCII form). Stored normalized (Unicode NFC, the domain in its ' +
      'ASCII/punycode form, lower case); unique among users that are not deleted, so two spellings of one ' +
      'address are one account.',
    example: 'ada@example.com',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value))
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  email: string;

  @ApiPropertyOptional({
    enum: [...USER_ROLES, null],
    nullable: true,
    default: 'role_member',
    description: 'Null or absent: `role_member`.',
  })
  @IsOptional()
  @IsIn(USER_ROLES)
  global_role_id?: UserRole | null;
}

export class CreateUserResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;

  @ApiProperty({
    description: "The new user's API key. Shown this once: only its hash is stored.",
    example: 'ak_Q2x8mZbN4tR7vK1pL9sD3fG6hJ0wE5yU2iO8aC4n',
  })
  api_key: string;
}
