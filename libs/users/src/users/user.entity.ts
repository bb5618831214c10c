import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const USER_ROLES = ['role_member', 'role_admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/**
 * A user account. Rows are never deleted: a soft delete sets `is_deleted`, clears `is_active` and
 * stamps `deleted_at`/`deleted_by`; the CHECK keeps those four coherent.
 */
@Entity({ name: 'users' })
@Check('CHK_users_id_format', `"id" ~ '^usr_[0-9a-f]{32}$'`)
@Check('CHK_users_email_lower', `"email" = lower("email")`)
@Check(
  'CHK_users_deletion_flags',
  `("is_deleted" AND NOT "is_active" AND "deleted_at" IS NOT NULL) OR (NOT "is_deleted" AND "deleted_at" IS NULL AND "deleted_by" IS NULL)`,
)
@Index('UQ_users_email_live', ['email'], { unique: true, where: `"is_deleted" = false` })
@Index('UQ_users_username_live', ['username'], {
  unique: true,
  where: `"is_deleted" = false AND "username" IS NOT NULL`,
})
@Check('CHK_users_anonymized_only_deleted', `"anonymized_at" IS NULL OR "is_deleted"`)
@Index('IDX_users_created_at_id', ['createdAt', 'id'])
@Index('IDX_users_retention_due', ['deletedAt'], { where: `"is_deleted" = true AND "anonymized_at" IS NULL` })
export class UserEntity {
  @PrimaryColumn({ name: 'id', type: 'text' })
  id: string;

  @Column({ name: 'email', type: 'text' })
  email: string;

  @Column({ name: 'username', type: 'varchar', length: 100, nullable: true })
  username: string | null;

  @Column({ name: 'full_name', type: 'varchar', length: 511, nullable: true })
  fullName: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ name: 'birthday', type: 'date', nullable: true })
  birthday: string | null;

  @Column({ name: 'profile_image', type: 'text', nullable: true })
  profileImage: string | null;

  @Column({ name: 'timezone', type: 'varchar', length: 100, nullable: true })
  timezone: string | null;

  @Column({ name: 'country_id', type: 'text', nullable: true })
  countryId: string | null;

  @Column({ name: 'post_code', type: 'varchar', length: 20, nullable: true })
  postCode: string | null;

  @Column({ name: 'gender', type: 'varchar', length: 50, nullable: true })
  gender: string | null;

  @Column({ name: 'global_role_id', type: 'text', default: 'role_member' })
  globalRoleId: UserRole;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_deleted', type: 'boolean', default: false })
  isDeleted: boolean;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'deleted_by', type: 'text', nullable: true })
  deletedBy: string | null;

  /** Set when retention replaced the e-mail and cleared the profile; such a user cannot be restored. */
  @Column({ name: 'anonymized_at', type: 'timestamptz', nullable: true })
  anonymizedAt: Date | null;

  @Column({ name: 'last_verified', type: 'timestamptz', nullable: true })
  lastVerified: Date | null;

  @Column({ name: 'last_login', type: 'timestamptz', nullable: true })
  lastLogin: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
