import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { USERS_MIGRATIONS } from '@users-service/users';
import { buildDataSourceOptions } from '../src/config/data-source.options.js';
import { validateEnvironment } from '../src/config/environment.js';
import { createPostgresDatabase, engine } from './support/test-app.js';

describe('migrations from an empty database: up, entities match, down to empty, up again', () => {
  let ds: DataSource;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const database = engine() === 'postgres' ? await createPostgresDatabase() : undefined;
    drop = database?.drop;
    const env = validateEnvironment({
      PGLITE_DIR: 'memory://',
      MIGRATIONS_RUN: 'false',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    ds = new DataSource(buildDataSourceOptions(env));
    await ds.initialize();
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await drop?.();
  });

  /** Everything in the public schema but the migrations table: tables, indexes, functions, triggers. */
  const schemaObjects = async (): Promise<string[]> => {
    const rows: Array<{ kind: string; name: string }> = await ds.query(
      `SELECT 'relation' AS kind, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname NOT LIKE 'typeorm_migrations%'
          AND NOT EXISTS (SELECT 1 FROM pg_index i
                           WHERE i.indexrelid = c.oid AND i.indrelid = to_regclass('typeorm_migrations'))
       UNION ALL
       SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
       UNION ALL
       SELECT 'trigger', t.tgname FROM pg_trigger t WHERE NOT t.tgisinternal
       ORDER BY 1, 2`,
    );
    return rows.map((r) => `${r.kind}:${r.name}`);
  };

  /** What TypeORM would still have to do to make the schema match the entities (a generated migration). */
  const pendingSchemaChanges = async (): Promise<string[]> => {
    const sql = await ds.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  };

  it('runs every migration up, then has nothing left to generate, then undoes all of them, then runs again', async () => {
    expect(await schemaObjects()).toEqual([]);

    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toHaveLength(USERS_MIGRATIONS.length);
    const full = await schemaObjects();
    expect(full).toEqual(expect.arrayContaining(['relation:users', 'relation:api_keys', 'relation:audit_events']));
    expect(await pendingSchemaChanges()).toEqual([]);

    for (let i = 0; i < USERS_MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await schemaObjects()).toEqual([]);
    expect(await ds.query('SELECT count(*)::int AS n FROM typeorm_migrations')).toEqual([{ n: 0 }]);

    expect(await ds.runMigrations({ transaction: 'each' })).toHaveLength(USERS_MIGRATIONS.length);
    expect(await schemaObjects()).toEqual(full);
    expect(await pendingSchemaChanges()).toEqual([]);

    // The comparison does see a difference: without an index an entity declares, TypeORM would create it.
    await ds.query('DROP INDEX "IDX_users_created_at_id"');
    expect(await pendingSchemaChanges()).toEqual([expect.stringContaining('CREATE INDEX "IDX_users_created_at_id"')]);
  });
});
