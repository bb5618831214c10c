import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { revertLastMigration, RevertRefusedError } from '../src/cli/revert-guard.js';
import { createPostgresDatabase, engine, startTestApp, type TestApp } from './support/test-app.js';

describe('migration:revert refuses a step that destroys data unless forced', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const applied = async () =>
    (await t.db.query<Array<{ name: string }>>('SELECT name FROM typeorm_migrations ORDER BY id')).map((r) => r.name);
  const hasColumn = async (table: string, column: string) =>
    (
      await t.db.query<Array<{ n: number }>>(
        'SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = $1 AND column_name = $2',
        [table, column],
      )
    )[0]!.n === 1;
  const refusal = async (force: boolean) => {
    try {
      await revertLastMigration(t.db, force);
    } catch (error) {
      expect(error).toBeInstanceOf(RevertRefusedError);
      return (error as Error).message;
    }
    throw new Error('the revert was not refused');
  };

  it('reverts a step that loses nothing; refuses one that would, naming what, until --force', async () => {
    // The outbox's migration is the newest: it is reverted first (forced, as the outbox may hold
    // events), so that the anonymization migration is the last one applied.
    const revertOutbox = async () =>
      expect(await revertLastMigration(t.db, true)).toBe('CreateOutboxEvents1796014800000');
    await revertOutbox();
    const user = await t.users.create();
    // No account is anonymized: anonymized_at holds nothing, so the revert goes ahead.
    expect(await revertLastMigration(t.db, false)).toBe('AnonymizationAndAuditFilters1795942526977');
    expect(await hasColumn('users', 'anonymized_at')).toBe(false);
    await t.db.runMigrations({ transaction: 'each' });
    await revertOutbox();

    // An anonymized account: reverting would drop anonymized_at and make it restorable.
    await t.users.softDelete(user.id);
    await t.db.query('UPDATE users SET anonymized_at = now() WHERE id = $1', [user.id]);
    expect(await refusal(false)).toBe(
      'Reverting AnonymizationAndAuditFilters1795942526977 would destroy data: ' +
        'column users.anonymized_at (1 row with a value). Nothing was changed. ' +
        'Back the database up, then run the revert again with --force to go ahead.',
    );
    expect(await hasColumn('users', 'anonymized_at')).toBe(true);
    expect(await applied()).toEqual([
      'CreateUsersApiKeysAndAuditEvents1795942005788',
      'AnonymizationAndAuditFilters1795942526977',
    ]);

    expect(await revertLastMigration(t.db, true)).toBe('AnonymizationAndAuditFilters1795942526977');
    expect(await hasColumn('users', 'anonymized_at')).toBe(false);

    // The first migration would drop every table.
    const [{ users, keys }] = await t.db.query<[{ users: number; keys: number }]>(
      'SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM api_keys) AS keys',
    );
    expect(await refusal(false)).toBe(
      `Reverting CreateUsersApiKeysAndAuditEvents1795942005788 would destroy data: table api_keys (${keys} row${keys === 1 ? '' : 's'}), table users (${users} row${users === 1 ? '' : 's'}). Nothing was changed. ` +
        'Back the database up, then run the revert again with --force to go ahead.',
    );
    expect(await applied()).toEqual(['CreateUsersApiKeysAndAuditEvents1795942005788']);
    await t.db.runMigrations({ transaction: 'each' });
    expect(await applied()).toHaveLength(3);
  });
});

// The CLI as an operator runs it (the built `dist/`, which the e2e-postgres project builds), on a
// database of its own.
(engine() === 'postgres' ? describe : describe.skip)('npm run migration:revert (the built CLI)', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;

  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const migrate = (...args: string[]) =>
    spawnSync(process.execPath, ['dist/src/cli/migrate.js', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url },
      encoding: 'utf8',
    });

  it('exits 1 with one line saying what would be lost, changes nothing, and reverts with --force', async () => {
    expect(migrate('run').status).toBe(0);
    // The outbox's migration is the newest, and its table is empty: it reverts without --force.
    const outbox = migrate('revert');
    expect(outbox.status).toBe(0);
    expect(outbox.stdout).toContain('Done: CreateOutboxEvents1796014800000 reverted.');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO users (id, email, is_deleted, is_active, deleted_at, anonymized_at)
         VALUES ('usr_00000000000000000000000000000001', 'gone@example.test', true, false, now(), now())`,
      );
      const refused = migrate('revert');
      expect({ status: refused.status, stderr: refused.stderr }).toEqual({
        status: 1,
        stderr:
          'Reverting AnonymizationAndAuditFilters1795942526977 would destroy data: column users.anonymized_at ' +
          '(1 row with a value). Nothing was changed. Back the database up, then run the revert again with --force ' +
          'to go ahead.\n',
      });
      const { rows } = await client.query('SELECT count(*)::int AS n FROM users WHERE anonymized_at IS NOT NULL');
      expect(rows).toEqual([{ n: 1 }]);
      const forced = migrate('revert', '--force');
      expect(forced.status).toBe(0);
      expect(forced.stdout).toContain('Done: AnonymizationAndAuditFilters1795942526977 reverted.');
    } finally {
      await client.end();
    }
  });
});
