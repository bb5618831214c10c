import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention and the audit log's filters: `users.anonymized_at` (set when retention anonymizes a
 * deleted user; such a user cannot be restored), a partial index that finds the users retention
 * is due for, and indexes for `GET /v1/audit-events?actor_user_id=` and `?action=`.
 */
export class AnonymizationAndAuditFilters1795942526977 implements MigrationInterface {
  name = 'AnonymizationAndAuditFilters1795942526977';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "anonymized_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "IDX_users_retention_due" ON "users"  ("deleted_at") WHERE "is_deleted" = true AND "anonymized_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_events_action" ON "audit_events"  ("action", "occurred_at") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_actor_user_id" ON "audit_events"  ("actor_user_id", "occurred_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "users" ADD CONSTRAINT "CHK_users_anonymized_only_deleted" CHECK ("anonymized_at" IS NULL OR "is_deleted")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP CONSTRAINT "CHK_users_anonymized_only_deleted"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_actor_user_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_events_action"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_users_retention_due"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "anonymized_at"`);
  }
}
