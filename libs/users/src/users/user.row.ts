import type { DataSource } from 'typeorm';
import { UserEntity, type UserRole } from './user.entity.js';

/** A `users` row as SQL returns it (snake_case), for the raw queries of the hot paths. */
export interface UserRow {
  id: string;
  email: string;
  username: string | null;
  full_name: string | null;
  first_name: string | null;
  last_name: string | null;
  /** A `date`: node-postgres and PGlite parse it into a Date (see `calendarDay`). */
  birthday: string | Date | null;
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

/**
 * The column names of `users` as this release knows them, for statements that read or return a
 * whole row: naming them (never `*`) keeps a prepared statement's result type fixed when a newer
 * release adds a column while this one runs.
 */
export function userColumns(db: DataSource): { column: string; property: string }[] {
  return db
    .getMetadata(UserEntity)
    .columns.map((column) => ({ column: column.databaseName, property: column.propertyPath }));
}

/**
 * A `date` column as `YYYY-MM-DD`. node-postgres parses one into local midnight and PGlite into
 * UTC midnight; either way the calendar day is the one at the UTC midnight nearest to it.
 */
export function calendarDay(value: string | Date | null): string | null {
  if (value === null || typeof value === 'string') return value;
  const utcMidnight = value.getUTCHours() === 0 && value.getUTCMinutes() === 0;
  const day = utcMidnight ? value : new Date(value.getTime() - value.getTimezoneOffset() * 60_000);
  return day.toISOString().slice(0, 10);
}

export function toUserEntity(row: UserRow): UserEntity {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    fullName: row.full_name,
    firstName: row.first_name,
    lastName: row.last_name,
    birthday: calendarDay(row.birthday),
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
