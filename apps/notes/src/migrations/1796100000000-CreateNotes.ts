import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The notes app's own tables: notes, and the users events it has acted on (idempotency). */
export class CreateNotes1796100000000 implements MigrationInterface {
  name = 'CreateNotes1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notes" ("id" text NOT NULL, "user_id" text NOT NULL, "text" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "hidden_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_notes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_notes_user_id" ON "notes" ("user_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "handled_user_events" ("event_id" uuid NOT NULL, "type" text NOT NULL, "handled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_handled_user_events" PRIMARY KEY ("event_id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "handled_user_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_notes_user_id"`);
    await queryRunner.query(`DROP TABLE "notes"`);
  }
}
