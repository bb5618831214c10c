import { describe, expect, it } from '@jest/globals';
import { describeLosses, droppedByStatements } from './revert-guard.js';

describe('droppedByStatements', () => {
  it('finds dropped tables and columns, and ignores what holds no data', () => {
    expect(
      droppedByStatements([
        'ALTER TABLE "users" DROP CONSTRAINT "CHK_users_anonymized_only_deleted"',
        'DROP INDEX "public"."IDX_audit_events_action"',
        'ALTER TABLE "users" DROP COLUMN "anonymized_at"',
        'alter table public.users drop column if exists nickname',
        'DROP TRIGGER "audit_events_no_truncate" ON "audit_events"',
        'DROP FUNCTION "audit_events_append_only"()',
        'DROP TABLE "audit_events"',
        'DROP TABLE IF EXISTS "public"."api_keys"',
      ]),
    ).toEqual([
      { table: 'users', column: 'anonymized_at' },
      { table: 'public.users', column: 'nickname' },
      { table: 'audit_events' },
      { table: 'public.api_keys' },
    ]);
  });
});

describe('describeLosses', () => {
  it('names each loss with its count', () => {
    expect(
      describeLosses([
        { table: 'users', column: 'anonymized_at', rows: 1 },
        { table: 'users', rows: 12 },
      ]),
    ).toBe('column users.anonymized_at (1 row with a value), table users (12 rows)');
  });
});
