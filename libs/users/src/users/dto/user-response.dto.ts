import { ApiProperty } from '@nestjs/swagger';
import { isoSeconds } from '@users-service/common';
import { USER_ROLES, type UserEntity, type UserRole } from '../user.entity.js';

const iso = (date: Date | null): string | null => (date ? isoSeconds(date) : null);

/** The user object of the API family: flat, snake_case; `is_deleted` is internal and not shown. */
export class UserResponseDto {
  @ApiProperty({ example: 'usr_4ab3bd9533df40318468ed9cc0d8c391' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'ada.l' })
  username: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'First and last name when not set.',
    example: 'Ada Lovelace',
  })
  full_name: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Ada' })
  first_name: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Lovelace' })
  last_name: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date', example: '1990-12-10' })
  birthday: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  profile_image: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Europe/London' })
  timezone: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  country_id: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  post_code: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  gender: string | null;

  @ApiProperty({ enum: USER_ROLES, example: 'role_member' })
  global_role_id: UserRole;

  @ApiProperty({ example: true })
  is_active: boolean;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  last_verified: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  last_login: string | null;

  @ApiProperty({ format: 'date-time', example: '2025-11-15T10:30:00Z' })
  created_at: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-15T10:30:00Z' })
  updated_at: string;
}

function fullNameOf(user: UserEntity): string | null {
  if (user.fullName) return user.fullName;
  const joined = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return joined || null;
}

export function toUserResponse(user: UserEntity): UserResponseDto {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    full_name: fullNameOf(user),
    first_name: user.firstName,
    last_name: user.lastName,
    birthday: user.birthday,
    profile_image: user.profileImage,
    timezone: user.timezone,
    country_id: user.countryId,
    post_code: user.postCode,
    gender: user.gender,
    global_role_id: user.globalRoleId,
    is_active: user.isActive,
    last_verified: iso(user.lastVerified),
    last_login: iso(user.lastLogin),
    created_at: isoSeconds(user.createdAt),
    updated_at: isoSeconds(user.updatedAt),
  };
}

/** The user object as an admin sees it when asking for deleted users: the deletion state is shown. */
export class AdminUserResponseDto extends UserResponseDto {
  @ApiProperty({ required: false, description: 'True once the account is soft-deleted.', example: true })
  is_deleted: boolean;

  @ApiProperty({ required: false, type: String, nullable: true, format: 'date-time', example: '2025-12-22T15:30:00Z' })
  deleted_at: string | null;

  @ApiProperty({
    required: false,
    type: String,
    nullable: true,
    description: 'Who deleted the account (a user id).',
    example: 'usr_4ab3bd9533df40318468ed9cc0d8c391',
  })
  deleted_by: string | null;

  @ApiProperty({
    required: false,
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When retention replaced the e-mail and cleared the profile; such an account cannot be restored.',
    example: null,
  })
  anonymized_at: string | null;
}

export function toAdminUserResponse(user: UserEntity): AdminUserResponseDto {
  return {
    ...toUserResponse(user),
    is_deleted: user.isDeleted,
    deleted_at: iso(user.deletedAt),
    deleted_by: user.deletedBy,
    anonymized_at: iso(user.anonymizedAt),
  };
}
