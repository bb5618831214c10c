import type { UserEntity, UserRole } from './user.entity.js';

/** A `users` row as SQL returns it (snake_case), for the raw queries of the hot paths. */
export interface UserRow {
  id: string;
  email: string;
  username: string | null;
  full_name: string | null;
  first_name: string | null;
  last_name: string | null;
  birthday: string | null;
  profile_image: string | null;
  timezone: string | null;
  country_id: string | null;
  post_code: string | null;
  gender: string | null;
  global_role_id: UserRole;
  is_active: boolean;
  is_deleted: boolean;
  deleted_at: Date | null;
  deleted_by: string | null;
  anonymized_at: Date | null;
  last_verified: Date | null;
  last_login: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toUserEntity(row: UserRow): UserEntity {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    fullName: row.full_name,
    firstName: row.first_name,
    lastName: row.last_name,
    birthday: row.birthday,
    profileImage: row.profile_image,
    timezone: row.timezone,
    countryId: row.country_id,
    postCode: row.post_code,
    gender: row.gender,
    globalRoleId: row.global_role_id,
    isActive: row.is_active,
    isDeleted: row.is_deleted,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
    anonymizedAt: row.anonymized_at,
    lastVerified: row.last_verified,
    lastLogin: row.last_login,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
